/**
 * Named constants of the `compare-ts` feature set. Every analysis parameter lives here so that
 * the settings key (see `index.ts`) covers all of them; the DSP reused from `egemaps-ts`
 * (pitch, glottal periods, silence gate) keeps its own constants, which the key covers too.
 *
 * Times are in seconds (`...S`), frequencies in hertz (`...Hz`), levels in decibels (`...Db`).
 */
import type { WindowName } from '../../dsp/index.js';

/** Name under which the set is registered. */
export const COMPARE_SET_NAME = 'compare-ts';
/** Version of the definitions; bump whenever any value below or any formula changes. */
export const COMPARE_VERSION = 1;
/** Number of values per utterance (the size of the ComParE 2013 / 2016 set). */
export const COMPARE_FEATURE_COUNT = 6373;

// ---------------------------------------------------------------------------------------
// Framing and input contract
// ---------------------------------------------------------------------------------------

/** Hop between consecutive LLD frames (s). Frame t is centred on sample t·hop. */
export const FRAME_HOP_S = 0.01;
/** Window of the spectral LLDs, auditory spectrum, MFCC and RMS energy (s). */
export const SHORT_WINDOW_S = 0.02;
/** Window shape of the spectral LLDs (periodic Hamming); RMS energy uses a rectangle. */
export const SPECTRAL_WINDOW: WindowName = 'hamming';
/** Window of the zero-crossing rate (s), rectangular; F0 uses the same length (egemaps-ts YIN). */
export const ZCR_WINDOW_S = 0.06;
/** Lowest sample rate accepted (Hz). Band edges above Nyquist are clipped. */
export const MIN_SAMPLE_RATE_HZ = 8000;
/** Shortest input accepted (s). */
export const MIN_DURATION_S = 0.1;

// ---------------------------------------------------------------------------------------
// Auditory spectrum, RASTA, MFCC
// ---------------------------------------------------------------------------------------

/** Mel bands of the auditory spectrum and of the MFCCs. */
export const MEL_BANDS = 26;
/** Lower edge of the mel filterbank (Hz). */
export const MEL_FMIN_HZ = 20;
/** Upper edge of the mel filterbank (Hz); clipped to Nyquist. */
export const MEL_FMAX_HZ = 8000;
/** Exponent of the intensity-to-loudness power law applied to the weighted band powers. */
export const AUDITORY_COMPRESSION = 0.33;
/** Band powers below this value are raised to it before the power law (full-scale power units). */
export const AUDITORY_POWER_FLOOR = 1e-10;
/** RASTA band-pass: FIR part 0.1·(2, 1, 0, −1, −2) over frames t+2 … t−2. */
export const RASTA_FIR: readonly number[] = [0.2, 0.1, 0, -0.1, -0.2];
/** RASTA band-pass: pole of the IIR part. */
export const RASTA_POLE = 0.94;
/** First and last MFCC reported (MFCC 0 is omitted). */
export const MFCC_FIRST = 1;
export const MFCC_LAST = 14;
/** Sinusoidal cepstral lifter coefficient (HTK's default). */
export const MFCC_LIFTER = 22;
/**
 * The mel powers are multiplied by this before the logarithm of the MFCCs (16-bit sample
 * scale squared), so that the +1e-6 offset of the shared log-mel code is negligible; a constant
 * factor changes only MFCC 0, which is not reported.
 */
export const MFCC_POWER_SCALE = 32768 * 32768;

// ---------------------------------------------------------------------------------------
// Spectral LLDs
// ---------------------------------------------------------------------------------------

/** Band energies (Hz): [low, high) pairs. */
export const ENERGY_BANDS_HZ: readonly (readonly [number, number])[] = [
  [250, 650],
  [1000, 4000],
];
/** Spectral roll-off points (fractions of the total power). */
export const ROLL_OFF_FRACTIONS: readonly number[] = [0.25, 0.5, 0.75, 0.9];
/** Power added before taking logarithms of spectra (full-scale power units). */
export const SPECTRUM_POWER_FLOOR = 1e-12;
/** Psychoacoustic sharpness: scale factor (acum) of the weighted Bark centroid. */
export const SHARPNESS_SCALE = 0.11;
/** Sharpness weighting g(z): 1 up to this critical-band rate (Bark), exponential above. */
export const SHARPNESS_KNEE_BARK = 15.8;
/** Sharpness weighting above the knee: g(z) = a·exp(b·z). */
export const SHARPNESS_WEIGHT_A = 0.066;
export const SHARPNESS_WEIGHT_B = 0.171;
/** Harmonicity: a spectral extremum must exceed (or undercut) this many bins on each side. */
export const HARMONICITY_NEIGHBOURS = 2;

// ---------------------------------------------------------------------------------------
// Deltas and functionals
// ---------------------------------------------------------------------------------------

/** Half-width N (frames) of the regression deltas (window 2N + 1). */
export const DELTA_HALF_WIDTH = 2;
/** Percentiles reported besides the quartiles (0–1), and the range between them. */
export const PERCENTILES: readonly number[] = [0.01, 0.99];
/** Up-level times: fraction of frames above min + X·range, for these X. */
export const UP_LEVELS: readonly number[] = [0.25, 0.5, 0.75, 0.9];
/** Order of the linear prediction of each contour (coefficients lpc0 … lpc{order−1}). */
export const CONTOUR_LPC_ORDER = 5;
/** Segments: thresholds relative to the contour range (min + X·range). */
export const SEGMENT_THRESHOLDS: readonly number[] = [0.25, 0.75];
/** Segments: length of the causal running average the thresholds are applied to (frames). */
export const SEGMENT_AVERAGE_FRAMES = 3;
/** Segments: the minimum distance between boundaries is max(2, ⌊N / this⌋ − 1) frames. */
export const SEGMENT_MAX_COUNT = 100;
/** Segments: lower bound of the minimum boundary distance (frames). */
export const SEGMENT_MIN_FRAMES = 2;
/** Voiced segments (F0 functionals): shortest voiced segment (frames). */
export const VOICED_SEGMENT_MIN_FRAMES = 3;
/** Voiced segments: unvoiced gaps shorter than this (frames) do not split a segment. */
export const VOICED_PAUSE_MIN_FRAMES = 2;
/** Peaks: a peak must rise above / fall below its neighbouring extrema by this fraction of the range. */
export const PEAK_RELATIVE_THRESHOLD = 0.1;
/** Ratio features are linear up to ±this value … */
export const RATIO_LINEAR_LIMIT = 10;
/** … and then saturate smoothly towards ±(linear limit + this value). */
export const RATIO_EXCESS_LIMIT = 10;
/** A variance below (this · max |x|)² counts as zero (constant contour) for skewness/kurtosis. */
export const MOMENT_RELATIVE_EPSILON = 1e-9;
