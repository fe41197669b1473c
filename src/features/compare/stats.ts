/**
 * Statistical functionals of `compare-ts` over one contour x_0 … x_{N−1} (frames 10 ms apart):
 * means, extremes, percentiles, moments, level/rise/curvature times, linear prediction and
 * polynomial regression. Each writes its outputs into a caller's array, so that the 6373 values
 * are computed without per-functional allocations. A functional over no values (N = 0) is 0.
 */
import { levinsonDurbin } from '../egemaps/formants.js';
import { MOMENT_RELATIVE_EPSILON, RATIO_EXCESS_LIMIT, RATIO_LINEAR_LIMIT } from './constants.js';

/** A contour prepared for the functionals: its values, sorted copy and basic statistics. */
export interface Summary {
  /** Values in time order (first `n` entries used). */
  v: Float64Array;
  n: number;
  /** The values sorted ascending (first `n` entries). */
  sorted: Float64Array;
  min: number;
  max: number;
  mean: number;
  /** Time between consecutive values (s). */
  stepS: number;
}

/**
 * Prepares `values[0 … n)` (copied into the summary's own buffers, which are reused when large
 * enough).
 * @param stepS time between consecutive values (s)
 */
export function summarize(values: ArrayLike<number>, n: number, stepS: number, reuse?: Summary): Summary {
  const s: Summary =
    reuse && reuse.v.length >= n
      ? reuse
      : { v: new Float64Array(Math.max(n, 1)), sorted: new Float64Array(Math.max(n, 1)), n: 0, min: 0, max: 0, mean: 0, stepS };
  s.n = n;
  s.stepS = stepS;
  let sum = 0;
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < n; i++) {
    const x = values[i];
    s.v[i] = x;
    sum += x;
    if (x < lo) lo = x;
    if (x > hi) hi = x;
  }
  s.sorted.set(s.v.subarray(0, n));
  s.sorted.subarray(0, n).sort();
  s.min = n > 0 ? lo : 0;
  s.max = n > 0 ? hi : 0;
  s.mean = n > 0 ? sum / n : 0;
  return s;
}

/**
 * Soft limit of a ratio: linear within ±{@link RATIO_LINEAR_LIMIT}, then saturating smoothly
 * (tanh, slope 1 at the knee) towards ±({@link RATIO_LINEAR_LIMIT} + {@link RATIO_EXCESS_LIMIT});
 * ±∞ maps to the bound, NaN to 0.
 */
function softLimit(x: number): number {
  if (Number.isNaN(x)) return 0;
  const a = Math.abs(x);
  if (a <= RATIO_LINEAR_LIMIT) return x;
  return Math.sign(x) * (RATIO_LINEAR_LIMIT + RATIO_EXCESS_LIMIT * Math.tanh((a - RATIO_LINEAR_LIMIT) / RATIO_EXCESS_LIMIT));
}

/** a / b soft-limited ({@link softLimit}); 0/0 = 0. */
export function limitedRatio(a: number, b: number): number {
  if (b === 0) return a === 0 ? 0 : softLimit(a > 0 ? Number.POSITIVE_INFINITY : Number.NEGATIVE_INFINITY);
  return softLimit(a / b);
}

/** Arithmetic mean (`amean`). */
export function amean(s: Summary): number {
  return s.mean;
}

/**
 * Contour flatness: geometric mean of |x| over the non-zero values divided by the arithmetic
 * mean of |x| (≤ 1; 1 for a constant contour); 0 when every value is 0.
 */
export function flatness(s: Summary): number {
  let logSum = 0;
  let nz = 0;
  let abs = 0;
  for (let i = 0; i < s.n; i++) {
    const a = Math.abs(s.v[i]);
    abs += a;
    if (a > 0) {
      logSum += Math.log(a);
      nz++;
    }
  }
  if (!(abs > 0)) return 0;
  return Math.exp(logSum / nz) / (abs / s.n);
}

/** Mean of the positive values (`posamean`; 0 when there are none). */
export function posamean(s: Summary): number {
  let sum = 0;
  let k = 0;
  for (let i = 0; i < s.n; i++) {
    if (s.v[i] > 0) {
      sum += s.v[i];
      k++;
    }
  }
  return k > 0 ? sum / k : 0;
}

/** Root of the quadratic mean √(mean x²) (`rqmean`). */
export function rqmean(s: Summary): number {
  let q = 0;
  for (let i = 0; i < s.n; i++) q += s.v[i] * s.v[i];
  return s.n > 0 ? Math.sqrt(q / s.n) : 0;
}

