/**
 * Event functionals of `compare-ts`: threshold segments, voiced segments and peaks of a contour
 * (x_0 … x_{N−1}, frames `stepS` seconds apart). Lengths and distances are in seconds.
 */
import {
  PEAK_RELATIVE_THRESHOLD,
  SEGMENT_AVERAGE_FRAMES,
  SEGMENT_MAX_COUNT,
  SEGMENT_MIN_FRAMES,
  SEGMENT_THRESHOLDS,
  VOICED_PAUSE_MIN_FRAMES,
  VOICED_SEGMENT_MIN_FRAMES,
} from './constants.js';
import { limitedRatio, type Summary } from './stats.js';

/** Mean, maximum, minimum and population standard deviation of segment lengths (frames) × stepS. */
function lengthStats(lengths: number[], stepS: number, out: Float64Array, o: number): void {
  out[o] = out[o + 1] = out[o + 2] = out[o + 3] = 0;
  if (lengths.length === 0) return;
  let sum = 0;
  let max = 0;
  let min = Number.POSITIVE_INFINITY;
  for (const l of lengths) {
    sum += l;
    max = Math.max(max, l);
    min = Math.min(min, l);
  }
  const mean = sum / lengths.length;
  let v = 0;
  for (const l of lengths) v += (l - mean) * (l - mean);
  out[o] = mean * stepS;
  out[o + 1] = max * stepS;
  out[o + 2] = min * stepS;
  out[o + 3] = Math.sqrt(v / lengths.length) * stepS;
}

/**
 * Threshold segments: a boundary is placed where the causal running average of the contour over
 * {@link SEGMENT_AVERAGE_FRAMES} frames crosses one of the levels min + X·range
 * (X ∈ {@link SEGMENT_THRESHOLDS}), at least max({@link SEGMENT_MIN_FRAMES}, ⌊N /
 * {@link SEGMENT_MAX_COUNT}⌋ − 1) + 1 frames after the previous boundary (frame 0 counts as one).
 * Segments are the spans between consecutive boundaries (the unfinished span after the last
 * boundary is not one). Writes `meanSegLen`, `maxSegLen`, `minSegLen`, `segLenStddev` (s).
 */
export function thresholdSegments(s: Summary, out: Float64Array, o: number): void {
  const { v, n } = s;
  const range = s.max - s.min;
  const lengths: number[] = [];
  if (range > 0 && n > 1) {
    const minGap = Math.max(SEGMENT_MIN_FRAMES, Math.floor(n / SEGMENT_MAX_COUNT) - 1);
    let sum = 0;
    let prev = v[0];
    let last = 0;
    for (let i = 0; i < n; i++) {
      sum += v[i];
      if (i >= SEGMENT_AVERAGE_FRAMES) sum -= v[i - SEGMENT_AVERAGE_FRAMES];
      const ra = sum / Math.min(i + 1, SEGMENT_AVERAGE_FRAMES);
      let cross = false;
      for (const x of SEGMENT_THRESHOLDS) {
        const th = s.min + x * range;
        if ((ra > th && prev <= th) || (ra < th && prev >= th)) cross = true;
      }
      prev = ra;
      if (cross && i - last > minGap) {
        lengths.push(i - last);
        last = i;
      }
    }
  }
  lengthStats(lengths, s.stepS, out, o);
}

/**
 * Voiced segments of a voicing mask: runs of voiced frames, where unvoiced gaps shorter than
 * {@link VOICED_PAUSE_MIN_FRAMES} frames do not end a run, of at least
 * {@link VOICED_SEGMENT_MIN_FRAMES} frames. Writes `nnz` (fraction of voiced frames), then
 * `meanSegLen`, `maxSegLen`, `minSegLen`, `segLenStddev` (s).
 */
export function voicedSegments(voiced: ArrayLike<number>, stepS: number, out: Float64Array, o: number): void {
  const n = voiced.length;
  let count = 0;
  for (let i = 0; i < n; i++) if (voiced[i]) count++;
  out[o] = n > 0 ? count / n : 0;
  const lengths: number[] = [];
  let start = -1;
  let lastVoiced = -1;
  const close = () => {
    if (start >= 0 && lastVoiced - start + 1 >= VOICED_SEGMENT_MIN_FRAMES) lengths.push(lastVoiced - start + 1);
    start = -1;
  };
  for (let i = 0; i < n; i++) {
    if (!voiced[i]) continue;
    if (start >= 0 && i - lastVoiced - 1 >= VOICED_PAUSE_MIN_FRAMES) close();
    if (start < 0) start = i;
    lastVoiced = i;
  }
  close();
  lengthStats(lengths, stepS, out, o + 1);
}

