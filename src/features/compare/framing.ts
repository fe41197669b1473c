/**
 * Input checks, frame geometry and the time-domain LLDs of `compare-ts` (RMS energy and
 * zero-crossing rate).
 *
 * Frame t is centred on sample t·hop (hop = 10 ms); T = ⌊N/hop⌋ + 1 frames; the signal is
 * zero-padded at both ends. Every window below is centred on its frame.
 */
import { FRAME_HOP_S, MIN_DURATION_S, MIN_SAMPLE_RATE_HZ, SHORT_WINDOW_S, ZCR_WINDOW_S } from './constants.js';

/** Frame geometry of one signal. */
export interface Framing {
  /** Hop between frames (samples). */
  hopSamples: number;
  /** Short window of the spectral LLDs and RMS energy (samples). */
  shortWindowSamples: number;
  /** FFT size of the spectral LLDs (samples): next power of two ≥ the short window. */
  nFft: number;
  /** Window of the zero-crossing rate (samples). */
  zcrWindowSamples: number;
  /** Number of frames T. */
  frameCount: number;
}

/**
 * Validates the input of the feature set.
 * @param x mono samples, full scale ±1
 * @param sampleRateHz sample rate (Hz), ≥ {@link MIN_SAMPLE_RATE_HZ}
 * @throws TypeError for a non-Float32Array input; RangeError for a bad sample rate, input
 *   shorter than {@link MIN_DURATION_S} s, or non-finite samples (naming the first one).
 */
export function validateInput(x: Float32Array, sampleRateHz: number): void {
  if (!(x instanceof Float32Array)) throw new TypeError('compare-ts: input must be a Float32Array');
  if (!Number.isFinite(sampleRateHz) || sampleRateHz < MIN_SAMPLE_RATE_HZ) {
    throw new RangeError(`compare-ts: sampleRateHz must be a finite number ≥ ${MIN_SAMPLE_RATE_HZ}, got ${sampleRateHz}`);
  }
  const minSamples = Math.ceil(MIN_DURATION_S * sampleRateHz);
  if (x.length < minSamples) {
    throw new RangeError(
      `compare-ts: input too short: ${x.length} samples (${(x.length / sampleRateHz).toFixed(3)} s); ` +
        `at least ${MIN_DURATION_S} s (${minSamples} samples at ${sampleRateHz} Hz) is required`,
    );
  }
  for (let i = 0; i < x.length; i++) {
    const v = x[i];
    if (v - v !== 0) throw new RangeError(`compare-ts: sample ${i} is not finite (${v})`);
  }
}

/**
 * Frame geometry of a signal.
 * @param nSamples signal length (samples)
 * @param sampleRateHz sample rate (Hz)
 */
export function framing(nSamples: number, sampleRateHz: number): Framing {
  const hopSamples = Math.round(FRAME_HOP_S * sampleRateHz);
  const shortWindowSamples = Math.round(SHORT_WINDOW_S * sampleRateHz);
  let nFft = 1;
  while (nFft < shortWindowSamples) nFft <<= 1;
  return {
    hopSamples,
    shortWindowSamples,
    nFft,
    zcrWindowSamples: Math.round(ZCR_WINDOW_S * sampleRateHz),
    frameCount: Math.floor(nSamples / hopSamples) + 1,
  };
}

/** Sample range [a, b) of a centred window of `n` samples at frame t, clipped to the signal. */
function windowRange(t: number, f: Framing, n: number, length: number): [number, number] {
  const start = t * f.hopSamples - Math.floor(n / 2);
  return [Math.max(0, Math.min(length, start)), Math.max(0, Math.min(length, start + n))];
}

/**
 * Frame RMS energy √(mean x²) over the short rectangular window (zero-padded at the edges), in
 * full-scale units (a sine of amplitude A gives A/√2).
 */
export function frameRms(x: Float32Array, f: Framing): Float32Array {
  const out = new Float32Array(f.frameCount);
  const n = f.shortWindowSamples;
  const cum = new Float64Array(x.length + 1);
  for (let i = 0; i < x.length; i++) cum[i + 1] = cum[i] + x[i] * x[i];
  for (let t = 0; t < f.frameCount; t++) {
    const [a, b] = windowRange(t, f, n, x.length);
    out[t] = Math.sqrt(Math.max(0, cum[b] - cum[a]) / n);
  }
  return out;
}

/**
 * Zero-crossing rate over the ZCR window: the number of sign changes between consecutive
 * samples inside the window (a sample of 0 counts as non-negative) divided by the window length
 * (crossings per sample; a sine of f Hz gives 2f/fs).
 */
export function frameZcr(x: Float32Array, f: Framing): Float32Array {
  const out = new Float32Array(f.frameCount);
  const n = f.zcrWindowSamples;
  // cum[i] = crossings between samples j−1 and j for 1 ≤ j < i.
  const cum = new Int32Array(x.length + 1);
  for (let i = 1; i < x.length; i++) cum[i + 1] = cum[i] + (x[i] < 0 !== x[i - 1] < 0 ? 1 : 0);
  for (let t = 0; t < f.frameCount; t++) {
    const [a, b] = windowRange(t, f, n, x.length);
    out[t] = b - a < 2 ? 0 : (cum[b] - cum[a + 1]) / n;
  }
  return out;
}