/**
 * `range` = max − min, `maxPos` / `minPos` = index of the first maximum / minimum divided by N
 * (0 … 1, relative to the contour length).
 */
export function extremes(s: Summary, out: Float64Array, o: number): void {
  let iMax = 0;
  let iMin = 0;
  for (let i = 1; i < s.n; i++) {
    if (s.v[i] > s.v[iMax]) iMax = i;
    if (s.v[i] < s.v[iMin]) iMin = i;
  }
  out[o] = s.max - s.min;
  out[o + 1] = s.n > 0 ? iMax / s.n : 0;
  out[o + 2] = s.n > 0 ? iMin / s.n : 0;
}

/**
 * Percentile p (0–1) of the sorted values, linear interpolation between closest ranks (position
 * p·(N − 1), R's "type 7"); 0 for no values.
 */
function percentileSorted(sorted: ArrayLike<number>, n: number, p: number): number {
  if (n === 0) return 0;
  const pos = p * (n - 1);
  const lo = Math.floor(pos);
  const hi = Math.min(lo + 1, n - 1);
  return sorted[lo] + (pos - lo) * (sorted[hi] - sorted[lo]);
}

/**
 * Quartiles 1–3, inter-quartile ranges 1–2, 2–3, 1–3, the percentiles `ps` and the range
 * |p_last − p_first| between the first two of them.
 */
export function percentiles(s: Summary, ps: readonly number[], out: Float64Array, o: number): void {
  const q1 = percentileSorted(s.sorted, s.n, 0.25);
  const q2 = percentileSorted(s.sorted, s.n, 0.5);
  const q3 = percentileSorted(s.sorted, s.n, 0.75);
  out[o] = q1;
  out[o + 1] = q2;
  out[o + 2] = q3;
  out[o + 3] = q2 - q1;
  out[o + 4] = q3 - q2;
  out[o + 5] = q3 - q1;
  for (let i = 0; i < ps.length; i++) out[o + 6 + i] = percentileSorted(s.sorted, s.n, ps[i]);
  out[o + 6 + ps.length] = Math.abs(out[o + 7] - out[o + 6]);
}

/**
 * Population standard deviation, skewness m₃/σ³ and kurtosis m₄/σ⁴ (not excess: 3 for a normal
 * distribution); skewness and kurtosis are 0 for a constant contour.
 */
export function moments(s: Summary, out: Float64Array, o: number): void {
  let m2 = 0;
  let m3 = 0;
  let m4 = 0;
  for (let i = 0; i < s.n; i++) {
    const d = s.v[i] - s.mean;
    const d2 = d * d;
    m2 += d2;
    m3 += d2 * d;
    m4 += d2 * d2;
  }
  const n = Math.max(1, s.n);
  m2 /= n;
  m3 /= n;
  m4 /= n;
  const scale = Math.max(Math.abs(s.min), Math.abs(s.max));
  const flat = !(m2 > (MOMENT_RELATIVE_EPSILON * scale) ** 2);
  out[o] = flat ? 0 : Math.sqrt(m2);
  out[o + 1] = flat ? 0 : m3 / m2 ** 1.5;
  out[o + 2] = flat ? 0 : m4 / (m2 * m2);
}

/**
 * Up-level times (fraction of values above min + X·range for each X of `levels`), rise time
 * (fraction of the N − 1 steps where the contour increases) and left-curvature time (fraction of
 * the N − 2 inner points with a positive second difference).
 */
export function times(s: Summary, levels: readonly number[], out: Float64Array, o: number): void {
  const range = s.max - s.min;
  for (let j = 0; j < levels.length; j++) {
    const th = s.min + levels[j] * range;
    let above = 0;
    for (let i = 0; i < s.n; i++) if (s.v[i] > th) above++;
    out[o + j] = s.n > 0 ? above / s.n : 0;
  }
  let rise = 0;
  for (let i = 1; i < s.n; i++) if (s.v[i] > s.v[i - 1]) rise++;
  let left = 0;
  for (let i = 1; i + 1 < s.n; i++) if (s.v[i + 1] - s.v[i] > s.v[i] - s.v[i - 1]) left++;
  out[o + levels.length] = s.n > 1 ? rise / (s.n - 1) : 0;
  out[o + levels.length + 1] = s.n > 2 ? left / (s.n - 2) : 0;
}

