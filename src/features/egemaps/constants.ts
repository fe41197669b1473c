/**
 * Named constants of the `egemaps-ts` feature set. Every analysis parameter lives here so
 * that the settings key (see `settingsKey()` in `index.ts`) covers all of them.
 *
 * Times are in seconds (`...S`), frequencies in hertz (`...Hz`), levels in decibels (`...Db`).
 */
import type { WindowName } from '../../dsp/index.js';

/** Name under which the set is registered. */
export const EGEMAPS_SET_NAME = 'egemaps-ts';
/** Version of the definitions; bump whenever any value below or any formula changes. */
export const EGEMAPS_VERSION = 1;

// ---------------------------------------------------------------------------------------
// Framing
// ---------------------------------------------------------------------------------------

/** Hop between consecutive LLD frames (s). Frame t is centred on sample t·hop. */
export const FRAME_HOP_S = 0.01;
/** Analysis window of the spectral / energy LLDs (s). */
export const SPECTRAL_WINDOW_S = 0.025;
/** Window shape of the spectral LLDs (periodic Hamming, as eGeMAPS); energy uses a rectangle. */
export const SPECTRAL_WINDOW: WindowName = 'hamming';
/** Analysis window of the F0 / HNR / jitter / shimmer LLDs (s), rectangular (YIN). */
export const PITCH_WINDOW_S = 0.06;

/** Lowest sample rate accepted (Hz). Band edges above Nyquist are clipped. */
export const MIN_SAMPLE_RATE_HZ = 8000;
/** Shortest input accepted (s); shorter input throws a `RangeError`. */
export const MIN_DURATION_S = 0.1;

// ---------------------------------------------------------------------------------------
// Activity gate (silence)
// ---------------------------------------------------------------------------------------

/** Features quieter than this absolute RMS level (dB re full scale 1.0) count as silent. */
export const SILENCE_ABS_DB = -70;
/** Features more than this many dB below the loudest frame of the input count as silent. */
export const SILENCE_REL_DB = 45;
/** Floor of the RMS energy LLD (dB re full scale); digital silence maps to this value. */
export const ENERGY_FLOOR_DB = -100;

// ---------------------------------------------------------------------------------------
// Pitch (YIN) and HNR
// ---------------------------------------------------------------------------------------

/** Lowest F0 searched (Hz). */
export const F0_MIN_HZ = 55;
/** Highest F0 searched (Hz). */
export const F0_MAX_HZ = 600;
/** YIN absolute threshold: the first dip of the cumulative-mean-normalised difference below it wins. */
export const YIN_DIP_THRESHOLD = 0.15;
/** When no dip is below {@link YIN_DIP_THRESHOLD}: the first dip within this margin of the global minimum wins. */
export const YIN_GLOBAL_MARGIN = 0.05;
/** A frame is voiced when its chosen dip is below this value (voicing probability = 1 − dip). */
export const YIN_VOICING_THRESHOLD = 0.3;
/** Voiced runs shorter than this many frames are set unvoiced. */
export const MIN_VOICED_FRAMES = 3;
/** Half-width (frames) of the running median used for octave-jump repair. */
export const OCTAVE_REPAIR_HALF_WIDTH = 3;
/** A frame whose F0 differs from the running median by more than this ratio is re-searched. */
export const OCTAVE_REPAIR_RATIO = 1.5;
/** Relative lag tolerance of the re-search around the running-median lag. */
export const OCTAVE_REPAIR_LAG_TOLERANCE = 0.15;
/** Reference frequency of the semitone scale (Hz), as in eGeMAPS. */
export const SEMITONE_REF_HZ = 27.5;
/** Normalised-autocorrelation clamp used for HNR; bounds HNR to about ±50 dB. */
export const HNR_MAX_CORRELATION = 0.99999;
/** Lower clamp of the normalised autocorrelation for HNR. */
export const HNR_MIN_CORRELATION = 0.00001;

// ---------------------------------------------------------------------------------------
// Jitter / shimmer (period marking)
// ---------------------------------------------------------------------------------------

