/**
 * s3prl's APC and TERA front ends in plain TypeScript (no engine, no Node built-ins, so it runs in
 * browsers too): the same features as the engine's `S3prlFrontEnd` (./frontend.ts), computed in
 * float64 with the project's FFT and rounded to float32 at the end.
 *
 * - Kaldi-compatible log fbank (`torchaudio.compliance.kaldi.fbank`, snip_edges): per-frame DC
 *   removal, pre-emphasis (the first sample against itself), a symmetric Kaldi window, zero
 *   padding to the FFT size, |X|² (or |X|) into Kaldi's mel triangles, ln(max(·, 2⁻²³)).
 * - TERA's online log-mel: the waveform scaled to an RMS of `target_level` dB, a centred STFT
 *   (reflect padding of nFft/2), a periodic Hann window centred in the 2·(n_freq − 1)-point FFT,
 *   |X|² into HTK mel filters, ln(mel + 1e-10).
 *
 * Then optional deltas (torchaudio's `compute_deltas`, replicate padding) stacked [x, Δx, ΔΔx, …]
 * along the feature axis, and optional per-utterance CMVN (x − mean) / (unbiased std + 1e-10).
 */
import { RealFft, makeWindow, melFilterWeights, resolveMelFilterbankOptions } from '../../dsp/index.js';
import {
  CMVN_EPS,
  S3PRL_SAMPLE_RATE_HZ,
  frontEndDims,
  kaldiFrameSamples,
  logMelFrameSamples,
  type FrontEndConfig,
  type KaldiWindow,
} from './config.js';

/** Kaldi's floor on filterbank energies before the log: float32 machine epsilon. */
export const KALDI_LOG_FLOOR = 2 ** -23;
/** Added to mel energies before the log in TERA's online front end. */
export const LOG_MEL_EPS = 1e-10;
/** Added to the waveform's RMS when scaling it to the target level. */
export const WAV_RMS_EPS = 1e-10;
/** Frames the unbiased std of CMVN needs. */
const CMVN_MIN_FRAMES = 2;
/** Kaldi's mel scale: 1127·ln(1 + f / 700 Hz). */
const KALDI_MEL_SCALE = 1127;
const KALDI_MEL_BREAK_HZ = 700;
const HAMMING_ALPHA = 0.54;
const HAMMING_BETA = 0.46;
/** dB of amplitude: gain = 10^(dB / 20). */
const DB_PER_AMPLITUDE_DECADE = 20;

function kaldiMel(hz: number): number {
  return KALDI_MEL_SCALE * Math.log(1 + hz / KALDI_MEL_BREAK_HZ);
}

/**
 * Kaldi's mel filterbank as a row-major [nFft/2 + 1, numBins] matrix (the Nyquist row is zero, as
 * torchaudio pads it): filter b rises from mel_low + b·Δ to its centre and falls to mel_low + (b+2)·Δ,
 * Δ = (mel_high − mel_low)/(numBins + 1), linearly on the mel axis. Tabulated in float32 step by
 * step, as torchaudio does (the edges in double, the rest in float32 tensors).
 * @param nFft - FFT size (samples).
 * @param sampleRateHz - sample rate (Hz).
 * @param lowHz - lower edge (Hz).
 * @param highHz - upper edge (Hz); ≤ 0 is an offset from the Nyquist frequency.
 */
