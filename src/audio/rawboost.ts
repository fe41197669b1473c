/**
 * RawBoost waveform augmentation for anti-spoofing training (Tak et al., ICASSP 2022): three
 * kinds of random channel and device nuisance applied to the raw waveform, so that a detector
 * cannot rely on one recording chain's fingerprint and has to learn generator artefacts.
 * - `lnl`: linear and non-linear convolutive noise — the sum of x, x², …, each through its own
 *   random cascade of notch (band-stop) FIR filters; the higher powers are attenuated.
 * - `isd`: impulsive signal-dependent noise — up to a few per cent of the samples get a random
 *   multiple of themselves added (clicks that scale with the signal).
 * - `ssi`: stationary signal-independent noise — white noise coloured by a random notch
 *   cascade, added at a random SNR.
 * The defaults are the published ones for 16 kHz speech. Written here because no maintained
 * JavaScript package implements it; the FIR design is a Hamming-windowed sinc band-stop.
 */
import { drawUniform, type Rng } from '../core/pure.js';
import { RealFft, convolve } from '../dsp/index.js';

/** One RawBoost operation. */
export type RawBoostStep = 'lnl' | 'isd' | 'ssi';
/** Every RawBoost operation, in the order a full series applies them. */
export const RAWBOOST_STEPS: readonly RawBoostStep[] = ['lnl', 'isd', 'ssi'];

/** RawBoost's random ranges (frequencies in Hz, gains in dB). */
export interface RawBoostConfig {
  /** Powers of the signal summed by `lnl` (x, x², …, x^orders). */
  orders: number;
  /** Notch filters per random cascade. */
  bands: number;
  /** Range of a notch's centre frequency (Hz). */
  minCentreHz: number;
  maxCentreHz: number;
  /** Range of a notch's width (Hz). */
  minWidthHz: number;
  maxWidthHz: number;
  /** Range of a notch filter's length (taps; even draws are made odd, as a band-stop needs). */
  minTaps: number;
  maxTaps: number;
  /** Range of a cascade's peak gain (dB). */
  minGainDb: number;
  maxGainDb: number;
  /** Extra attenuation of the non-linear terms x², x³, … (dB, drawn in this range). */
  minNonLinearCutDb: number;
  maxNonLinearCutDb: number;
  /** Largest share of samples `isd` touches (per cent). */
  maxImpulsePercent: number;
  /** Scale of an impulse relative to its sample. */
  impulseGain: number;
  /** SNR range of `ssi` (dB). */
  minSnrDb: number;
  maxSnrDb: number;
}

/** The published settings for 16 kHz audio. */
export const RAWBOOST_DEFAULTS: Readonly<RawBoostConfig> = {
  orders: 5,
  bands: 5,
  minCentreHz: 20,
  maxCentreHz: 8000,
  minWidthHz: 100,
  maxWidthHz: 1000,
  minTaps: 10,
  maxTaps: 100,
  minGainDb: 0,
  maxGainDb: 0,
  minNonLinearCutDb: 5,
  maxNonLinearCutDb: 20,
  maxImpulsePercent: 10,
  impulseGain: 2,
  minSnrDb: 10,
  maxSnrDb: 40,
};

/** Frequencies at which a cascade's peak gain is measured (over [0, Nyquist)). */
const RESPONSE_POINTS = 512;
/** Keeps a band edge strictly inside (0, Nyquist) (Hz). */
const EDGE_MARGIN_HZ = 1e-3;

/**
 * A linear-phase band-stop FIR filter: Hamming-windowed ideal response (low-pass to `lowHz`
 * plus high-pass from `highHz`), scaled to unit gain at 0 Hz.
 *
 * @param taps - filter length, odd (a band-stop needs a tap at its centre).
 * @param lowHz - lower band edge (Hz), 0 < lowHz < highHz.
 * @param highHz - upper band edge (Hz), ≤ Nyquist.
 * @param sampleRateHz - sample rate (Hz).
 */
