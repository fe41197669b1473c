/**
 * The `egemaps-ts` functionals: one table that defines, in a fixed order, every output
 * feature's name, unit, definition and how it is computed from the LLD contours. Both the
 * documentation list `EGEMAPS_FEATURES` and the values of `computeEgemaps` come from this table,
 * so they cannot drift apart.
 *
 * Conventions (see also docs/egemaps-ts.md):
 * - LLD contours are smoothed by a 3-frame moving average first (within voiced runs for
 *   voiced-only LLDs, like eGeMAPS' "sma3nz");
 * - "V" = voiced frames, "UV" = unvoiced frames that are not silent, "all" = every frame;
 * - `cv` (coefficient of variation, std/mean) is used for positive ratio-scale LLDs; for LLDs
 *   that are signed or already logarithmic (dB, MFCC, spectral slopes) the plain population
 *   standard deviation `std` is reported instead, because std/mean is meaningless there;
 * - a functional over no values is 0 (see `voicedFraction` to tell such cases apart).
 */
import { LOUDNESS_PEAK_DELTA_REL, PERCENTILES } from './constants.js';
import {
  coefficientOfVariation,
  contourSlopes,
  countPeaks,
  finiteValues,
  mean,
  percentile,
  runs,
  stddev,
  type Run,
} from './functionals.js';

/** Smoothed LLD contours of one utterance plus the masks the functionals need. */
export interface LldContours {
  /** Frame step (s). */
  frameStepS: number;
  /** Input duration (s). */
  durationS: number;
  /** 1 where voiced. */
  voiced: Uint8Array;
  /** 1 where unvoiced and not silent. */
  unvoicedActive: Uint8Array;
  f0Semitone: Float32Array;
  f0Hz: Float32Array;
  loudness: Float32Array;
  jitterLocal: Float32Array;
  shimmerLocalDb: Float32Array;
  hnrDb: Float32Array;
  formantHz: Float32Array[];
  formantBandwidthHz: Float32Array[];
  alphaRatioDb: Float32Array;
  hammarbergDb: Float32Array;
  slope0to500DbPerKHz: Float32Array;
  slope500to1500DbPerKHz: Float32Array;
  spectralFlux: Float32Array;
  mfcc: Float32Array[];
  energyDb: Float32Array;
}

/** Documentation of one output feature. */
export interface EgemapsFeatureInfo {
  /** Feature name (stable; used as column name). */
  name: string;
  /** Unit of the value ("1" for dimensionless). */
  unit: string;
  /** What the value is. */
  definition: string;
}

interface FeatureSpec extends EgemapsFeatureInfo {
  compute(c: LldContours): number;
}

type Mask = 'all' | 'V' | 'UV';

function values(v: Float32Array, c: LldContours, mask: Mask): Float64Array {
  return finiteValues(v, mask === 'all' ? undefined : mask === 'V' ? c.voiced : c.unvoicedActive);
}

const MASK_TEXT: Record<Mask, string> = {
  all: 'over all frames',
  V: 'over voiced frames',
  UV: 'over unvoiced, non-silent frames',
};

/** Basic statistics of one LLD under a mask. */
function stats(
  name: string,
  lld: (c: LldContours) => Float32Array,
  mask: Mask,
  unit: string,
  what: string,
  which: ('mean' | 'cv' | 'std')[],
): FeatureSpec[] {
  const out: FeatureSpec[] = [];
  for (const w of which) {
    if (w === 'mean') {
      out.push({
        name: `${name}_mean`,
        unit,
        definition: `Mean of ${what} ${MASK_TEXT[mask]}.`,
        compute: (c) => mean(values(lld(c), c, mask)),
      });
    } else if (w === 'cv') {
      out.push({
        name: `${name}_cv`,
        unit: '1',
        definition: `Coefficient of variation (std/mean) of ${what} ${MASK_TEXT[mask]}.`,
        compute: (c) => coefficientOfVariation(values(lld(c), c, mask)),
      });
    } else {
      out.push({
        name: `${name}_std`,
        unit,
        definition: `Population standard deviation of ${what} ${MASK_TEXT[mask]}.`,
        compute: (c) => stddev(values(lld(c), c, mask)),
      });
    }
  }
  return out;
}