function kaldiMelBanks(numBins: number, nFft: number, sampleRateHz: number, lowHz: number, highHz: number): Float64Array {
  const f = Math.fround;
  const nyquist = sampleRateHz / 2;
  const melLow = kaldiMel(lowHz);
  const melHigh = kaldiMel(highHz <= 0 ? highHz + nyquist : highHz);
  const delta = (melHigh - melLow) / (numBins + 1);
  const binHz = f(sampleRateHz / nFft);
  const rows = nFft / 2 + 1;
  const out = new Float64Array(rows * numBins);
  const edge = (b: number): number => f(f(melLow) + f(f(b) * f(delta)));
  for (let k = 0; k < rows - 1; k++) {
    const mel = f(f(KALDI_MEL_SCALE) * f(Math.log(f(1 + f(f(binHz * k) / KALDI_MEL_BREAK_HZ)))));
    for (let b = 0; b < numBins; b++) {
      const [left, centre, right] = [edge(b), edge(b + 1), edge(b + 2)];
      const up = f(f(mel - left) / f(centre - left));
      const down = f(f(right - mel) / f(right - centre));
      out[k * numBins + b] = Math.max(0, Math.min(up, down));
    }
  }
  return out;
}

/**
 * Kaldi's analysis windows of `n` samples (symmetric: the ends are n = 0 and n = N − 1).
 * @param n - window length (samples, ≥ 2).
 */
function kaldiWindow(type: KaldiWindow, n: number): Float64Array {
  if (type === 'povey') return makeWindow('povey', n);
  const w = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const c = Math.cos((2 * Math.PI * i) / (n - 1));
    w[i] = type === 'hamming' ? HAMMING_ALPHA - HAMMING_BETA * c : type === 'hanning' ? 0.5 - 0.5 * c : 1;
  }
  return w;
}

/** The framing of a front end (samples). */
export interface Framing {
  /** Samples per frame taken from the (padded) signal. */
  frame: number;
  hop: number;
  nFft: number;
  /** Reflect padding on each side (centred STFT), 0 for Kaldi. */
  pad: number;
}

/** A front end's geometry and tables, the same for this front end and the engine's (./frontend.ts). */
export interface FrontEndTables {
  /** Feature width D (bins × (deltas + 1)). */
  dims: number;
  /** Filterbank outputs per frame. */
  bins: number;
  framing: Framing;
  /** Analysis window, `framing.frame` samples. */
  window: Float64Array;
  /** Filterbank, row-major [nFft/2 + 1, bins]. */
  bank: Float64Array;
  /** Shortest input (samples) that gives `minFrames` frames (and the 2 CMVN needs). */
  minSamples: number;
}

/**
 * The framing, window, filterbank and shortest input of front end `config`.
 * @param minFrames - frames the network needs at least (e.g. TERA's downsample rate).
 */
export function frontEndTables(config: FrontEndConfig, minFrames = 1): FrontEndTables {
  const s = config.spectrum;
  const dims = frontEndDims(config);
  const need = Math.max(minFrames, config.cmvn ? CMVN_MIN_FRAMES : 1);
  if (s.kind === 'kaldi-fbank') {
    const { frame, hop } = kaldiFrameSamples(s);
    const nFft = s.roundToPowerOfTwo ? 2 ** Math.ceil(Math.log2(frame)) : frame;
    return {
      dims,
      bins: s.numMelBins,
      framing: { frame, hop, nFft, pad: 0 },
      window: kaldiWindow(s.windowType, frame),
      bank: kaldiMelBanks(s.numMelBins, nFft, S3PRL_SAMPLE_RATE_HZ, s.lowFreqHz, s.highFreqHz),
      minSamples: frame + (need - 1) * hop,
    };
  }
  const { win, hop, nFft } = logMelFrameSamples(s);
  const window = new Float64Array(nFft);
  window.set(makeWindow('hann', win), Math.floor((nFft - win) / 2));
  const pad = Math.floor(nFft / 2);
  return {
    dims,
    bins: s.nMels,
    framing: { frame: nFft, hop, nFft, pad },
    window,
    bank: melFilterWeights(
      resolveMelFilterbankOptions({ sampleRateHz: S3PRL_SAMPLE_RATE_HZ, nFft, nMels: s.nMels, scale: 'htk', norm: null }),
    ).w,
    // The reflect padding needs more samples than it pads.
    minSamples: Math.max(pad + 1, (need - 1) * hop),
  };
}