export function bandStopFir(taps: number, lowHz: number, highHz: number, sampleRateHz: number): Float64Array {
  if (!Number.isInteger(taps) || taps < 3 || taps % 2 === 0)
    throw new RangeError(`bandStopFir: taps must be an odd integer ≥ 3, got ${taps}`);
  const nyquist = sampleRateHz / 2;
  if (!(lowHz > 0 && lowHz < highHz && highHz <= nyquist))
    throw new RangeError(`bandStopFir: need 0 < lowHz < highHz ≤ ${nyquist} Hz, got ${lowHz}, ${highHz}`);
  const m = (taps - 1) / 2;
  const lowPass = (fc: number, k: number) => {
    const w = fc / nyquist;
    return k === 0 ? w : Math.sin(Math.PI * w * k) / (Math.PI * k);
  };
  const h = new Float64Array(taps);
  let sum = 0;
  for (let n = 0; n < taps; n++) {
    const k = n - m;
    const ideal = lowPass(lowHz, k) + (k === 0 ? 1 : 0) - lowPass(highHz, k);
    h[n] = ideal * (0.54 - 0.46 * Math.cos((2 * Math.PI * n) / (taps - 1)));
    sum += h[n];
  }
  for (let n = 0; n < taps; n++) h[n] /= sum;
  return h;
}

/**
 * Largest magnitude of a filter's frequency response over [0, π), sampled at the bins of a
 * zero-padded FFT of at least {@link RESPONSE_POINTS} frequencies.
 */
function peakGain(b: Float64Array): number {
  let n = 2 * RESPONSE_POINTS;
  while (n < b.length) n *= 2;
  const padded = new Float64Array(n);
  padded.set(b);
  const re = new Float64Array(n / 2 + 1);
  const im = new Float64Array(n / 2 + 1);
  new RealFft(n).forward(padded, re, im);
  let peak = 0;
  for (let k = 0; k < n / 2; k++) peak = Math.max(peak, Math.hypot(re[k], im[k]));
  return peak;
}

/** A random cascade of `bands` notches, scaled to a peak gain drawn from [minDb, maxDb]. */
function randomNotches(c: RawBoostConfig, minDb: number, maxDb: number, fs: number, rng: Rng): Float64Array {
  let b: Float64Array = Float64Array.of(1);
  for (let i = 0; i < c.bands; i++) {
    const centre = Math.min(drawUniform(rng, [c.minCentreHz, c.maxCentreHz]), fs / 2 - 2 * EDGE_MARGIN_HZ);
    const width = drawUniform(rng, [c.minWidthHz, c.maxWidthHz]);
    let taps = Math.floor(drawUniform(rng, [c.minTaps, c.maxTaps]));
    if (taps % 2 === 0) taps++;
    const low = Math.max(centre - width / 2, EDGE_MARGIN_HZ);
    const high = Math.min(centre + width / 2, fs / 2 - EDGE_MARGIN_HZ);
    b = convolve(b, bandStopFir(taps, low, high, fs));
  }
  const g = 10 ** (drawUniform(rng, [minDb, maxDb]) / 20) / peakGain(b);
  return b.map((v) => v * g);
}

/** `x` through FIR `b`, aligned on the filter's centre (same length as `x`). */
function filterCentred(x: ArrayLike<number>, b: Float64Array): Float64Array {
  const full = convolve(x, b);
  const delay = (b.length - 1) >> 1;
  return full.slice(delay, delay + x.length);
}

/** Scales to a peak of 1 when the peak exceeds 1 (or always). */
function limitPeak(y: Float64Array, always: boolean): Float64Array {
  let peak = 0;
  for (const v of y) peak = Math.max(peak, Math.abs(v));
  if (peak > 0 && (always || peak > 1)) for (let i = 0; i < y.length; i++) y[i] /= peak;
  return y;
}

function convolutiveNoise(x: Float64Array, c: RawBoostConfig, fs: number, rng: Rng): Float64Array {
  const y = new Float64Array(x.length);
  const power = new Float64Array(x.length).fill(1);
  for (let order = 1; order <= c.orders; order++) {
    for (let i = 0; i < x.length; i++) power[i] *= x[i];
    const b =
      order === 1
        ? randomNotches(c, c.minGainDb, c.maxGainDb, fs, rng)
        : randomNotches(c, c.minGainDb - c.maxNonLinearCutDb, c.maxGainDb - c.minNonLinearCutDb, fs, rng);
    const part = filterCentred(power, b);
    for (let i = 0; i < y.length; i++) y[i] += part[i];
  }
  let mean = 0;
  for (const v of y) mean += v;
  mean /= Math.max(1, y.length);
  for (let i = 0; i < y.length; i++) y[i] -= mean;
  return limitPeak(y, false);
}

function impulsiveNoise(x: Float64Array, c: RawBoostConfig, rng: Rng): Float64Array {
  const y = x.slice();
  const n = Math.floor((x.length * drawUniform(rng, [0, c.maxImpulsePercent])) / 100);
  // The first n positions of a partial Fisher–Yates shuffle: n distinct samples.
  const idx = Int32Array.from({ length: x.length }, (_, i) => i);
  for (let k = 0; k < n; k++) {
    const j = k + rng.int(x.length - k);
    const p = idx[j];
    idx[j] = idx[k];
    idx[k] = p;
    const factor = (2 * rng.next() - 1) * (2 * rng.next() - 1);
    y[p] = x[p] + c.impulseGain * x[p] * factor;
  }
  return limitPeak(y, false);
}

