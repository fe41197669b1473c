/**
 * The functional blocks of `compare-ts` and the functional list of each LLD group, in output
 * order. A block names its outputs (the suffix after the contour name), their units relative to
 * the LLD's unit, a one-line definition, and computes them from a contour {@link Summary}.
 *
 * Groups (as the ComParE configuration arranges them):
 * - `contour` (energy and spectral LLDs and their deltas): extremes, percentiles, moments,
 *   threshold segments, times, LPC — 31 values;
 * - `voiced` (voicing LLDs and their deltas, over the frames where the LLD is defined):
 *   means, extremes, regression, percentiles, moments, times, LPC — 39 values;
 * - `lld` (energy and spectral LLDs): means, peaks, regression — 23 values;
 * - `delta` (deltas of the energy and spectral LLDs): means, peaks — 15 values.
 */
import { CONTOUR_LPC_ORDER, PERCENTILES, UP_LEVELS } from './constants.js';
import { peaks, thresholdSegments } from './events.js';
import { amean, contourLpc, extremes, flatness, moments, percentiles, posamean, regression, rqmean, times, type Summary } from './stats.js';

/** A set of functionals computed together. */
export interface FunctionalBlock {
  /** Output names (suffixes), in output order. */
  readonly names: readonly string[];
  /** Unit of each output for an LLD of unit `u`. */
  units(u: string): string[];
  /** One-line definition of each output. */
  readonly definitions: readonly string[];
  /** Writes `names.length` values to out[o …]. */
  compute(s: Summary, out: Float64Array, o: number): void;
}

const per = (u: string, t: string) => (u === '1' ? `1/${t}` : `${u}/${t}`);
const sq = (u: string) => (u === '1' ? '1' : `(${u})²`);

/** A block of single-valued means. */
function meansBlock(which: ('amean' | 'flatness' | 'posamean' | 'rqmean')[]): FunctionalBlock {
  const fns = { amean, flatness, posamean, rqmean };
  const defs = {
    amean: 'Arithmetic mean.',
    flatness: 'Geometric mean of |x| over the non-zero values divided by the arithmetic mean of |x|.',
    posamean: 'Arithmetic mean of the positive values.',
    rqmean: 'Root of the quadratic mean, √(mean x²).',
  };
  return {
    names: which,
    units: (u) => which.map((w) => (w === 'flatness' ? '1' : u)),
    definitions: which.map((w) => defs[w]),
    compute(s, out, o) {
      for (let i = 0; i < which.length; i++) out[o + i] = fns[which[i]](s);
    },
  };
}

const EXTREMES: FunctionalBlock = {
  names: ['range', 'maxPos', 'minPos'],
  units: (u) => [u, '1', '1'],
  definitions: [
    'Maximum minus minimum.',
    'Index of the first maximum divided by the number of values.',
    'Index of the first minimum divided by the number of values.',
  ],
  compute: extremes,
};

const pctName = (p: number) => `percentile${(100 * p).toFixed(1)}`;

const PERCENTILE_BLOCK: FunctionalBlock = {
  names: ['quartile1', 'quartile2', 'quartile3', 'iqr1-2', 'iqr2-3', 'iqr1-3', ...PERCENTILES.map(pctName), 'pctlrange0-1'],
  units: (u) => Array(9).fill(u),
  definitions: [
    'First quartile (linear interpolation between closest ranks).',
    'Median.',
    'Third quartile.',
    'quartile2 − quartile1.',
    'quartile3 − quartile2.',
    'quartile3 − quartile1.',
    ...PERCENTILES.map((p) => `Percentile ${100 * p} %.`),
    `|${pctName(PERCENTILES[1])} − ${pctName(PERCENTILES[0])}|.`,
  ],
  compute: (s, out, o) => percentiles(s, PERCENTILES, out, o),
};

const MOMENTS: FunctionalBlock = {
  names: ['stddev', 'skewness', 'kurtosis'],
  units: (u) => [u, '1', '1'],
  definitions: [
    'Population standard deviation.',
    'Skewness m₃/σ³ (0 for a constant contour).',
    'Kurtosis m₄/σ⁴, not excess (0 for a constant contour).',
  ],
  compute: moments,
};

const SEGMENTS: FunctionalBlock = {
  names: ['meanSegLen', 'maxSegLen', 'minSegLen', 'segLenStddev'],
  units: () => ['s', 's', 's', 's'],
  definitions: [
    'Mean length of the segments between crossings of min + 0.25·range and min + 0.75·range by the 3-frame running average.',
    'Longest such segment.',
    'Shortest such segment.',
    'Population standard deviation of the segment lengths.',
  ],
  compute: thresholdSegments,
};

