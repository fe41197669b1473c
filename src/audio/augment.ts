/**
 * Exact, reproducible signal augmentations for training and robustness evaluation:
 * additive noise at a given SNR, white and babble noise, gain, and speed perturbation.
 * Reverberation lives in `reverb.ts`. Randomness always comes from an explicit {@link Rng}.
 */
import { rationalApprox, resampleRatio } from '../dsp/index.js';
import type { Rng } from '../core/pure.js';

/** Largest denominator used to turn a speed factor into a resampling ratio p/q. */
const SPEED_RATIO_MAX_DENOMINATOR = 1000;
/** Accepted speed factors. */
const MIN_SPEED_FACTOR = 0.1;
const MAX_SPEED_FACTOR = 10;

/** Mean power (mean of squares) of a signal; 0 for an empty one. */
export function meanPower(x: ArrayLike<number>): number {
  if (x.length === 0) return 0;
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i] * x[i];
  return s / x.length;
}

/** Signal-to-noise ratio 10·log10(P_signal / P_noise) in dB of a clean signal and its noisy version. */
export function measureSnrDb(clean: ArrayLike<number>, noisy: ArrayLike<number>): number {
  if (clean.length !== noisy.length) throw new RangeError(`measureSnrDb: lengths differ (${clean.length} vs ${noisy.length})`);
  let ps = 0;
  let pn = 0;
  for (let i = 0; i < clean.length; i++) {
    ps += clean[i] * clean[i];
    const d = noisy[i] - clean[i];
    pn += d * d;
  }
  return 10 * Math.log10(ps / pn);
}

/** `noise` repeated (tiled) or cropped to exactly `n` samples, starting at `offset`. */
function tile(noise: ArrayLike<number>, n: number, offset = 0): Float64Array {
  const out = new Float64Array(n);
  const m = noise.length;
  for (let i = 0, j = offset % m; i < n; i++, j = j + 1 === m ? 0 : j + 1) out[i] = noise[j];
  return out;
}

/**
 * Adds noise at an exact signal-to-noise ratio.
 *
 * The noise is tiled (repeated) or cropped to `x.length` samples, then scaled so that
 * 10·log10(P_x / P_scaled_noise) = `snrDb`, powers being means of squares over the whole
 * signal. Measured on the float32 output the SNR is within 0.001 dB of the target (tests
 * assert 0.1 dB).
 *
 * @param x - clean signal (non-silent).
 * @param noise - noise signal (non-silent), any length ≥ 1.
 * @param snrDb - target SNR in dB.
 * @returns x + g·noise as a new array.
 */
export function addNoise(x: Float32Array, noise: Float32Array, snrDb: number): Float32Array {
  if (!Number.isFinite(snrDb)) throw new RangeError(`addNoise: snrDb must be finite, got ${snrDb}`);
  if (noise.length === 0) throw new RangeError('addNoise: noise is empty');
  const n = x.length;
  if (n === 0) return new Float32Array(0);
  const seg = tile(noise, n);
  const ps = meanPower(x);
  const pn = meanPower(seg);
  if (ps === 0) throw new RangeError('addNoise: the signal is silent, so no SNR can be defined');
  if (pn === 0) throw new RangeError('addNoise: the noise is silent');
  const gain = Math.sqrt(ps / (pn * 10 ** (snrDb / 10)));
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = x[i] + gain * seg[i];
  return out;
}

/**
 * White Gaussian noise with mean 0 and variance 1.
 *
 * @param n - number of samples.
 * @param rng - random source.
 */
export function whiteNoise(n: number, rng: Rng): Float32Array {
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`whiteNoise: n must be a non-negative integer, got ${n}`);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = rng.normal();
  return out;
}

/**
 * Babble noise: the sum of several speech signals, each started at a random offset
 * (tiled circularly to `n` samples) and normalised to unit RMS, so every talker is equally
 * loud; the sum is normalised to unit RMS as well. Use several (≥ 3) talkers for a babble
 * rather than a competing voice.
 *
 * @param sources - speech signals (each non-silent), one per talker.
 * @param n - output length in samples.
 * @param rng - random source for the offsets.
 */
export function babbleNoise(sources: Float32Array[], n: number, rng: Rng): Float32Array {
  if (sources.length === 0) throw new RangeError('babbleNoise: needs at least one source');
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`babbleNoise: n must be a non-negative integer, got ${n}`);
  const acc = new Float64Array(n);
  if (n === 0) return new Float32Array(0);
  sources.forEach((src, k) => {
    if (src.length === 0) throw new RangeError(`babbleNoise: source ${k} is empty`);
    const seg = tile(src, n, rng.int(src.length));
    const p = meanPower(seg);
    if (p === 0) throw new RangeError(`babbleNoise: source ${k} is silent over the selected ${n} samples`);
    const g = 1 / Math.sqrt(p);
    for (let i = 0; i < n; i++) acc[i] += g * seg[i];
  });
  const p = meanPower(acc);
  const g = p > 0 ? 1 / Math.sqrt(p) : 0;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = acc[i] * g;
  return out;
}

/** Multiplies a signal by 10^(gainDb/20) (amplitude gain in dB); returns a new array. */
export function applyGainDb(x: Float32Array, gainDb: number): Float32Array {
  if (!Number.isFinite(gainDb)) throw new RangeError(`applyGainDb: gainDb must be finite, got ${gainDb}`);
  const g = 10 ** (gainDb / 20);
  const out = new Float32Array(x.length);
  for (let i = 0; i < x.length; i++) out[i] = x[i] * g;
  return out;
}

/**
 * Speed perturbation (tempo and pitch together, like SoX `speed` / Kaldi): the signal is
 * resampled by 1/factor with the band-limited resampler and played at the original rate,
 * so the duration becomes x.length / factor samples (⌈x.length · q / p⌉ with p/q the best
 * rational approximation of `factor` with q ≤ 1000) and all frequencies scale by `factor`.
 *
 * @param x - signal.
 * @param factor - speed factor in [0.1, 10]; > 1 is faster/shorter/higher.
 */
export function speedPerturb(x: Float32Array, factor: number): Float32Array {
  if (!(factor >= MIN_SPEED_FACTOR && factor <= MAX_SPEED_FACTOR)) {
    throw new RangeError(`speedPerturb: factor must be in [${MIN_SPEED_FACTOR}, ${MAX_SPEED_FACTOR}], got ${factor}`);
  }
  const [p, q] = rationalApprox(factor, SPEED_RATIO_MAX_DENOMINATOR);
  // Output rate / input rate = q / p = 1 / factor.
  return resampleRatio(x, q, p);
}