/** Frames of `samples` input samples under `framing` (0 when too short for one). */
export function framesOf(framing: Framing, samples: number): number {
  const { frame, hop, pad } = framing;
  if (pad > 0) return samples > pad ? 1 + Math.floor(samples / hop) : 0;
  return samples < frame ? 0 : 1 + Math.floor((samples - frame) / hop);
}

/**
 * Checks that `samples` samples give enough frames for front end `config` (2 with CMVN).
 * @throws Error naming the count and the length to pad to.
 */
export function checkFrames(config: FrontEndConfig, samples: number, frames: number, minSamples: number): void {
  if (frames < (config.cmvn ? CMVN_MIN_FRAMES : 1))
    throw new Error(`s3prl front end: ${samples} samples give ${frames} frames, too few (pad inputs to ${minSamples} samples)`);
}

/**
 * A front end without the engine: 16 kHz waveform [S] in [-1, 1] → features [T, D], row-major
 * float32. Same framing, limits and values (to float32 rounding) as the engine's `S3prlFrontEnd`.
 */
export class S3prlFeatures {
  /** Feature width D (bins × (deltas + 1)). */
  readonly dims: number;
  /** Hop between frames (samples). */
  readonly hopSamples: number;
  /** Shortest input (samples) that gives `minFrames` frames (and the 2 CMVN needs). */
  readonly minSamples: number;
  private readonly framing: Framing;
  /** Analysis window, `framing.frame` samples. */
  private readonly window: Float64Array;
  /** Filterbank, row-major [nFft/2 + 1, bins]. */
  private readonly bank: Float64Array;
  private readonly bins: number;
  private readonly fft: RealFft;
  /** Scratch: one frame (nFft samples) and its one-sided spectrum. */
  private readonly buf: Float64Array;
  private readonly re: Float64Array;
  private readonly im: Float64Array;

  /** @param minFrames - frames the network needs at least (e.g. TERA's downsample rate). */
  constructor(
    readonly config: FrontEndConfig,
    minFrames = 1,
  ) {
    const t = frontEndTables(config, minFrames);
    ({ dims: this.dims, bins: this.bins, framing: this.framing, window: this.window, bank: this.bank, minSamples: this.minSamples } = t);
    this.hopSamples = this.framing.hop;
    this.fft = new RealFft(this.framing.nFft);
    this.buf = new Float64Array(this.framing.nFft);
    this.re = new Float64Array(this.fft.bins);
    this.im = new Float64Array(this.fft.bins);
  }

  /** Frames of `samples` input samples (0 when too short for one). */
  framesFor(samples: number): number {
    return framesOf(this.framing, samples);
  }

  /**
   * Features of one waveform x [S] (16 kHz samples) → [T, D] row-major float32, T = framesFor(S).
   * @throws Error when x is shorter than one frame, or gives fewer than 2 frames with CMVN.
   */
  features(x: Float32Array): Float32Array {
    const samples = x.length;
    const frames = this.framesFor(samples);
    checkFrames(this.config, samples, frames, this.minSamples);
    const { dims, bins } = this;
    const h = new Float64Array(frames * dims);
    const src = this.source(x);
    const mel = new Float64Array(bins);
    for (let t = 0; t < frames; t++) {
      this.spectrum(src, t, mel);
      h.set(mel, t * dims);
    }
    const c = this.config;
    for (let o = 1; o <= c.deltaOrder; o++) deltas(h, frames, dims, (o - 1) * bins, o * bins, bins, c.deltaWinLength);
    if (c.cmvn) cmvn(h, frames, dims);
    return Float32Array.from(h);
  }

