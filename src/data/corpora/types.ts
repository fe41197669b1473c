/**
 * The records every corpus adapter produces: one {@link Utterance} per audio file, with its
 * speaker, labels and speaker attributes, plus the adapter interface and label maps.
 */

/** Categorical spoofing label (ASVspoof). */
export type SpoofLabel = 'bonafide' | 'spoof';

/** Speaker gender as the corpora record it (binary in every corpus supported here). */
export type Gender = 'female' | 'male';

/** Labels of one utterance. Extra corpus-specific labels (intensity, attack, split, ...) are allowed. */
export interface UtteranceLabels {
  /** Raw categorical emotion in the corpus' own vocabulary (see each adapter's label maps). */
  emotion?: string;
  /** Arousal / activation on the corpus' own scale (IEMOCAP 1–5, MSP 1–7). */
  arousal?: number;
  /** Valence on the corpus' own scale. */
  valence?: number;
  /** Dominance on the corpus' own scale. */
  dominance?: number;
  /** Anti-spoofing key. */
  spoof?: SpoofLabel;
  [k: string]: string | number | undefined;
}

/** Speaker attributes, used by fairness and privacy evaluations. */
export interface UtteranceAttributes {
  gender?: Gender;
  race?: string;
  ethnicity?: string;
  /** Age in years. */
  age?: number;
  [k: string]: string | number | undefined;
}

/** One audio file of a corpus with everything known about it. */
export interface Utterance {
  /** Unique within the corpus and stable across runs (usually the file stem). */
  id: string;
  /** Absolute path of the audio file. */
  path: string;
  /** Corpus name, e.g. `'ravdess'`, `'crema-d'`. */
  corpus: string;
  /** Duration in seconds (filled when listing with `withDurations`, or from the corpus' metadata). */
  durationS?: number;
  /** Corpus-prefixed unique speaker id, e.g. `'ravdess:01'`. */
  speaker: string;
  /** Recording session (IEMOCAP `Session1`, MSP-IMPROV `session1`, ...). */
  session?: string;
  labels: UtteranceLabels;
  attributes: UtteranceAttributes;
}

/**
 * Maps a corpus' raw categorical labels to the classes a model is trained on.
 * A raw value mapped to `null`, or absent from `map`, is dropped.
 */
export interface LabelMap {
  /** Name of the map within its corpus, e.g. `'4class'`. */
  name: string;
  /** Target classes in label-index order. */
  classes: string[];
  /** Raw value → class (`null` = drop the utterance). */
  map: Record<string, string | null>;
  /** Label field read and rewritten (default `'emotion'`; ASVspoof's map uses `'spoof'`). */
  field?: string;
}

/** What to do when the metadata names an audio file that is not on disk. */
export type MissingAudioPolicy = 'error' | 'skip';

/** Options every adapter understands (adapters add their own). */
export interface ListOptions {
  /**
   * Fill `durationS` of every utterance from its audio header (WAV/FLAC header only; other
   * formats are decoded). Default false: listing then reads metadata and directory entries only.
   */
  withDurations?: boolean;
  /** Metadata-driven adapters: fail (default) or skip utterances whose audio file is missing. */
  missingAudio?: MissingAudioPolicy;
  [k: string]: unknown;
}

/** A corpus reader. `list` is pure: it only reads files under `root`. */
export interface CorpusAdapter {
  /** Registry name, e.g. `'ravdess'`. */
  name: string;
  /** One-line description (what, how many speakers, labels). */
  description: string;
  /** Available label maps by name. Empty for corpora without categorical labels. */
  labelMaps: Record<string, LabelMap>;
  /** Name of the default label map (`''` when the corpus has none). */
  defaultLabelMap: string;
  /**
   * Lists the corpus' utterances, sorted by id.
   * @param root - the corpus folder (or, for the CSV manifest adapter, the manifest file).
   * @throws Error naming the file, line and field for malformed metadata, or the root when missing.
   */
  list(root: string, options?: ListOptions): Promise<Utterance[]>;
}
