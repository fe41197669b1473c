/**
 * Regression deltas along time, as `torchaudio.functional.compute_deltas`:
 *
 *   d[t] = Σ_{k=1..N} k·(c[t+k] − c[t−k]) / (2·Σ_{k=1..N} k²),
 *
 * with win_length = 2N + 1 and replicate padding (c[t] for t < 0 is c[0], for t ≥ T is
 * c[T−1]). The recipe's `librosa.feature.delta(width=5, mode='nearest')` is the same N = 2
 * filter. Input and output are `[T, D]` {@link Features}; deltas run along T for each column.
 */
import { makeFeatures, type Features } from './types.js';

/** Default half-width N (frames): win_length 5, torchaudio's default. */
export const DEFAULT_DELTA_N = 2;

function checkFrames(m: Features, who: string): void {
  if (!m || !(m.data instanceof Float32Array) || !Number.isInteger(m.frames) || !Number.isInteger(m.dims)) {
    throw new TypeError(`${who}: expected Features { data: Float32Array, frames, dims }`);
  }
  if (m.frames < 0 || m.dims < 0 || m.data.length !== m.frames * m.dims) {
    throw new RangeError(`${who}: data length ${m.data.length} ≠ frames (${m.frames}) × dims (${m.dims})`);
  }
}

/**
 * Delta coefficients of `m` (`[T, D]` → `[T, D]`).
 * @param n - half-width N in frames (positive integer); window = 2N + 1 frames.
 * @throws RangeError for a bad N or malformed frames.
 */
export function deltas(m: Features, n: number = DEFAULT_DELTA_N): Features {
  checkFrames(m, 'deltas');
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`deltas: N must be a positive integer (frames), got ${n}`);
  const { frames: T, dims: D, data } = m;
  const out = makeFeatures(T, D);
  if (T === 0 || D === 0) return out;
  const denom = (n * (n + 1) * (2 * n + 1)) / 3;
  const acc = new Float64Array(D);
  const dst = out.data;
  for (let t = 0; t < T; t++) {
    acc.fill(0);
    for (let k = 1; k <= n; k++) {
      const ahead = (t + k < T ? t + k : T - 1) * D;
      const behind = Math.max(t - k, 0) * D;
      for (let d = 0; d < D; d++) acc[d] += k * (data[ahead + d] - data[behind + d]);
    }
    const row = t * D;
    for (let d = 0; d < D; d++) dst[row + d] = acc[d] / denom;
  }
  return out;
}

/**
 * `[T, D]` → `[T, 3D]`: each row is [c, Δc, ΔΔc] (ΔΔ = deltas of the deltas, as that recipe and
 * torchaudio's docs do).
 */
export function withDeltas(m: Features, n: number = DEFAULT_DELTA_N): Features {
  const d1 = deltas(m, n);
  const d2 = deltas(d1, n);
  const { frames: T, dims: D } = m;
  const out = makeFeatures(T, 3 * D);
  for (let t = 0; t < T; t++) {
    const o = t * 3 * D;
    out.data.set(m.data.subarray(t * D, (t + 1) * D), o);
    out.data.set(d1.data.subarray(t * D, (t + 1) * D), o + D);
    out.data.set(d2.data.subarray(t * D, (t + 1) * D), o + 2 * D);
  }
  return out;
}