/** Percentiles 20/50/80, range 20–80, and rising/falling slope statistics of a contour. */
function contourShape(name: string, lld: (c: LldContours) => Float32Array, mask: Mask, unit: string, what: string): FeatureSpec[] {
  const slopes = (c: LldContours) => {
    const v = lld(c);
    if (mask === 'all') return contourSlopes(v, c.frameStepS);
    const masked = new Float32Array(v.length);
    for (let i = 0; i < v.length; i++) masked[i] = c.voiced[i] ? v[i] : NaN;
    return contourSlopes(masked, c.frameStepS);
  };
  const scope = mask === 'all' ? 'the contour' : 'each voiced segment';
  return [
    ...PERCENTILES.map((p) => ({
      name: `${name}_p${p}`,
      unit,
      definition: `${p}th percentile of ${what} ${MASK_TEXT[mask]} (linear interpolation).`,
      compute: (c: LldContours) => percentile(values(lld(c), c, mask), p),
    })),
    {
      name: `${name}_range20to80`,
      unit,
      definition: `80th minus 20th percentile of ${what} ${MASK_TEXT[mask]}.`,
      compute: (c) => {
        const v = values(lld(c), c, mask);
        return percentile(v, 80) - percentile(v, 20);
      },
    },
    {
      name: `${name}_risingSlopeMean`,
      unit: `${unit}/s`,
      definition: `Mean slope of the rising parts (local minimum to next local maximum) of ${what} within ${scope}.`,
      compute: (c) => mean(slopes(c).rising),
    },
    {
      name: `${name}_risingSlopeStd`,
      unit: `${unit}/s`,
      definition: `Standard deviation of the rising-part slopes of ${what}.`,
      compute: (c) => stddev(slopes(c).rising),
    },
    {
      name: `${name}_fallingSlopeMean`,
      unit: `${unit}/s`,
      definition: `Mean magnitude of the slope of the falling parts (local maximum to next local minimum) of ${what} within ${scope}.`,
      compute: (c) => mean(slopes(c).falling),
    },
    {
      name: `${name}_fallingSlopeStd`,
      unit: `${unit}/s`,
      definition: `Standard deviation of the falling-part slope magnitudes of ${what}.`,
      compute: (c) => stddev(slopes(c).falling),
    },
  ];
}

/** Interior unvoiced runs: unvoiced runs that have voiced frames on both sides. */
function interiorUnvoiced(voiced: Uint8Array): Run[] {
  return runs(voiced, 0).filter((r) => r.start > 0 && r.end < voiced.length);
}

function lengthsS(rs: Run[], stepS: number): number[] {
  return rs.map((r) => (r.end - r.start) * stepS);
}

const F0ST = 'F0 in semitones relative to 27.5 Hz (12·log2(F0/27.5 Hz))';
const LOUD = 'loudness (sum of mel-band powers^0.3)';

