/**
 * Active speech level: the RMS of a signal over its active frames (those within
 * {@link ACTIVE_RANGE_DB} of the loudest frame), a simplified form of ITU-T P.56's active
 * level, and the signal scaled to a target active level. Used to make features independent of
 * the recording level (microphone gain, distance, a corpus' mastering) without any statistic
 * of other utterances.
 */

/** Frame length of the level measurement (s). */
const LEVEL_FRAME_S = 0.025;
/** Frames quieter than the loudest one by more than this (dB) are pauses and do not count. */
export const ACTIVE_RANGE_DB = 30;
/** Target active level of {@link normalizeActiveLevel} (dBFS, RMS re full scale 1.0; −26 dBFS is the usual P.56 speech level). */
export const TARGET_ACTIVE_LEVEL_DBFS = -26;
/** Signals whose active level is below this (dBFS) are digital silence: they are left as they are. */
const SILENT_DBFS = -100;

/**
 * The active level of `x` (mono, `sampleRateHz`) in dBFS: the RMS over the 25 ms frames whose
 * power is within {@link ACTIVE_RANGE_DB} of the loudest frame's; −Infinity for silence.
 */
export function activeLevelDbfs(x: Float32Array, sampleRateHz: number): number {
  const n = Math.max(1, Math.round(LEVEL_FRAME_S * sampleRateHz));
  const powers: number[] = [];
  for (let i = 0; i < x.length; i += n) {
    const end = Math.min(x.length, i + n);
    let s = 0;
    for (let j = i; j < end; j++) s += x[j] * x[j];
    powers.push(s / (end - i));
  }
  const loudest = Math.max(0, ...powers);
  if (loudest === 0) return Number.NEGATIVE_INFINITY;
  const floor = loudest * 10 ** (-ACTIVE_RANGE_DB / 10);
  const active = powers.filter((p) => p >= floor);
  return 10 * Math.log10(active.reduce((a, b) => a + b, 0) / active.length);
}

/**
 * `x` scaled so that its active level is `targetDbfs` (a new array; no clipping, so peaks may
 * exceed 1). Silence (below −100 dBFS) is returned unchanged.
 */
export function normalizeActiveLevel(x: Float32Array, sampleRateHz: number, targetDbfs = TARGET_ACTIVE_LEVEL_DBFS): Float32Array {
  const level = activeLevelDbfs(x, sampleRateHz);
  if (!(level > SILENT_DBFS)) return x.slice();
  const g = 10 ** ((targetDbfs - level) / 20);
  return x.map((v) => v * g);
}