  /** The signal frames are cut from: x in float64 (Kaldi), or scaled and reflect-padded (log-mel). */
  private source(x: Float32Array): Float64Array {
    const s = this.config.spectrum;
    if (s.kind === 'kaldi-fbank') return Float64Array.from(x);
    const n = x.length;
    let sq = 0;
    for (let i = 0; i < n; i++) sq += x[i] * x[i];
    const gain = (1 / (Math.sqrt(sq / n) + WAV_RMS_EPS)) * 10 ** (s.targetLevelDb / DB_PER_AMPLITUDE_DECADE);
    const p = this.framing.pad;
    const out = new Float64Array(n + 2 * p);
    for (let i = 0; i < out.length; i++) {
      const j = i - p;
      out[i] = x[j < 0 ? -j : j >= n ? 2 * (n - 1) - j : j] * gain;
    }
    return out;
  }

  /** Log filterbank energies of frame t of the (padded) signal → `out` [bins]. */
  private spectrum(src: Float64Array, t: number, out: Float64Array): void {
    const { frame, hop, nFft } = this.framing;
    const { fft, window, bank, bins, buf, re, im } = this;
    const s = this.config.spectrum;
    buf.fill(0, frame, nFft);
    for (let j = 0; j < frame; j++) buf[j] = src[t * hop + j];
    if (s.kind === 'kaldi-fbank') {
      if (s.removeDcOffset) {
        let sum = 0;
        for (let j = 0; j < frame; j++) sum += buf[j];
        const mean = sum / frame;
        for (let j = 0; j < frame; j++) buf[j] -= mean;
      }
      if (s.preemphasis !== 0) {
        for (let j = frame - 1; j > 0; j--) buf[j] -= buf[j - 1] * s.preemphasis;
        buf[0] -= buf[0] * s.preemphasis;
      }
    }
    for (let j = 0; j < frame; j++) buf[j] *= window[j];
    fft.forward(buf, re, im);
    const magnitude = s.kind === 'kaldi-fbank' && !s.usePower;
    out.fill(0);
    for (let k = 0; k < fft.bins; k++) {
      const p = re[k] * re[k] + im[k] * im[k];
      const v = magnitude ? Math.sqrt(p) : p;
      for (let b = 0; b < bins; b++) out[b] += v * bank[k * bins + b];
    }
    for (let b = 0; b < bins; b++)
      out[b] = s.kind === 'kaldi-fbank' ? Math.log(Math.max(out[b], KALDI_LOG_FLOOR)) : Math.log(out[b] + LOG_MEL_EPS);
  }
}

/**
 * Deltas along time of columns [from, from + width) of h [T, stride] into columns [to, to + width)
 * (torchaudio's `compute_deltas`: replicate padding, Σₖ k·(x[t+k] − x[t−k]) / (n(n+1)(2n+1)/3)).
 * @param winLength - window (frames); n = ⌊(winLength − 1)/2⌋.
 */
function deltas(h: Float64Array, frames: number, stride: number, from: number, to: number, width: number, winLength: number): void {
  const n = Math.floor((winLength - 1) / 2);
  const denom = (n * (n + 1) * (2 * n + 1)) / 3;
  for (let t = 0; t < frames; t++) {
    for (let d = 0; d < width; d++) {
      let sum = 0;
      for (let k = 1; k <= n; k++) {
        const ahead = h[Math.min(t + k, frames - 1) * stride + from + d];
        const behind = h[Math.max(t - k, 0) * stride + from + d];
        sum += (ahead - behind) * k;
      }
      h[t * stride + to + d] = sum / denom;
    }
  }
}

/** Per-column (x − mean) / (unbiased std + {@link CMVN_EPS}) over the T rows of h [T, dims], in place. */
function cmvn(h: Float64Array, frames: number, dims: number): void {
  for (let d = 0; d < dims; d++) {
    let sum = 0;
    for (let t = 0; t < frames; t++) sum += h[t * dims + d];
    const mean = sum / frames;
    let sq = 0;
    for (let t = 0; t < frames; t++) sq += (h[t * dims + d] - mean) ** 2;
    const std = Math.sqrt(sq / (frames - 1));
    for (let t = 0; t < frames; t++) h[t * dims + d] = (h[t * dims + d] - mean) / (std + CMVN_EPS);
  }
}
