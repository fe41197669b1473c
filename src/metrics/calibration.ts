/**
 * Calibration of class posteriors, as defined in docs/metrics.md: the expected calibration error
 * over equal-width confidence bins with its reliability table (Guo et al. 2017), temperature
 * scaling of posteriors, the mean negative log-likelihood, and the temperature that minimizes it
 * on held-out predictions. Pure (no Node built-ins): the runtime and the web app use it too.
 */
import { argmax } from '../core/pure.js';

/** Confidence bins of the expected calibration error (Guo et al. 2017 use 15). */
export const DEFAULT_CALIBRATION_BINS = 15;
/**
 * Probabilities below this are taken as this in the log-likelihood, so a true class predicted
 * with probability 0 costs −ln(1e-12) ≈ 27.6 nats instead of infinity.
 */
export const PROBABILITY_FLOOR = 1e-12;
/** The range searched for the temperature: T ∈ [0.05, 20] (fitted values at an end mean "as far as allowed"). */
export const TEMPERATURE_RANGE = { min: 0.05, max: 20 } as const;
/** Golden-section steps on ln T: the bracket (ln 400 ≈ 6) shrinks by 0.618 per step, to < 1e-12 after 64. */
const GOLDEN_SECTION_STEPS = 64;
/** A posterior row must sum to 1 within this (float32 softmax outputs sum to 1 within ~1e-6). */
const SUM_TOLERANCE = 1e-3;
/** 1/φ, the golden-section ratio. */
const INV_PHI = (Math.sqrt(5) - 1) / 2;

/** One confidence bin of a reliability diagram: (lower, upper], its predictions, their accuracy and mean confidence. */
export interface ReliabilityBin {
  lower: number;
  upper: number;
  count: number;
  /** Share of the bin's predictions whose top class is the true class; null for an empty bin. */
  accuracy: number | null;
  /** Mean top-class probability of the bin's predictions; null for an empty bin. */
  confidence: number | null;
}

/** The expected calibration error of a set of predictions and the reliability table it is computed from. */
export interface CalibrationError {
  /** Σ_b (|B_b| / n) · |acc(B_b) − conf(B_b)|, in [0, 1]. */
  ece: number;
  n: number;
  bins: ReliabilityBin[];
}

/**
 * Checks posteriors (and, when given, their labels: then every row must also sum to 1); returns
 * the number of classes. `what` names the caller in errors.
 */
function checkPredictions(what: string, probs: readonly (readonly number[])[], truth?: readonly number[]): number {
  if (probs.length === 0) throw new Error(`${what}: no predictions`);
  if (truth !== undefined && truth.length !== probs.length)
    throw new Error(`${what}: ${probs.length} probability rows but ${truth.length} labels`);
  const k = probs[0].length;
  if (k < 2) throw new Error(`${what}: posteriors need at least 2 classes, got ${k}`);
  probs.forEach((row, i) => {
    if (row.length !== k) throw new Error(`${what}: row ${i} has ${row.length} probabilities, row 0 has ${k}`);
    let sum = 0;
    for (const p of row) {
      if (!(Number.isFinite(p) && p >= 0)) throw new Error(`${what}: row ${i} holds ${p}, not a probability`);
      sum += p;
    }
    if (truth !== undefined && Math.abs(sum - 1) > SUM_TOLERANCE) throw new Error(`${what}: row ${i} sums to ${sum}, not 1`);
    if (!(sum > 0)) throw new Error(`${what}: row ${i} is all zeros`);
    if (truth !== undefined) {
      const t = truth[i];
      if (!(Number.isInteger(t) && t >= 0 && t < k)) throw new Error(`${what}: label ${t} of row ${i} is not a class index 0..${k - 1}`);
    }
  });
  return k;
}

function checkTemperature(what: string, t: number): void {
  if (!(Number.isFinite(t) && t > 0)) throw new Error(`${what}: the temperature must be a finite number > 0, got ${t}`);
}

/**
 * The bin of confidence `c` among `m` bins (lower, upper] with edges b/m; 0 falls in the first bin.
 * Edges are compared as computed (b / m), so a confidence equal to an edge goes to the bin below it.
 */
function binOf(c: number, m: number): number {
  let b = Math.min(m - 1, Math.max(0, Math.ceil(c * m) - 1));
  while (b > 0 && c <= b / m) b--;
  while (b < m - 1 && c > (b + 1) / m) b++;
  return b;
}

/**
 * Expected calibration error of posteriors `probs` [n][K] against class indices `truth` [n]:
 * predictions go into `bins` equal-width bins (lower, upper] of their top-class probability; ECE
 * is the count-weighted mean of |accuracy − mean confidence| over the bins (Guo et al. 2017).
 * The top class is the first most probable one.
 * @throws Error on empty input, fewer than 2 classes, rows of unequal length or not summing to 1,
 *   labels outside 0..K−1, lengths that differ, or a bin count that is not a positive integer.
 */
export function expectedCalibrationError(
  probs: readonly (readonly number[])[],
  truth: readonly number[],
  bins = DEFAULT_CALIBRATION_BINS,
): CalibrationError {
  if (!(Number.isInteger(bins) && bins >= 1)) throw new Error(`expectedCalibrationError: bins must be an integer ≥ 1, got ${bins}`);
  checkPredictions('expectedCalibrationError', probs, truth);
  const count = new Array<number>(bins).fill(0);
  const correct = new Array<number>(bins).fill(0);
  const confSum = new Array<number>(bins).fill(0);
  probs.forEach((row, i) => {
    const top = argmax(row);
    const b = binOf(row[top], bins);
    count[b]++;
    confSum[b] += row[top];
    if (top === truth[i]) correct[b]++;
  });
  const n = probs.length;
  let ece = 0;
  const table: ReliabilityBin[] = count.map((c, b) => {
    const accuracy = c === 0 ? null : correct[b] / c;
    const confidence = c === 0 ? null : confSum[b] / c;
    if (c > 0) ece += (c / n) * Math.abs(accuracy! - confidence!);
    return { lower: b / bins, upper: (b + 1) / bins, count: c, accuracy, confidence };
  });
  return { ece, n, bins: table };
}