const SPECS: FeatureSpec[] = [
  // --- Pitch -----------------------------------------------------------------------------
  ...stats('F0semitoneFrom27.5Hz', (c) => c.f0Semitone, 'V', 'st', F0ST, ['mean', 'cv']),
  ...contourShape('F0semitoneFrom27.5Hz', (c) => c.f0Semitone, 'V', 'st', F0ST),
  ...stats('F0Hz', (c) => c.f0Hz, 'V', 'Hz', 'F0 (YIN)', ['mean', 'std']),
  {
    name: 'F0Hz_p50',
    unit: 'Hz',
    definition: 'Median of F0 (YIN) over voiced frames.',
    compute: (c) => percentile(values(c.f0Hz, c, 'V'), 50),
  },
  // --- Loudness --------------------------------------------------------------------------
  ...stats('loudness', (c) => c.loudness, 'all', '1', LOUD, ['mean', 'cv']),
  ...contourShape('loudness', (c) => c.loudness, 'all', '1', LOUD),
  {
    name: 'loudnessPeaksPerSec',
    unit: '1/s',
    definition: `Number of loudness peaks per second of input; a peak must rise above the preceding minimum and fall again by at least ${LOUDNESS_PEAK_DELTA_REL} × the maximum loudness of the input (hysteresis peak picking).`,
    compute: (c) => {
      let hi = 0;
      for (const x of values(c.loudness, c, 'all')) hi = Math.max(hi, x);
      return countPeaks(c.loudness, LOUDNESS_PEAK_DELTA_REL * hi) / c.durationS;
    },
  },
  // --- Voice quality ----------------------------------------------------------------------
  ...stats('jitterLocal', (c) => c.jitterLocal, 'V', '1', 'local jitter (mean |ΔT|/mean T of consecutive glottal periods, fraction)', [
    'mean',
    'cv',
  ]),
  ...stats(
    'shimmerLocalDb',
    (c) => c.shimmerLocalDb,
    'V',
    'dB',
    'local shimmer (mean |20·log10(A_{i+1}/A_i)| of consecutive period peak amplitudes)',
    ['mean', 'cv'],
  ),
  ...stats(
    'HNRdB',
    (c) => c.hnrDb,
    'V',
    'dB',
    'harmonics-to-noise ratio 10·log10(ρ/(1−ρ)), ρ = normalised autocorrelation at the pitch period',
    ['mean', 'std'],
  ),
  // --- Formants ---------------------------------------------------------------------------
  ...[0, 1, 2].flatMap((k) => [
    ...stats(`F${k + 1}frequencyHz`, (c) => c.formantHz[k], 'V', 'Hz', `formant F${k + 1} centre frequency (selective LPC)`, [
      'mean',
      'cv',
    ]),
    ...stats(`F${k + 1}bandwidthHz`, (c) => c.formantBandwidthHz[k], 'V', 'Hz', `formant F${k + 1} 3-dB bandwidth (selective LPC)`, [
      'mean',
      'cv',
    ]),
  ]),
  // --- Spectral balance ----------------------------------------------------------------------
  ...stats('alphaRatioV', (c) => c.alphaRatioDb, 'V', 'dB', 'alpha ratio 10·log10(E(1–5 kHz)/E(50–1000 Hz))', ['mean', 'std']),
  ...stats('alphaRatioUV', (c) => c.alphaRatioDb, 'UV', 'dB', 'alpha ratio', ['mean']),
  ...stats('hammarbergIndexV', (c) => c.hammarbergDb, 'V', 'dB', 'Hammarberg index 10·log10(max P(0–2 kHz)/max P(2–5 kHz))', [
    'mean',
    'std',
  ]),
  ...stats('hammarbergIndexUV', (c) => c.hammarbergDb, 'UV', 'dB', 'Hammarberg index', ['mean']),
  ...stats(
    'slopeV0to500',
    (c) => c.slope0to500DbPerKHz,
    'V',
    'dB/kHz',
    'spectral slope 0–500 Hz (regression of the dB power spectrum on frequency)',
    ['mean', 'std'],
  ),
  ...stats('slopeUV0to500', (c) => c.slope0to500DbPerKHz, 'UV', 'dB/kHz', 'spectral slope 0–500 Hz', ['mean']),
  ...stats(
    'slopeV500to1500',
    (c) => c.slope500to1500DbPerKHz,
    'V',
    'dB/kHz',
    'spectral slope 500–1500 Hz (regression of the dB power spectrum on frequency)',
    ['mean', 'std'],
  ),
  ...stats('slopeUV500to1500', (c) => c.slope500to1500DbPerKHz, 'UV', 'dB/kHz', 'spectral slope 500–1500 Hz', ['mean']),
  ...stats(
    'spectralFlux',
    (c) => c.spectralFlux,
    'all',
    '1',
    'spectral flux (squared L2 distance of consecutive L2-normalised magnitude spectra)',
    ['mean', 'cv'],
  ),
  ...stats('spectralFluxV', (c) => c.spectralFlux, 'V', '1', 'spectral flux', ['mean', 'cv']),
  ...stats('spectralFluxUV', (c) => c.spectralFlux, 'UV', '1', 'spectral flux', ['mean']),
  // --- MFCC -----------------------------------------------------------------------------
  ...[0, 1, 2, 3].flatMap((k) =>
    stats(`mfcc${k + 1}`, (c) => c.mfcc[k], 'all', '1', `MFCC ${k + 1} (DCT-II of ln mel energies)`, ['mean', 'std']),
  ),
  ...[0, 1, 2, 3].flatMap((k) => stats(`mfcc${k + 1}V`, (c) => c.mfcc[k], 'V', '1', `MFCC ${k + 1}`, ['mean', 'std'])),
  // --- Energy ---------------------------------------------------------------------------
  ...stats('energyRmsDb', (c) => c.energyDb, 'all', 'dB', 'frame RMS energy 20·log10(RMS) re full scale (floor −100 dB)', ['mean', 'std']),
  {
    name: 'equivalentSoundLevelDb',
    unit: 'dB',
    definition: 'Equivalent level 10·log10(mean over frames of RMS²) re full scale.',
    compute: (c) => {
      const v = values(c.energyDb, c, 'all');
      let s = 0;
      for (const x of v) s += 10 ** (x / 10);
      return v.length === 0 ? 0 : 10 * Math.log10(s / v.length);
    },
  },
  // --- Temporal ---------------------------------------------------------------------------
  {
    name: 'voicedFraction',
    unit: '1',
    definition: 'Fraction of frames that are voiced (0 means every voiced-only feature is 0 by convention).',
    compute: (c) => (c.voiced.length === 0 ? 0 : mean(c.voiced)),
  },
  {
    name: 'voicedSegmentsPerSec',
    unit: '1/s',
    definition: 'Number of voiced segments (runs of voiced frames) per second of input.',
    compute: (c) => runs(c.voiced, 1).length / c.durationS,
  },
  {
    name: 'voicedSegmentLengthMeanSec',
    unit: 's',
    definition: 'Mean length of voiced segments.',
    compute: (c) => mean(lengthsS(runs(c.voiced, 1), c.frameStepS)),
  },
  {
    name: 'voicedSegmentLengthStdSec',
    unit: 's',
    definition: 'Standard deviation of voiced segment lengths.',
    compute: (c) => stddev(lengthsS(runs(c.voiced, 1), c.frameStepS)),
  },
  {
    name: 'unvoicedSegmentsPerSec',
    unit: '1/s',
    definition:
      'Number of unvoiced segments between two voiced segments (leading and trailing unvoiced stretches excluded) per second of input.',
    compute: (c) => interiorUnvoiced(c.voiced).length / c.durationS,
  },
  {
    name: 'unvoicedSegmentLengthMeanSec',
    unit: 's',
    definition: 'Mean length of unvoiced segments between voiced segments.',
    compute: (c) => mean(lengthsS(interiorUnvoiced(c.voiced), c.frameStepS)),
  },
  {
    name: 'unvoicedSegmentLengthStdSec',
    unit: 's',
    definition: 'Standard deviation of the lengths of unvoiced segments between voiced segments.',
    compute: (c) => stddev(lengthsS(interiorUnvoiced(c.voiced), c.frameStepS)),
  },
];

/** Every output feature of `egemaps-ts`, in output order, with unit and definition. */
export const EGEMAPS_FEATURES: readonly EgemapsFeatureInfo[] = Object.freeze(
  SPECS.map(({ name, unit, definition }) => Object.freeze({ name, unit, definition })),
);

/** Feature names in output order. */
export const EGEMAPS_FEATURE_NAMES: readonly string[] = Object.freeze(SPECS.map((s) => s.name));

/**
 * Evaluates every functional. A non-finite result (which the definitions should never produce)
 * becomes 0, or throws when `strict` is set (tests use strict mode so that bugs are not masked).
 */
export function summarize(c: LldContours, strict = false): Float32Array {
  const out = new Float32Array(SPECS.length);
  for (let i = 0; i < SPECS.length; i++) {
    const v = SPECS[i].compute(c);
    if (!Number.isFinite(v) && strict) throw new Error(`egemaps-ts: feature ${SPECS[i].name} is not finite (${v})`);
    out[i] = Number.isFinite(v) ? v : 0;
  }
  return out;
}