/** Order of the residual LPC is round(fs / 1 kHz) + this. */
export const RESIDUAL_LPC_EXTRA_ORDER = 2;
/** Window of the residual LPC (s), Hamming. */
export const RESIDUAL_LPC_WINDOW_S = 0.025;
/** White-noise correction of the residual LPC: r(0) is multiplied by 1 + this. */
export const RESIDUAL_LPC_NOISE_FLOOR = 1e-6;
/** Shortest / longest next-period candidate relative to the local pitch period. */
export const PERIOD_SEARCH_MIN_FACTOR = 0.8;
export const PERIOD_SEARCH_MAX_FACTOR = 1.25;
/** Minimum normalised cross-correlation between consecutive periods to continue a chain. */
export const PERIOD_MIN_CORRELATION = 0.5;
/** Half-width of the peak search around the predicted next mark, as a fraction of the period. */
export const PEAK_SEARCH_FRACTION = 0.1;
/** Upper bound of that half-width (s). */
export const PEAK_SEARCH_MAX_S = 0.001;
/** Period refinement: the smoothed LPC residual from a·T before to b·T after a glottal anchor is aligned … */
export const ALIGN_PRE_FRACTION = 0.05;
export const ALIGN_POST_FRACTION = 0.8;
/** … with the waveform after the next anchor over lags ±max(this·T, ALIGN_MIN_LAG_SAMPLES). */
export const ALIGN_MAX_LAG_FRACTION = 0.05;
export const ALIGN_MIN_LAG_SAMPLES = 2;
/** Low-pass applied to the residual before alignment: one-pole sections, corner (Hz), settling time (s). */
export const ALIGN_LOWPASS_SECTIONS = 2;
export const ALIGN_LOWPASS_HZ = 1500;
export const ALIGN_LOWPASS_SETTLE_S = 0.0015;
/** Consecutive periods whose ratio exceeds this are not used for jitter (Praat's period factor). */
export const MAX_PERIOD_FACTOR = 1.3;
/** Consecutive amplitudes whose ratio exceeds this are not used for shimmer (Praat's amplitude factor). */
export const MAX_AMPLITUDE_FACTOR = 1.6;

// ---------------------------------------------------------------------------------------
// Spectral LLDs
// ---------------------------------------------------------------------------------------

/** Mel bands used for loudness and MFCC. */
export const MEL_BANDS = 26;
/** Lower edge of the mel filterbank (Hz). */
export const MEL_FMIN_HZ = 20;
/** Upper edge of the mel filterbank (Hz); clipped to Nyquist. */
export const MEL_FMAX_HZ = 8000;
/** Exponent of the band energies in the loudness sum (Stevens' power law). */
export const LOUDNESS_EXPONENT = 0.3;
/** Number of MFCCs reported (MFCC 1..4; MFCC 0 is omitted). */
export const MFCC_COUNT = 4;
/** Power added before taking logarithms of spectra / band energies (full-scale power units). */
export const POWER_FLOOR = 1e-12;

/** Alpha ratio bands (Hz): low 50–1000, high 1000–5000. */
export const ALPHA_LOW_BAND_HZ: readonly [number, number] = [50, 1000];
export const ALPHA_HIGH_BAND_HZ: readonly [number, number] = [1000, 5000];
/** Hammarberg index bands (Hz): low 0–2000, high 2000–5000. */
export const HAMMARBERG_LOW_BAND_HZ: readonly [number, number] = [0, 2000];
export const HAMMARBERG_HIGH_BAND_HZ: readonly [number, number] = [2000, 5000];
/** Spectral slope bands (Hz). */
export const SLOPE_LOW_BAND_HZ: readonly [number, number] = [0, 500];
export const SLOPE_HIGH_BAND_HZ: readonly [number, number] = [500, 1500];

// ---------------------------------------------------------------------------------------
// Formants (selective LPC)
// ---------------------------------------------------------------------------------------

/** The power spectrum is cut at this frequency and modelled as a signal sampled at twice it (Hz). */
export const FORMANT_BAND_HZ = 5500;
/** LPC order (5 resonances in 0–5.5 kHz). */
export const LPC_ORDER = 10;
/** Pre-emphasis corner (Hz): α = exp(−2π·f/fs), as in Praat. */
export const PRE_EMPHASIS_HZ = 50;
/** Resonances below this frequency are ignored (Hz). */
export const FORMANT_MIN_HZ = 90;
/** Resonances wider than this are ignored (Hz). */
export const FORMANT_MAX_BANDWIDTH_HZ = 700;
/** Number of formants reported. */
export const FORMANT_COUNT = 3;
/** Durand–Kerner: maximum iterations and convergence tolerance. */
export const ROOT_MAX_ITERATIONS = 500;
export const ROOT_TOLERANCE = 1e-12;

// ---------------------------------------------------------------------------------------
// Functionals
// ---------------------------------------------------------------------------------------

/** Percentiles reported (0–100). */
export const PERCENTILES: readonly number[] = [20, 50, 80];
/** A loudness peak must rise and fall by this fraction of the input's maximum loudness (hysteresis). */
export const LOUDNESS_PEAK_DELTA_REL = 0.1;