/**
 * One posterior row scaled by temperature `t`: normalize(p^(1/t)), computed in the log domain.
 * Equal to softmax(z / t) when p = softmax(z); for posteriors that are not a single softmax (a
 * segment model's mean over segments, a window mean) it is temperature scaling of the
 * log-posteriors, softmax(ln p / t). A zero probability stays zero; t = 1 returns the row unchanged.
 */
export function temperatureScaleRow(p: readonly number[], t: number): number[] {
  if (t === 1) return [...p];
  const logs = p.map((v) => (v > 0 ? Math.log(v) / t : Number.NEGATIVE_INFINITY));
  const top = Math.max(...logs);
  const e = logs.map((l) => (l === Number.NEGATIVE_INFINITY ? 0 : Math.exp(l - top)));
  const sum = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / sum);
}

/**
 * Posteriors [n][K] scaled by temperature `t` (see {@link temperatureScaleRow}): t > 1 softens
 * them (less confident), t < 1 sharpens them; the most probable class never changes.
 * @throws Error on empty input, fewer than 2 classes, rows that are not probabilities, or t ≤ 0.
 */
export function temperatureScale(probs: readonly (readonly number[])[], t: number): number[][] {
  checkTemperature('temperatureScale', t);
  checkPredictions('temperatureScale', probs);
  return probs.map((p) => temperatureScaleRow(p, t));
}

/** Mean −ln q_y over the rows, q = the rows at temperature t, with q floored at {@link PROBABILITY_FLOOR}. */
function meanNll(probs: readonly (readonly number[])[], truth: readonly number[], t: number): number {
  let s = 0;
  probs.forEach((p, i) => {
    s -= Math.log(Math.max(PROBABILITY_FLOOR, temperatureScaleRow(p, t)[truth[i]]));
  });
  return s / probs.length;
}

/**
 * Mean negative log-likelihood (nats) of the true classes under posteriors `probs` scaled by
 * temperature `t` (default 1: as given); probabilities are floored at {@link PROBABILITY_FLOOR}.
 * @throws Error as {@link expectedCalibrationError} does, and for t ≤ 0.
 */
export function negativeLogLikelihood(probs: readonly (readonly number[])[], truth: readonly number[], t = 1): number {
  checkTemperature('negativeLogLikelihood', t);
  checkPredictions('negativeLogLikelihood', probs, truth);
  return meanNll(probs, truth, t);
}

/**
 * The temperature T that minimizes the mean negative log-likelihood of `truth` under
 * temperatureScale(probs, T): golden-section search on ln T over {@link TEMPERATURE_RANGE}
 * (a fixed number of steps, so the result is deterministic). The NLL is convex in 1/T, hence
 * unimodal in ln T, and the search finds its minimum within the range. T > 1 means the
 * posteriors were over-confident, T < 1 under-confident.
 * @throws Error as {@link expectedCalibrationError} does.
 */
export function fitTemperature(probs: readonly (readonly number[])[], truth: readonly number[]): number {
  checkPredictions('fitTemperature', probs, truth);
  const f = (u: number) => meanNll(probs, truth, Math.exp(u));
  let a = Math.log(TEMPERATURE_RANGE.min);
  let b = Math.log(TEMPERATURE_RANGE.max);
  let c = b - INV_PHI * (b - a);
  let d = a + INV_PHI * (b - a);
  let fc = f(c);
  let fd = f(d);
  for (let i = 0; i < GOLDEN_SECTION_STEPS; i++) {
    if (fc <= fd) {
      b = d;
      d = c;
      fd = fc;
      c = b - INV_PHI * (b - a);
      fc = f(c);
    } else {
      a = c;
      c = d;
      fc = fd;
      d = a + INV_PHI * (b - a);
      fd = f(d);
    }
  }
  return Math.exp((a + b) / 2);
}

/**
 * Checks a confidence threshold (a probability in [0, 1]; 0 = off) and returns it; `field` names
 * it in the error (a flag, an option, a query parameter).
 */
export function checkMinConfidence(value: number, field: string): number {
  if (!(typeof value === 'number' && Number.isFinite(value) && value >= 0 && value <= 1))
    throw new Error(`${field}: expected a probability between 0 and 1, got ${value}`);
  return value;
}

/** Whether the top probability of `probs` reaches `minConfidence` (always, when it is 0). */
export function isConfident(probs: readonly number[], minConfidence: number): boolean {
  return minConfidence <= 0 || Math.max(...probs) >= minConfidence;
}

/** Label of a prediction whose top calibrated probability is below the user's threshold (its probabilities are still given). */
export const UNKNOWN_LABEL = 'unknown';

/**
 * The label of posteriors `probs` (in `classes` order): the most probable class, or
 * {@link UNKNOWN_LABEL} when its probability is below `minConfidence` (0: never).
 */
export function confidentLabel(classes: readonly string[], probs: readonly number[], minConfidence = 0): string {
  return isConfident(probs, minConfidence) ? classes[argmax(probs)] : UNKNOWN_LABEL;
}
