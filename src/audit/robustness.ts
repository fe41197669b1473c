/**
 * Robustness: UA/WA of a predictor on test signals corrupted by white noise or babble at an SNR
 * sweep, and by synthetic reverberation at an RT60 sweep (src/audio augmentations, seeded).
 */
import { addNoise, babbleNoise, reverberate, whiteNoise } from '../audio/index.js';
import { makeRng } from '../core/index.js';
import { classificationMetrics } from '../metrics/index.js';

export type CorruptionKind = 'white' | 'babble' | 'reverb';

/** Default sweeps: SNRs (dB) for noise, RT60s (s) for reverberation. */
export const DEFAULT_SNR_SWEEP_DB = [30, 20, 10, 5, 0];
export const DEFAULT_RT60_SWEEP_S = [0.2, 0.4, 0.8, 1.2];
/** Talkers mixed into one babble signal. */
const BABBLE_TALKERS = 6;

export interface RobustnessPoint {
  kind: CorruptionKind | 'clean';
  /** SNR (dB) for noise, RT60 (s) for reverberation, null for clean. */
  level: number | null;
  ua: number;
  wa: number;
}

/**
 * Corrupts one signal (white noise or babble at `level` dB SNR, or reverberation of RT60 `level` s),
 * seeded; babble is built from `others` (never the signal itself). Shared with the dimensional audit.
 */
export function corruptSignal(
  x: Float32Array,
  kind: CorruptionKind,
  level: number,
  others: Float32Array[],
  sampleRateHz: number,
  seed: number,
): Float32Array {
  const rng = makeRng(seed);
  if (kind === 'white') return addNoise(x, whiteNoise(x.length, rng), level);
  if (kind === 'babble') {
    const pool = others.filter((o) => o !== x);
    const talkers = Array.from({ length: Math.min(BABBLE_TALKERS, pool.length) }, () => pool[rng.int(pool.length)]);
    return addNoise(x, babbleNoise(talkers, x.length, rng), level);
  }
  return reverberate(x, sampleRateHz, level, rng);
}

/**
 * UA/WA on clean signals and on every corruption level.
 * @param predict maps signals to class indices.
 */
export async function robustnessSweep(
  predict: (signals: Float32Array[]) => Promise<number[]> | number[],
  utts: { samples: Float32Array; label: number }[],
  numClasses: number,
  sampleRateHz: number,
  o: { snrDb?: number[]; rt60S?: number[]; kinds?: CorruptionKind[]; seed?: number } = {},
): Promise<RobustnessPoint[]> {
  if (utts.length === 0) throw new Error('robustness: no utterances to evaluate');
  const truth = utts.map((u) => u.label);
  const score = async (signals: Float32Array[]) => classificationMetrics(truth, await predict(signals), numClasses);
  const clean = await score(utts.map((u) => u.samples));
  const out: RobustnessPoint[] = [{ kind: 'clean', level: null, ua: clean.ua, wa: clean.wa }];
  const seed = o.seed ?? 1;
  const all = utts.map((u) => u.samples);
  for (const kind of o.kinds ?? (['white', 'babble', 'reverb'] as CorruptionKind[])) {
    for (const level of kind === 'reverb' ? (o.rt60S ?? DEFAULT_RT60_SWEEP_S) : (o.snrDb ?? DEFAULT_SNR_SWEEP_DB)) {
      const m = await score(utts.map((u, i) => corruptSignal(u.samples, kind, level, all, sampleRateHz, seed * 100_003 + i)));
      out.push({ kind, level, ua: m.ua, wa: m.wa });
    }
  }
  return out;
}
