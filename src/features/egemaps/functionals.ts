/**
 * Functionals that summarise LLD contours into utterance-level statistics, plus the contour
 * helpers they need (3-frame smoothing, run detection, slopes, peaks).
 *
 * Missing LLD values (for example F0 in unvoiced frames) are represented as `NaN` in contours;
 * every functional ignores them. A functional over no values returns 0 (never `NaN`), so an
 * utterance without voiced frames yields zeros for the voiced-only features; the feature
 * `voicedFraction` tells such cases apart.
 */

/** A run of consecutive frames `[start, end)`. */
export interface Run {
  start: number;
  end: number;
}

/** Finite values of `v` where `mask` (when given) is non-zero, as a new array. */
export function finiteValues(v: ArrayLike<number>, mask?: ArrayLike<number>): Float64Array {
  let n = 0;
  for (let i = 0; i < v.length; i++) if (Number.isFinite(v[i]) && (!mask || mask[i])) n++;
  const out = new Float64Array(n);
  let j = 0;
  for (let i = 0; i < v.length; i++) if (Number.isFinite(v[i]) && (!mask || mask[i])) out[j++] = v[i];
  return out;
}

/** Arithmetic mean; 0 for no values. */
export function mean(v: ArrayLike<number>): number {
  if (v.length === 0) return 0;
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i];
  return s / v.length;
}

/** Population standard deviation; 0 for fewer than two values. */
export function stddev(v: ArrayLike<number>): number {
  if (v.length < 2) return 0;
  const m = mean(v);
  let s = 0;
  for (let i = 0; i < v.length; i++) s += (v[i] - m) * (v[i] - m);
  return Math.sqrt(s / v.length);
}

/** Coefficient of variation std/mean, for positive-valued LLDs; 0 when the mean is not positive. */
export function coefficientOfVariation(v: ArrayLike<number>): number {
  const m = mean(v);
  return m > Number.MIN_VALUE ? stddev(v) / m : 0;
}

/**
 * Percentile `p` (0–100) of values, linear interpolation between closest ranks (the
 * "type 7" definition of R / NumPy's default); 0 for no values.
 */
export function percentile(v: ArrayLike<number>, p: number): number {
  if (v.length === 0) return 0;
  const sorted = Float64Array.from(v).sort();
  const pos = (p / 100) * (sorted.length - 1);
  const lo = Math.floor(pos);
  const hi = Math.min(lo + 1, sorted.length - 1);
  return sorted[lo] + (pos - lo) * (sorted[hi] - sorted[lo]);
}

/** Runs of frames where `mask[i] === value` (default: non-zero runs). */
export function runs(mask: ArrayLike<number>, value: 0 | 1 = 1): Run[] {
  const out: Run[] = [];
  let start = -1;
  for (let i = 0; i <= mask.length; i++) {
    const on = i < mask.length && (mask[i] ? 1 : 0) === value;
    if (on && start < 0) start = i;
    else if (!on && start >= 0) {
      out.push({ start, end: i });
      start = -1;
    }
  }
  return out;
}

/** Runs of finite values of a contour. */
function finiteRuns(v: ArrayLike<number>): Run[] {
  const mask = new Uint8Array(v.length);
  for (let i = 0; i < v.length; i++) mask[i] = Number.isFinite(v[i]) ? 1 : 0;
  return runs(mask, 1);
}

/**
 * 3-frame symmetric moving average ("sma3"). Missing (`NaN`) frames stay missing and are not
 * used by their neighbours, so smoothing never crosses a voiced/unvoiced boundary ("sma3nz").
 */
export function sma3(v: Float32Array): Float32Array {
  const out = new Float32Array(v.length);
  for (let i = 0; i < v.length; i++) {
    if (!Number.isFinite(v[i])) {
      out[i] = NaN;
      continue;
    }
    let s = v[i];
    let n = 1;
    if (i > 0 && Number.isFinite(v[i - 1])) {
      s += v[i - 1];
      n++;
    }
    if (i + 1 < v.length && Number.isFinite(v[i + 1])) {
      s += v[i + 1];
      n++;
    }
    out[i] = s / n;
  }
  return out;
}

/** Slopes of the monotonic pieces of a contour, in contour units per second. */
export interface ContourSlopes {
  /** Slopes of rising pieces (local minimum → next local maximum), positive. */
  rising: number[];
  /** Magnitudes of falling pieces (local maximum → next local minimum), positive. */
  falling: number[];
}

/**
 * Splits each finite run of `v` at its turning points (local extrema; plateaus are skipped)
 * and returns the slope (Δvalue / Δtime) of every monotonic piece.
 *
 * @param v contour, `NaN` = missing (pieces never span missing frames)
 * @param frameStepS time between frames (s)
 */
export function contourSlopes(v: ArrayLike<number>, frameStepS: number): ContourSlopes {
  const rising: number[] = [];
  const falling: number[] = [];
  const close = (a: number, b: number): void => {
    if (b <= a) return;
    const slope = (v[b] - v[a]) / ((b - a) * frameStepS);
    if (slope > 0) rising.push(slope);
    else if (slope < 0) falling.push(-slope);
  };
  for (const { start, end } of finiteRuns(v)) {
    let a = start;
    let dir = 0;
    for (let i = start + 1; i < end; i++) {
      const d = v[i] - v[i - 1];
      const s = d > 0 ? 1 : d < 0 ? -1 : 0;
      if (s === 0) continue;
      if (dir === 0) dir = s;
      else if (s !== dir) {
        close(a, i - 1);
        a = i - 1;
        dir = s;
      }
    }
    close(a, end - 1);
  }
  return { rising, falling };
}

/**
 * Counts peaks of a contour with hysteresis ("peakdet"): a maximum counts when the contour has
 * risen at least `delta` above the preceding minimum and then falls at least `delta` below the
 * maximum; a rise of at least `delta` still unfinished when the contour ends counts as well.
 * Missing (`NaN`) frames are skipped.
 */
export function countPeaks(v: ArrayLike<number>, delta: number): number {
  if (!(delta > 0)) return 0;
  let peaks = 0;
  let mx = -Infinity;
  let mn = Infinity;
  let lookingForMax = false;
  for (let i = 0; i < v.length; i++) {
    const x = v[i];
    if (!Number.isFinite(x)) continue;
    if (x > mx) mx = x;
    if (x < mn) mn = x;
    if (lookingForMax) {
      if (x <= mx - delta) {
        peaks++;
        mn = x;
        lookingForMax = false;
      }
    } else if (x >= mn + delta) {
      mx = x;
      lookingForMax = true;
    }
  }
  return lookingForMax ? peaks + 1 : peaks;
}