const TIMES: FunctionalBlock = {
  names: [...UP_LEVELS.map((x) => `upleveltime${Math.round(100 * x)}`), 'risetime', 'leftctime'],
  units: () => Array(UP_LEVELS.length + 2).fill('1'),
  definitions: [
    ...UP_LEVELS.map((x) => `Fraction of values above min + ${x}·range.`),
    'Fraction of the steps between consecutive values that rise.',
    'Fraction of the inner values with a positive second difference (left curvature).',
  ],
  compute: (s, out, o) => times(s, UP_LEVELS, out, o),
};

const LPC: FunctionalBlock = {
  names: ['lpgain', ...Array.from({ length: CONTOUR_LPC_ORDER }, (_, k) => `lpc${k}`)],
  units: (u) => [sq(u), ...Array(CONTOUR_LPC_ORDER).fill('1')],
  definitions: [
    `Prediction error per value of an order-${CONTOUR_LPC_ORDER} linear prediction of the contour (autocorrelation method).`,
    ...Array.from({ length: CONTOUR_LPC_ORDER }, (_, k) => `Coefficient a${k + 1} of its inverse filter A(z) = 1 + Σ a_k z^−k.`),
  ],
  compute: (s, out, o) => contourLpc(s, CONTOUR_LPC_ORDER, out, o),
};

const REGRESSION: FunctionalBlock = {
  names: ['linregc1', 'linregc2', 'linregerrQ', 'qregc1', 'qregc2', 'qregc3', 'qregerrQ', 'centroid'],
  units: (u) => [per(u, 's'), u, sq(u), per(u, 's²'), per(u, 's'), u, sq(u), '1'],
  definitions: [
    'Slope m of the least-squares line x ≈ m·t + b, t in seconds from the first value.',
    'Offset b of that line (its value at the first frame).',
    'Mean squared residual of the line.',
    'Coefficient a of the least-squares parabola x ≈ a·t² + β·t + c.',
    'Coefficient β of the parabola.',
    'Offset c of the parabola.',
    'Mean squared residual of the parabola.',
    'Temporal centroid of |x|: Σ i·|x_i| / (N·Σ |x_i|), 0 … 1.',
  ],
  compute: regression,
};

const PEAKS: FunctionalBlock = {
  names: [
    'meanPeakDist',
    'peakDistStddev',
    'peakRangeAbs',
    'peakRangeRel',
    'peakMeanAbs',
    'peakMeanMeanDist',
    'peakMeanRel',
    'minRangeRel',
    'meanRisingSlope',
    'stddevRisingSlope',
    'meanFallingSlope',
    'stddevFallingSlope',
  ],
  units: (u) => ['s', 's', u, '1', u, u, '1', '1', per(u, 's'), per(u, 's'), per(u, 's'), per(u, 's')],
  definitions: [
    'Mean distance between consecutive peaks (hysteresis peak picking, δ = 0.1·range).',
    'Population standard deviation of the peak distances.',
    'Highest minus lowest peak value.',
    'peakRangeAbs divided by the contour range (0 … 1).',
    'Mean peak value.',
    'Mean peak value minus the contour mean.',
    'Mean peak value divided by the contour mean (soft-limited to ±20).',
    'Range of the valley values divided by the contour range (0 … 1).',
    'Mean slope of the rising lines joining first frame, alternating peaks/valleys and last frame.',
    'Population standard deviation of the rising slopes.',
    'Mean magnitude of the falling slopes.',
    'Population standard deviation of the falling slopes.',
  ],
  compute: peaks,
};

/** Names of the functional groups. */
export type GroupName = 'contour' | 'voiced' | 'lld' | 'delta';

/** The blocks of each group, in output order. */
export const GROUP_BLOCKS: Readonly<Record<GroupName, readonly FunctionalBlock[]>> = {
  contour: [EXTREMES, PERCENTILE_BLOCK, MOMENTS, SEGMENTS, TIMES, LPC],
  voiced: [meansBlock(['amean', 'flatness', 'posamean', 'rqmean']), EXTREMES, REGRESSION, PERCENTILE_BLOCK, MOMENTS, TIMES, LPC],
  lld: [meansBlock(['amean', 'flatness', 'rqmean']), PEAKS, REGRESSION],
  delta: [meansBlock(['flatness', 'posamean', 'rqmean']), PEAKS],
};

/** Number of outputs of a group. */
export function groupSize(g: GroupName): number {
  return GROUP_BLOCKS[g].reduce((a, b) => a + b.names.length, 0);
}

/** Computes every functional of group `g` on `s` into out[o …]; returns the next offset. */
export function computeGroup(g: GroupName, s: Summary, out: Float64Array, o: number): number {
  for (const b of GROUP_BLOCKS[g]) {
    b.compute(s, out, o);
    o += b.names.length;
  }
  return o;
}
