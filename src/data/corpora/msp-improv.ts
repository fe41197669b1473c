/**
 * MSP-IMPROV (Busso et al., 2017): 6 sessions × 2 actors (1 female, 1 male), target
 * sentences in read and improvised scenarios plus natural interaction, with consensus
 * categorical labels and activation/valence/dominance/naturalness ratings (1–5).
 *
 * Assumed layout (see docs/corpora.md): `Evalution.txt` (the release's spelling;
 * `Evaluation.txt` is also accepted) at the root, whose summary lines read
 * `UTD-IMPROV-S01A-F01-R-FM01.avi; A; A:2.600000; V:3.000000; D:2.800000; N:3.600000`
 * (per-evaluator lines below them are skipped), and audio files
 * `MSP-IMPROV-S01A-F01-R-FM01.wav` anywhere below the root (the release nests them as
 * `Audio/session1/S01A/R/...`).
 */
import { join } from 'node:path';
import { dropMissing, finish, isFile, missingPolicy, readMetadata, requireDir, scanAudio, stem } from './common.js';
import { fail, quote } from './errors.js';
import { FOUR_CLASSES, makeLabelMap } from './labels.js';
import type { CorpusAdapter, ListOptions, Utterance } from './types.js';

const CORPUS = 'msp-improv';
/** Label file names tried in order. */
const EVAL_FILES = ['Evalution.txt', 'Evaluation.txt'];
/** Consensus letters: A angry, H happy, S sad, N neutral, O other, X no agreement. */
export const MSP_IMPROV_CLASSES = ['A', 'H', 'S', 'N', 'O', 'X'];
/** Utterance names after the `UTD-`/`MSP-` prefix: IMPROV-S01A-F01-R-FM01. */
const NAME_PATTERN = /^IMPROV-(S\d{2}[A-Z])-([FM])(\d{2})-([A-Z])-([A-Z]{2}\d{2})$/;
/** A summary line: starts with the utterance's video file name. */
const SUMMARY_LINE = /^(UTD|MSP)-IMPROV-/;
const SCALE_MIN = 1;
const SCALE_MAX = 5;
const DIMENSIONS: Record<string, string> = { A: 'arousal', V: 'valence', D: 'dominance', N: 'naturalness' };
const REQUIRED_DIMENSIONS = ['A', 'V', 'D'];

/** One summary line of the evaluation file. */
export interface MspImprovRating {
  /** Name without prefix and extension, e.g. `IMPROV-S01A-F01-R-FM01`. */
  name: string;
  emotion: string;
  line: number;
  dims: Record<string, number>;
}

/**
 * Parses the summary lines of `Evalution.txt`.
 * @throws MetadataError naming the file, line and field of a malformed summary line.
 */
export function parseMspImprovEvaluation(text: string, file: string): MspImprovRating[] {
  const out: MspImprovRating[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (!SUMMARY_LINE.test(line)) return;
    const at = (field?: string) => ({ file, line: i + 1, field });
    const parts = line
      .split(';')
      .map((p) => p.trim())
      .filter((p) => p !== '');
    if (parts.length < 2 + REQUIRED_DIMENSIONS.length) fail(at(), `expected 'FILE; EMOTION; A:x; V:x; D:x[; N:x]', got ${quote(line)}`);
    const name = stem(parts[0]).slice(4);
    if (!NAME_PATTERN.test(name)) fail(at('file name'), `expected e.g. UTD-IMPROV-S01A-F01-R-FM01.avi, got ${quote(parts[0])}`);
    const emotion = parts[1];
    if (!MSP_IMPROV_CLASSES.includes(emotion))
      fail(at('emotion'), `unknown class ${quote(emotion)} (expected one of ${MSP_IMPROV_CLASSES.join(', ')})`);
    const dims: Record<string, number> = {};
    for (const p of parts.slice(2)) {
      const m = /^([A-Z]):\s*(\S+)$/.exec(p);
      if (!m || !(m[1] in DIMENSIONS)) fail(at('ratings'), `expected 'A:x', 'V:x', 'D:x' or 'N:x', got ${quote(p)}`);
      const v = Number(m[2]);
      if (!Number.isFinite(v) || v < SCALE_MIN || v > SCALE_MAX)
        fail(at(DIMENSIONS[m[1]]), `expected a rating in [${SCALE_MIN}, ${SCALE_MAX}], got ${quote(m[2])}`);
      dims[DIMENSIONS[m[1]]] = v;
    }
    for (const d of REQUIRED_DIMENSIONS) if (!(DIMENSIONS[d] in dims)) fail(at(DIMENSIONS[d]), `missing '${d}:' rating`);
    out.push({ name, emotion, line: i + 1, dims });
  });
  return out;
}

async function list(root: string, options?: ListOptions): Promise<Utterance[]> {
  const dir = await requireDir(root, CORPUS, 'Evalution.txt and the MSP-IMPROV-*.wav files');
  const policy = missingPolicy(options, CORPUS);
  let file = '';
  for (const f of EVAL_FILES) {
    if (await isFile(join(dir, f))) {
      file = join(dir, f);
      break;
    }
  }
  if (file === '') throw new Error(`${CORPUS}: no ${EVAL_FILES.join(' or ')} in ${dir}`);
  const ratings = parseMspImprovEvaluation(await readMetadata(file, CORPUS), file);
  if (ratings.length === 0) throw new Error(`${file}: no utterance lines ('UTD-IMPROV-...; X; A:x; V:x; D:x')`);
  const audio = new Map<string, string>();
  for (const p of await scanAudio(dir, ['.wav'])) {
    const s = stem(p);
    if (!s.startsWith('MSP-IMPROV-')) continue;
    const prev = audio.get(s);
    if (prev !== undefined) throw new Error(`${CORPUS}: two audio files for ${s}: ${prev} and ${p}`);
    audio.set(s, p);
  }
  const seen = new Map<string, number>();
  const utts: Utterance[] = [];
  for (const r of ratings) {
    const id = `MSP-${r.name}`;
    const dup = seen.get(id);
    if (dup !== undefined) fail({ file, line: r.line, field: 'file name' }, `${id} was already rated on line ${dup}`);
    seen.set(id, r.line);
    const [, sentence, g, session, scenario] = NAME_PATTERN.exec(r.name)!;
    utts.push({
      id,
      path: audio.get(id) ?? join(dir, `${id}.wav`),
      corpus: CORPUS,
      speaker: `${CORPUS}:${g}${session}`,
      session: `session${Number(session)}`,
      labels: { emotion: r.emotion, ...r.dims, sentence, scenario },
      attributes: { gender: g === 'F' ? 'female' : 'male' },
    });
  }
  return finish(dropMissing(utts, new Set(audio.values()), policy, CORPUS), options, CORPUS);
}

/**
 * The MSP-IMPROV adapter. Speaker `msp-improv:F01` (gender + session from the name's second
 * part), `session` `session1` ...; labels: `emotion` (consensus letter), `arousal`, `valence`,
 * `dominance`, `naturalness` (1–5), `sentence` (e.g. S01A), `scenario` (the name's fourth
 * part: R read, T target improvised, S other improvised, P natural interaction; assumed).
 */
export const mspImprov: CorpusAdapter = {
  name: CORPUS,
  description: 'MSP-IMPROV: 6 sessions x 2 actors, read/improvised/natural speech, consensus categorical and dimensional labels',
  labelMaps: {
    '4class': makeLabelMap('4class', FOUR_CLASSES, { N: 'neutral', H: 'happy', S: 'sad', A: 'angry', O: null, X: null }),
  },
  defaultLabelMap: '4class',
  list,
};
