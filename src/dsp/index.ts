/**
 * Signal processing primitives: complex and real FFTs, direct/FFT convolution, band-limited
 * resampling, and analysis windows. Pure TypeScript, no Node built-ins (runs in browsers).
 */
export { ComplexFft, MAX_FFT_SIZE, checkSize, isPowerOfTwo } from './fft.js';
export { RealFft } from './real-fft.js';
export { convolve } from './convolve.js';
export {
  RESAMPLER_ATTENUATION_DB,
  RESAMPLER_PASSBAND_EDGE,
  RESAMPLER_STOPBAND_EDGE,
  rationalApprox,
  resample,
  resampleRatio,
  resampledLength,
} from './resample.js';
export { POVEY_EXPONENT, WINDOW_NAMES, makeWindow, type WindowName } from './window.js';
export {
  DEFAULT_F_MIN_HZ,
  DEFAULT_MEL_NORM,
  DEFAULT_MEL_SCALE,
  hzToMel,
  melFilterWeights,
  melFilterbank,
  melToHz,
  resolveMelFilterbankOptions,
  type MelFilterbankOptions,
  type MelNorm,
  type MelScale,
  type ResolvedMelFilterbankOptions,
} from './mel-scale.js';