function stationaryNoise(x: Float64Array, c: RawBoostConfig, fs: number, rng: Rng): Float64Array {
  const white = Float64Array.from({ length: x.length }, () => rng.normal());
  const noise = limitPeak(filterCentred(white, randomNotches(c, c.minGainDb, c.maxGainDb, fs, rng)), true);
  const snrDb = drawUniform(rng, [c.minSnrDb, c.maxSnrDb]);
  const norm = (v: Float64Array) => Math.sqrt(v.reduce((s, a) => s + a * a, 0));
  const nn = norm(noise);
  const g = nn > 0 ? norm(x) / nn / 10 ** (snrDb / 20) : 0;
  return x.map((v, i) => v + g * noise[i]);
}

/**
 * Checks a list of RawBoost steps: each known, none repeated.
 * @param label - what the errors start with (the caller's name).
 * @throws RangeError naming the step at fault.
 */
export function checkRawBoostSteps(steps: readonly string[], label = 'rawBoost'): void {
  steps.forEach((s, i) => {
    if (!(RAWBOOST_STEPS as readonly string[]).includes(s))
      throw new RangeError(`${label}: unknown step '${s}' (known: ${RAWBOOST_STEPS.join(', ')})`);
    if (steps.indexOf(s) !== i) throw new RangeError(`${label}: step '${s}' is repeated`);
  });
}

function checkConfig(c: RawBoostConfig, steps: readonly RawBoostStep[]): void {
  checkRawBoostSteps(steps);
  for (const k of ['orders', 'bands', 'minTaps', 'maxTaps'] as const)
    if (!(Number.isInteger(c[k]) && c[k] >= 1)) throw new RangeError(`rawBoost: ${k} must be a positive integer, got ${c[k]}`);
  const ranges = [
    ['minCentreHz', 'maxCentreHz'],
    ['minWidthHz', 'maxWidthHz'],
    ['minTaps', 'maxTaps'],
    ['minGainDb', 'maxGainDb'],
    ['minNonLinearCutDb', 'maxNonLinearCutDb'],
    ['minSnrDb', 'maxSnrDb'],
  ] as const;
  for (const [lo, hi] of ranges)
    if (!(Number.isFinite(c[lo]) && Number.isFinite(c[hi]) && c[lo] <= c[hi]))
      throw new RangeError(`rawBoost: need finite ${lo} ≤ ${hi}, got ${c[lo]}, ${c[hi]}`);
  if (!(c.minCentreHz > 0 && c.minWidthHz > 0)) throw new RangeError('rawBoost: minCentreHz and minWidthHz must be positive');
  if (!(c.maxImpulsePercent >= 0 && c.maxImpulsePercent <= 100))
    throw new RangeError(`rawBoost: maxImpulsePercent must be in [0, 100], got ${c.maxImpulsePercent}`);
}

/**
 * Applies RawBoost operations in series to a waveform.
 *
 * @param x - waveform (nominally in [−1, 1]).
 * @param sampleRateHz - its sample rate (Hz); notch frequencies above Nyquist are clipped to it.
 * @param rng - random source: equal states give equal outputs.
 * @param steps - operations, applied in this order (default all three: lnl, isd, ssi).
 * @param config - random ranges (default {@link RAWBOOST_DEFAULTS}).
 * @returns a new array of the same length.
 */
export function rawBoost(
  x: Float32Array,
  sampleRateHz: number,
  rng: Rng,
  steps: readonly RawBoostStep[] = RAWBOOST_STEPS,
  config: Readonly<RawBoostConfig> = RAWBOOST_DEFAULTS,
): Float32Array {
  checkConfig(config, steps);
  if (!(Number.isFinite(sampleRateHz) && sampleRateHz > 2 * config.minCentreHz))
    throw new RangeError(`rawBoost: sampleRateHz must exceed ${2 * config.minCentreHz} Hz, got ${sampleRateHz}`);
  let y: Float64Array = Float64Array.from(x);
  if (y.length === 0) return new Float32Array(0);
  for (const s of steps) {
    if (s === 'lnl') y = convolutiveNoise(y, config, sampleRateHz, rng);
    else if (s === 'isd') y = impulsiveNoise(y, config, rng);
    else y = stationaryNoise(y, config, sampleRateHz, rng);
  }
  return Float32Array.from(y);
}
