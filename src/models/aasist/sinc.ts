/**
 * AASIST's fixed front end: a bank of Hamming-windowed ideal band-pass (sinc) filters whose band
 * edges are equally spaced on the mel scale from 0 Hz to Nyquist. The filters are not learned and
 * not part of the checkpoint, so they are recomputed here. Written by hand: no npm library builds
 * this particular filter bank. The arithmetic follows the published model's float32 steps
 * (Math.fround where it rounds) so the filters agree with the reference to float32 precision.
 */
import { F, nn, randint, tensor, type Tensor } from '../../engine/index.js';

/** O'Shaughnessy mel scale: mel = MEL_SCALE · log10(1 + f / MEL_BREAK_HZ). */
const MEL_SCALE = 2595;
const MEL_BREAK_HZ = 700;
/** Hamming window coefficients: w[n] = A + B · cos(π n / (M − 1)), n = 1−M, 3−M, …, M−1. */
const HAMMING_A = 0.54;
const HAMMING_B = 0.46;
/** Substitute for 0 in sinc's denominator (sinc(0) = 1). */
const SINC_TINY = 1e-20;
/** Frequency masking (training augmentation): up to this many adjacent filters are zeroed (exclusive). */
export const FREQ_MASK_MAX_FILTERS = 20;

const toMel = (hz: number): number => MEL_SCALE * Math.log10(1 + hz / MEL_BREAK_HZ);
const toHz = (mel: number): number => MEL_BREAK_HZ * (10 ** (mel / MEL_SCALE) - 1);

/** `filters + 1` band edges (Hz), equally spaced in mel from 0 to `sampleRateHz / 2`. */
export function melBandEdgesHz(filters: number, sampleRateHz: number): Float64Array {
  // The published model spaces the edges between the mels of its lowest and highest FFT bin: 0 Hz and Nyquist.
  const melMin = toMel(0);
  const melMax = toMel(Math.trunc(sampleRateHz / 2));
  const edges = new Float64Array(filters + 1);
  const step = (melMax - melMin) / filters;
  for (let i = 0; i <= filters; i++) edges[i] = toHz(i === filters ? melMax : melMin + i * step);
  return edges;
}

/** Symmetric Hamming window of `length` samples (float64). */
export function hammingWindow(length: number): Float64Array {
  const w = new Float64Array(length);
  for (let i = 0; i < length; i++) {
    const n = 1 - length + 2 * i;
    w[i] = length === 1 ? 1 : HAMMING_A + HAMMING_B * Math.cos((Math.PI * n) / (length - 1));
  }
  return w;
}

/** Normalized sinc sin(πx)/(πx) evaluated in float32 steps. */
function sincF32(x: number): number {
  const y = Math.fround(Math.fround(Math.PI) * (x === 0 ? Math.fround(SINC_TINY) : x));
  return Math.fround(Math.fround(Math.sin(y)) / y);
}

/**
 * The band-pass filter bank as a row-major [filters, length] float32 array: filter i is
 * hamming · (2 f_hi/fs · sinc(2 f_hi t/fs) − 2 f_lo/fs · sinc(2 f_lo t/fs)) for t = −(length−1)/2 …
 * (length−1)/2 samples, with [f_lo, f_hi] the i-th pair of {@link melBandEdgesHz} (Hz).
 * @param length filter length in samples (odd)
 */
export function sincFilterBank(filters: number, length: number, sampleRateHz: number): Float32Array {
  if (length % 2 !== 1) throw new Error(`sincFilterBank: the filter length must be odd, got ${length}`);
  const edges = melBandEdgesHz(filters, sampleRateHz);
  const window = hammingWindow(length);
  const half = (length - 1) / 2;
  const bank = new Float32Array(filters * length);
  const lowPass = (fc: number, t: number): number => {
    const arg = Math.fround(Math.fround(Math.fround(2 * fc) * t) / sampleRateHz);
    return Math.fround(Math.fround((2 * fc) / sampleRateHz) * sincF32(arg));
  };
  for (let i = 0; i < filters; i++) {
    for (let j = 0; j < length; j++) {
      const t = j - half;
      const ideal = Math.fround(lowPass(edges[i + 1], t) - lowPass(edges[i], t));
      bank[i * length + j] = Math.fround(window[j]) * ideal;
    }
  }
  return bank;
}

/**
 * Fixed sinc convolution: [B, samples] → [B, filters, samples − length + 1]. Holds no parameters
 * or buffers (the published checkpoints have none for it). With `freqMask` in training mode it
 * zeroes a random run of 0–19 adjacent filters per batch (the published "freq_aug" option).
 */
export class SincFrontEnd extends nn.Module {
  /** Filter taps, row-major [filters, length]. */
  readonly bank: Float32Array;
  readonly length: number;

  constructor(
    readonly filters: number,
    kernel: number,
    readonly sampleRateHz: number,
    readonly freqMask = false,
  ) {
    super();
    this.length = kernel % 2 === 0 ? kernel + 1 : kernel;
    this.bank = sincFilterBank(filters, this.length, sampleRateHz);
  }

  forward(wave: Tensor): Tensor {
    let taps = this.bank;
    if (this.freqMask && this.training) taps = this.maskedBank();
    const w = tensor(taps, [this.filters, 1, this.length]);
    return F.conv1d(wave.unsqueeze(1), w);
  }

  private maskedBank(): Float32Array {
    const width = randint(0, FREQ_MASK_MAX_FILTERS, [1]);
    const count = Math.trunc(width.item());
    width.dispose();
    const startT = randint(0, this.filters - count + 1, [1]);
    const start = Math.trunc(startT.item());
    startT.dispose();
    const taps = this.bank.slice();
    taps.fill(0, start * this.length, (start + count) * this.length);
    return taps;
  }
}
