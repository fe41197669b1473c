/**
 * Jitter and shimmer per frame from measured glottal periods (see `periods.ts`).
 *
 * For each voiced frame, the periods whose midpoint lies inside the frame's 60 ms pitch window
 * are used; following Praat's definitions,
 * - jitter (local) = mean |P_{i+1} − P_i| / mean P_i over pairs of consecutive periods (of one
 *   chain) whose length ratio is at most {@link MAX_PERIOD_FACTOR}; a dimensionless fraction
 *   (0.01 = 1 %);
 * - shimmer (local, dB) = mean |20·log10(A_{i+1}/A_i)| over pairs of consecutive periods whose
 *   peak-amplitude ratio is at most {@link MAX_AMPLITUDE_FACTOR}.
 * Periods outside [1/{@link F0_MAX_HZ}, 1/{@link F0_MIN_HZ}] are ignored. Features without a valid
 * pair get `NaN` (missing; excluded from the functionals).
 */
import { F0_MAX_HZ, F0_MIN_HZ, MAX_AMPLITUDE_FACTOR, MAX_PERIOD_FACTOR } from './constants.js';
import type { Periods } from './periods.js';

/** Per-frame jitter and shimmer contours. */
export interface JitterShimmer {
  /** Local jitter (fraction, 0.01 = 1 %); `NaN` when missing. */
  jitterLocal: Float32Array;
  /** Local shimmer (dB); `NaN` when missing. */
  shimmerLocalDb: Float32Array;
}

/**
 * Jitter and shimmer per voiced frame.
 *
 * @param periods output of `measurePeriods`
 * @param voiced per-frame voicing
 * @param hopSamples frame hop (samples); frame t is centred on sample t·hop
 * @param windowSamples analysis window (samples) centred on each frame
 * @param sampleRateHz sample rate (Hz)
 */
export function jitterShimmer(
  periods: Periods,
  voiced: Uint8Array,
  hopSamples: number,
  windowSamples: number,
  sampleRateHz: number,
): JitterShimmer {
  const frames = voiced.length;
  const jitterLocal = new Float32Array(frames).fill(NaN);
  const shimmerLocalDb = new Float32Array(frames).fill(NaN);
  const { start, length, amplitude, chain } = periods;
  const m = start.length;
  const minPeriod = sampleRateHz / F0_MAX_HZ;
  const maxPeriod = sampleRateHz / F0_MIN_HZ;
  const valid = new Uint8Array(m);
  const mid = new Float64Array(m);
  for (let i = 0; i < m; i++) {
    valid[i] = length[i] >= minPeriod && length[i] <= maxPeriod ? 1 : 0;
    mid[i] = start[i] + length[i] / 2;
  }
  const half = windowSamples / 2;
  let first = 0;
  for (let t = 0; t < frames; t++) {
    if (!voiced[t]) continue;
    const lo = t * hopSamples - half;
    const hi = t * hopSamples + half;
    while (first < m && mid[first] < lo) first++;
    let diffSum = 0;
    let periodSum = 0;
    let pairs = 0;
    let dbSum = 0;
    let ampPairs = 0;
    for (let i = first; i + 1 < m && mid[i + 1] < hi; i++) {
      if (chain[i] !== chain[i + 1] || !valid[i] || !valid[i + 1]) continue;
      const p = length[i];
      const q = length[i + 1];
      if (Math.max(p, q) / Math.min(p, q) <= MAX_PERIOD_FACTOR) {
        diffSum += Math.abs(q - p);
        periodSum += p + q;
        pairs++;
      }
      const a = amplitude[i];
      const b = amplitude[i + 1];
      if (a > 0 && b > 0 && Math.max(a, b) / Math.min(a, b) <= MAX_AMPLITUDE_FACTOR) {
        dbSum += Math.abs(20 * Math.log10(b / a));
        ampPairs++;
      }
    }
    if (pairs > 0) jitterLocal[t] = diffSum / pairs / (periodSum / (2 * pairs));
    if (ampPairs > 0) shimmerLocalDb[t] = dbSum / ampPairs;
  }
  return { jitterLocal, shimmerLocalDb };
}