/**
 * Linear prediction of the contour values themselves (autocorrelation method, Levinson–Durbin):
 * `lpgain` = final prediction error / N, then the coefficients a₁ … a_order of the inverse
 * filter A(z) = 1 + Σ a_k z^{−k}. All 0 when the contour is all zeros.
 */
export function contourLpc(s: Summary, order: number, out: Float64Array, o: number): void {
  for (let k = 0; k <= order; k++) out[o + k] = 0;
  if (s.n === 0) return;
  const r = new Float64Array(order + 1);
  for (let k = 0; k <= order; k++) {
    let acc = 0;
    for (let i = k; i < s.n; i++) acc += s.v[i] * s.v[i - k];
    r[k] = acc;
  }
  const lpc = levinsonDurbin(r, order);
  if (lpc === null) return;
  const gain = Math.max(0, lpc.error) / s.n;
  out[o] = Number.isFinite(gain) ? gain : 0;
  for (let k = 1; k <= order; k++) out[o + k] = Number.isFinite(lpc.a[k]) ? lpc.a[k] : 0;
}

/**
 * Linear and quadratic least-squares regression against time t_i = i·stepS (s):
 * x ≈ m·t + b and x ≈ a·t² + β·t + c. Writes `linregc1` = m (unit/s), `linregc2` = b (value at
 * the first frame), `linregerrQ` = mean squared residual, `qregc1` = a (unit/s²), `qregc2` = β
 * (unit/s), `qregc3` = c, `qregerrQ` = mean squared residual, and `centroid` = Σ i·|x_i| /
 * (N·Σ |x_i|), the temporal centroid of |x| relative to the contour length (0 … 1).
 */
export function regression(s: Summary, out: Float64Array, o: number): void {
  const { v, n } = s;
  for (let k = 0; k < 8; k++) out[o + k] = 0;
  if (n === 0) return;
  let absSum = 0;
  let absMoment = 0;
  for (let i = 0; i < n; i++) {
    const a = Math.abs(v[i]);
    absSum += a;
    absMoment += i * a;
  }
  out[o + 7] = absSum > 0 ? absMoment / absSum / n : 0;
  if (n === 1) {
    out[o + 1] = v[0];
    out[o + 5] = v[0];
    return;
  }
  // Regress on u = i/(N − 1) ∈ [0, 1] (well conditioned), then rescale to seconds.
  const len = (n - 1) * s.stepS;
  let su = 0;
  let su2 = 0;
  let su3 = 0;
  let su4 = 0;
  let sy = 0;
  let suy = 0;
  let su2y = 0;
  for (let i = 0; i < n; i++) {
    const u = i / (n - 1);
    const u2 = u * u;
    su += u;
    su2 += u2;
    su3 += u2 * u;
    su4 += u2 * u2;
    sy += v[i];
    suy += u * v[i];
    su2y += u2 * v[i];
  }
  const den = n * su2 - su * su;
  const m = (n * suy - su * sy) / den;
  const b = (sy - m * su) / n;
  // Quadratic: solve the 3×3 normal equations [su4 su3 su2; su3 su2 su; su2 su n]·[a β c] = [su2y suy sy].
  let qa = 0;
  let qb = m;
  let qc = b;
  if (n >= 3) {
    const det = su4 * (su2 * n - su * su) - su3 * (su3 * n - su * su2) + su2 * (su3 * su - su2 * su2);
    if (det !== 0) {
      qa = (su2y * (su2 * n - su * su) - su3 * (suy * n - su * sy) + su2 * (suy * su - su2 * sy)) / det;
      qb = (su4 * (suy * n - su * sy) - su2y * (su3 * n - su * su2) + su2 * (su3 * sy - suy * su2)) / det;
      qc = (su4 * (su2 * sy - su * suy) - su3 * (su3 * sy - su2 * suy) + su2y * (su3 * su - su2 * su2)) / det;
    }
  }
  let eLin = 0;
  let eQuad = 0;
  for (let i = 0; i < n; i++) {
    const u = i / (n - 1);
    const dl = v[i] - (m * u + b);
    const dq = v[i] - ((qa * u + qb) * u + qc);
    eLin += dl * dl;
    eQuad += dq * dq;
  }
  out[o] = m / len;
  out[o + 1] = b;
  out[o + 2] = eLin / n;
  out[o + 3] = qa / (len * len);
  out[o + 4] = qb / len;
  out[o + 5] = qc;
  out[o + 6] = eQuad / n;
}