/** Peaks and valleys of a contour: alternating local maxima / minima (positions, values). */
interface Extrema {
  pos: number[];
  val: number[];
  /** 1 for a peak, 0 for a valley. */
  isPeak: number[];
}

/**
 * Hysteresis peak picking with δ = {@link PEAK_RELATIVE_THRESHOLD}·range: a maximum is a peak
 * once the contour has fallen δ below it, a minimum a valley once it has risen δ above it;
 * peaks and valleys alternate, and the first and last frames are never extrema.
 */
function extremaOf(v: Float64Array, n: number, delta: number): Extrema {
  const e: Extrema = { pos: [], val: [], isPeak: [] };
  if (!(delta > 0) || n < 3) return e;
  let mx = v[0];
  let mxPos = 0;
  let mn = v[0];
  let mnPos = 0;
  let mode = 0; // 0: undecided, 1: looking for a peak, −1: looking for a valley
  for (let i = 1; i < n; i++) {
    const x = v[i];
    if (x > mx) {
      mx = x;
      mxPos = i;
    }
    if (x < mn) {
      mn = x;
      mnPos = i;
    }
    if (mode >= 0 && x <= mx - delta) {
      if (mxPos > 0) {
        e.pos.push(mxPos);
        e.val.push(mx);
        e.isPeak.push(1);
      }
      mn = x;
      mnPos = i;
      mode = -1;
    } else if (mode <= 0 && x >= mn + delta) {
      if (mnPos > 0) {
        e.pos.push(mnPos);
        e.val.push(mn);
        e.isPeak.push(0);
      }
      mx = x;
      mxPos = i;
      mode = 1;
    }
  }
  return e;
}

/** Mean and population standard deviation of a list (0, 0 when empty). */
function meanStd(x: number[]): [number, number] {
  if (x.length === 0) return [0, 0];
  let s = 0;
  for (const v of x) s += v;
  const m = s / x.length;
  let q = 0;
  for (const v of x) q += (v - m) * (v - m);
  return [m, Math.sqrt(q / x.length)];
}

/**
 * Peak statistics, written in this order: `meanPeakDist`, `peakDistStddev` (s, between
 * consecutive peaks), `peakRangeAbs` (max − min peak value), `peakRangeRel` (that over the
 * contour range, 0 … 1), `peakMeanAbs`, `peakMeanMeanDist` (mean peak − contour mean),
 * `peakMeanRel` (mean peak / contour mean, soft-limited), `minRangeRel` (valley range over the
 * contour range), `meanRisingSlope`, `stddevRisingSlope`, `meanFallingSlope`,
 * `stddevFallingSlope` (units/s; the slopes of the straight lines joining the first frame, the
 * alternating extrema and the last frame; falling slopes as magnitudes).
 */
export function peaks(s: Summary, out: Float64Array, o: number): void {
  for (let k = 0; k < 12; k++) out[o + k] = 0;
  const { v, n, stepS } = s;
  if (n < 2) return;
  const range = s.max - s.min;
  const e = extremaOf(v, n, PEAK_RELATIVE_THRESHOLD * range);
  const peakVals: number[] = [];
  const peakPos: number[] = [];
  const valleyVals: number[] = [];
  for (let i = 0; i < e.pos.length; i++) {
    if (e.isPeak[i]) {
      peakVals.push(e.val[i]);
      peakPos.push(e.pos[i]);
    } else valleyVals.push(e.val[i]);
  }
  const dists: number[] = [];
  for (let i = 1; i < peakPos.length; i++) dists.push((peakPos[i] - peakPos[i - 1]) * stepS);
  [out[o], out[o + 1]] = meanStd(dists);
  if (peakVals.length > 0) {
    const pMax = Math.max(...peakVals);
    const pMin = Math.min(...peakVals);
    const [pMean] = meanStd(peakVals);
    out[o + 2] = pMax - pMin;
    out[o + 3] = range > 0 ? Math.min(1, (pMax - pMin) / range) : 0;
    out[o + 4] = pMean;
    out[o + 5] = pMean - s.mean;
    out[o + 6] = limitedRatio(pMean, s.mean);
  }
  if (valleyVals.length > 0 && range > 0) out[o + 7] = Math.min(1, (Math.max(...valleyVals) - Math.min(...valleyVals)) / range);
  // Slopes between the first frame, the extrema and the last frame.
  const rising: number[] = [];
  const falling: number[] = [];
  let p = 0;
  const step = (q: number) => {
    if (q <= p) return;
    const slope = (v[q] - v[p]) / ((q - p) * stepS);
    if (slope > 0) rising.push(slope);
    else if (slope < 0) falling.push(-slope);
    p = q;
  };
  for (const q of e.pos) step(q);
  step(n - 1);
  [out[o + 8], out[o + 9]] = meanStd(rising);
  [out[o + 10], out[o + 11]] = meanStd(falling);
}
