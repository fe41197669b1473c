/**
 * The unlabelled pool of a pre-training run: audio files from folders, manifests and corpus
 * adapters (speakers filtered), a seeded share of them, decoded at 16 kHz, optionally trimmed
 * of silence, cut into segments of at most `segmentFrames` frames, and turned into the
 * network's front-end features (kept in memory: 1.6 h of 80-bin frames is ≈ 185 MB).
 */
import { listInputFiles, loadAudio, trimSilence } from '../audio/index.js';
import { makeRng, shuffle } from '../core/index.js';
import { loadCorpus } from '../data/index.js';
import { MIN_SEGMENT_FRAMES, type CorpusSource, type PretrainConfig } from './config.js';

/** Sample rate of every s3prl front end (Hz). */
const SAMPLE_RATE_HZ = 16000;

/** One segment's features: `frames` rows of `dims` values. */
export interface Segment {
  file: string;
  frames: number;
  feats: Float32Array;
}

/** What the pool holds, for the run's record. */
export interface PoolSummary {
  files: number;
  /** Files left out: shorter than one segment (after trimming). */
  tooShort: number;
  segments: number;
  frames: number;
  /** Audio used (s). */
  seconds: number;
}

/** A front end: waveform (16 kHz) → features [frames × dims], and its hop (samples). */
export interface FeatureFn {
  dims: number;
  hopSamples: number;
  features(x: Float32Array): Float32Array;
}

async function corpusFiles(c: CorpusSource): Promise<string[]> {
  const { all } = await loadCorpus(c.name, c.root);
  const speakers = new Set(all.map((u) => u.speaker));
  for (const s of [...(c.speakers ?? []), ...(c.excludeSpeakers ?? [])])
    if (!speakers.has(s)) throw new Error(`corpora: ${c.name} has no speaker '${s}' (speakers look like '${all[0]?.speaker ?? '?'}')`);
  const only = c.speakers ? new Set(c.speakers) : null;
  const skip = new Set(c.excludeSpeakers ?? []);
  return all.filter((u) => (only ? only.has(u.speaker) : !skip.has(u.speaker))).map((u) => u.path);
}

/**
 * The files of the pool, in a stable order (sorted, duplicates once), then the seeded
 * `fraction` of them.
 * @throws Error naming an input that does not exist, a corpus that cannot be listed, or an unknown speaker.
 */
export async function listPoolFiles(cfg: PretrainConfig): Promise<string[]> {
  const files = new Set<string>();
  if (cfg.data.length > 0) for (const f of await listInputFiles(cfg.data)) files.add(f);
  for (const c of cfg.corpora) for (const f of await corpusFiles(c)) files.add(f);
  const all = [...files].sort();
  if (cfg.fraction === 1) return all;
  const keep = Math.max(1, Math.round(all.length * cfg.fraction));
  return shuffle([...all], makeRng(cfg.training.seed))
    .slice(0, keep)
    .sort();
}

/**
 * Decodes every file and computes its segments' features with `fe`. Files that cannot be
 * decoded are all named in one error (nothing has been written yet).
 * @param onFile - called after each file (for a progress bar).
 */
export async function poolSegments(
  files: readonly string[],
  fe: FeatureFn,
  o: { vad: boolean; segmentFrames: number; onFile?: (done: number) => void },
): Promise<{ segments: Segment[]; summary: PoolSummary }> {
  const segments: Segment[] = [];
  const failed: string[] = [];
  let tooShort = 0;
  let seconds = 0;
  const piece = o.segmentFrames * fe.hopSamples;
  const shortest = MIN_SEGMENT_FRAMES * fe.hopSamples;
  for (const [i, file] of files.entries()) {
    try {
      const raw = (await loadAudio(file, { sampleRateHz: SAMPLE_RATE_HZ })).samples;
      const x = o.vad ? trimSilence(raw, SAMPLE_RATE_HZ).samples : raw;
      let used = false;
      for (let a = 0; a < x.length; a += piece) {
        const part = x.subarray(a, Math.min(x.length, a + piece));
        if (part.length < shortest) continue;
        const feats = fe.features(part);
        const frames = feats.length / fe.dims;
        segments.push({ file, frames, feats });
        seconds += part.length / SAMPLE_RATE_HZ;
        used = true;
      }
      if (!used) tooShort++;
    } catch (e) {
      failed.push((e as Error).message);
    }
    o.onFile?.(i + 1);
  }
  if (failed.length > 0) throw new Error(`${failed.length} of ${files.length} files cannot be read:\n${failed.join('\n')}`);
  if (segments.length === 0) throw new Error(`none of the ${files.length} files holds ${MIN_SEGMENT_FRAMES} frames of audio`);
  const frames = segments.reduce((n, s) => n + s.frames, 0);
  return { segments, summary: { files: files.length, tooShort, segments: segments.length, frames, seconds } };
}
