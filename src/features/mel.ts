/**
 * Mel filterbanks and (log-)mel spectrograms, matching torchaudio 0.13
 * (`torchaudio.functional.melscale_fbanks`, `transforms.MelSpectrogram`).
 *
 * Defaults (16 kHz speech): nFft {@link DEFAULT_N_FFT} = 512 (32 ms), window
 * {@link DEFAULT_WIN_SAMPLES} = 400 (25 ms, hann), hop {@link DEFAULT_HOP_SAMPLES} = 160
 * (10 ms), {@link DEFAULT_N_MELS} = 64 HTK-scale filters over 0 Hz … Nyquist, no filter
 * normalisation, power spectrogram, ln(mel + 1e-6).
 */
import {
  melFilterWeights,
  resolveMelFilterbankOptions,
  type MelFilterbankOptions,
  type ResolvedMelFilterbankOptions,
} from '../dsp/index.js';
import { makeFeatures, type Features } from './types.js';
import {
  applyLog,
  DEFAULT_POWER,
  getStft,
  logCompression,
  validateSignal,
  type LogCompression,
  type LogOptions,
  type ResolvedStftOptions,
  type RowProjection,
  type StftOptions,
} from './stft.js';

// The filterbank math is a DSP primitive (the backbones' front ends use it too); the features face keeps offering it.
export {
  DEFAULT_F_MIN_HZ,
  DEFAULT_MEL_NORM,
  DEFAULT_MEL_SCALE,
  hzToMel,
  melFilterbank,
  melToHz,
  resolveMelFilterbankOptions,
  type MelFilterbankOptions,
  type MelNorm,
  type MelScale,
  type ResolvedMelFilterbankOptions,
} from '../dsp/index.js';

/** Default FFT size (samples): 32 ms at 16 kHz. */
export const DEFAULT_N_FFT = 512;
/** Default analysis window (samples): 25 ms at 16 kHz; used when nFft is not given either. */
export const DEFAULT_WIN_SAMPLES = 400;
/** Default hop (samples): 10 ms at 16 kHz. */
export const DEFAULT_HOP_SAMPLES = 160;
/** Default number of mel filters. */
export const DEFAULT_N_MELS = 64;
/**
 * A filterbank stored sparsely (each triangle's non-zero bin range), for fast application.
 */
export class MelFilterbank implements RowProjection {
  /** Resolved options. */
  readonly options: ResolvedMelFilterbankOptions;
  /** Spectrogram bins expected per frame, ⌊nFft/2⌋ + 1. */
  readonly nFreqs: number;
  /** Number of filters (output dims). */
  readonly nMels: number;
  /** Filters whose weights are all zero (too many filters for the FFT resolution). */
  readonly emptyFilters: number;
  private readonly start: Int32Array;
  private readonly end: Int32Array;
  private readonly offset: Int32Array;
  private readonly weights: Float64Array;

  constructor(o: MelFilterbankOptions) {
    this.options = resolveMelFilterbankOptions(o);
    const { nFreqs, w } = melFilterWeights(this.options);
    const nMels = this.options.nMels;
    this.nFreqs = nFreqs;
    this.nMels = nMels;
    this.start = new Int32Array(nMels);
    this.end = new Int32Array(nMels);
    this.offset = new Int32Array(nMels + 1);
    let total = 0;
    let empty = 0;
    for (let j = 0; j < nMels; j++) {
      let s = 0;
      while (s < nFreqs && w[s * nMels + j] === 0) s++;
      let e = nFreqs;
      while (e > s && w[(e - 1) * nMels + j] === 0) e--;
      if (e === s) empty++;
      this.start[j] = s;
      this.end[j] = e;
      this.offset[j] = total;
      total += e - s;
    }
    this.offset[nMels] = total;
    this.emptyFilters = empty;
    this.weights = new Float64Array(total);
    for (let j = 0; j < nMels; j++) {
      for (let k = this.start[j]; k < this.end[j]; k++) this.weights[this.offset[j] + k - this.start[j]] = w[k * nMels + j];
    }
  }

  /** {@link RowProjection}: spectrogram bins per input row. */
  get inputDims(): number {
    return this.nFreqs;
  }

  /** {@link RowProjection}: mel values per output row. */
  get outputDims(): number {
    return this.nMels;
  }

  /** Applies the bank to one spectrogram row: src[srcOffset …+nFreqs) → dst[dstOffset …+nMels). */
  projectRow(src: Float32Array, srcOffset: number, dst: Float32Array, dstOffset: number): void {
    const { nMels, start, end, offset, weights } = this;
    for (let j = 0; j < nMels; j++) {
      let acc = 0;
      const wBase = offset[j] - start[j] - srcOffset; // weight of src[i] is weights[wBase + i]
      for (let i = srcOffset + start[j], e = srcOffset + end[j]; i < e; i++) acc += src[i] * weights[wBase + i];
      dst[dstOffset + j] = acc;
    }
  }

  /**
   * Applies the bank to a spectrogram `[T, nFreqs]`, giving `[T, nMels]`.
   * @throws RangeError if the spectrogram does not have nFreqs bins.
   */
  apply(spec: Features): Features {
    if (spec.dims !== this.nFreqs) {
      throw new RangeError(`mel: spectrogram has ${spec.dims} bins, the filterbank expects ${this.nFreqs} (nFft = ${this.options.nFft})`);
    }
    const out = makeFeatures(spec.frames, this.nMels);
    for (let t = 0; t < spec.frames; t++) this.projectRow(spec.data, t * this.nFreqs, out.data, t * this.nMels);
    return out;
  }
}

const bankCache = new Map<string, MelFilterbank>();
const BANK_CACHE_SIZE = 16;

/** Returns a cached {@link MelFilterbank} for these options. */
export function getMelFilterbank(o: MelFilterbankOptions): MelFilterbank {
  const r = resolveMelFilterbankOptions(o);
  const key = `${r.sampleRateHz}/${r.nFft}/${r.nMels}/${r.fMinHz}/${r.fMaxHz}/${r.scale}/${r.norm}`;
  let bank = bankCache.get(key);
  if (bank === undefined) {
    bank = new MelFilterbank(r);
    if (bankCache.size >= BANK_CACHE_SIZE) bankCache.delete(bankCache.keys().next().value as string);
    bankCache.set(key, bank);
  }
  return bank;
}

/**
 * Options of {@link melSpectrogram}: STFT framing (all optional here, see
 * {@link resolveMelStftOptions}) plus the filterbank and the spectrogram exponent.
 */
export type MelSpectrogramOptions = Partial<StftOptions> &
  Omit<MelFilterbankOptions, 'nFft' | 'nMels'> & {
    /** Number of mel filters, default {@link DEFAULT_N_MELS}. */
    nMels?: number;
    /** 2 = power (default), 1 = magnitude spectrogram before the filterbank. */
    power?: 1 | 2;
  };

/**
 * STFT options of a mel front end: nFft defaults to {@link DEFAULT_N_FFT}, hop to
 * {@link DEFAULT_HOP_SAMPLES}; winSamples defaults to nFft when nFft is given (torch's
 * rule), else to {@link DEFAULT_WIN_SAMPLES}.
 */
export function resolveMelStftOptions(o: Partial<StftOptions>): StftOptions {
  const nFft = o.nFft ?? DEFAULT_N_FFT;
  const winSamples = o.winSamples ?? (o.nFft === undefined ? DEFAULT_WIN_SAMPLES : o.nFft);
  return { ...o, nFft, winSamples, hopSamples: o.hopSamples ?? DEFAULT_HOP_SAMPLES };
}

/**
 * A native implementation of {@link melSpectrogram} (in Node: the libtorch engine, whose FFT is
 * faster than any written in TypeScript); the browser, and Node without it, use the TypeScript path.
 */
export interface MelEngine {
  /**
   * The mel spectrogram `[T, nMels]` of `x` (finite, validated) with resolved STFT options and
   * `bank`, then `post.log` compression and the `post.dct` product (`[nMels, nOut]` row-major,
   * identified by `key` for caching) → `[T, nOut]`; or null when this engine does not handle the
   * case (the TypeScript path then does).
   */
  melSpectrogram(
    x: Float32Array,
    stft: ResolvedStftOptions,
    bank: MelFilterbank,
    power: 1 | 2,
    post?: { log?: LogCompression; dct?: { matrix: Float32Array; nOut: number; key: string } },
  ): Features | null;
}

let melEngine: MelEngine | null = null;

/** True when a native {@link MelEngine} is installed. */
export function melEngineInstalled(): boolean {
  return melEngine !== null;
}

/** Installs (or, with null, removes) the native {@link MelEngine} that {@link melSpectrogram} tries first. */
export function setMelEngine(engine: MelEngine | null): void {
  melEngine = engine;
}

/**
 * Mel spectrogram `[T, nMels]`: the power (or magnitude) spectrogram times the filterbank.
 * Equals `torchaudio.transforms.MelSpectrogram(...)(x).T` for the same settings. Runs on the
 * installed {@link MelEngine} when there is one (equal to float32 rounding), else in TypeScript.
 */
export function melSpectrogram(x: Float32Array, o: MelSpectrogramOptions): Features {
  const fast = onMelEngine(x, o);
  if (fast !== null) return fast;
  const { plan, bank } = melPlan(o);
  return plan.compute(x, o.power ?? DEFAULT_POWER, bank);
}

function melPlan(o: MelSpectrogramOptions): { plan: ReturnType<typeof getStft>; bank: MelFilterbank } {
  const stftOptions = resolveMelStftOptions(o);
  return { plan: getStft(stftOptions), bank: getMelFilterbank({ ...o, nFft: stftOptions.nFft, nMels: o.nMels ?? DEFAULT_N_MELS }) };
}

/**
 * The mel spectrogram of `x` (then `post`, see {@link MelEngine}) on the installed engine, or
 * null without one (the TypeScript path then validates the options) or when it declines.
 */
export function onMelEngine(x: Float32Array, o: MelSpectrogramOptions, post?: Parameters<MelEngine['melSpectrogram']>[4]): Features | null {
  const power = o.power ?? DEFAULT_POWER;
  // Without an engine the caller's TypeScript path resolves and validates everything itself.
  if (melEngine === null || (power !== 1 && power !== 2)) return null;
  const { plan, bank } = melPlan(o);
  const frames = x instanceof Float32Array && x.length > 0 ? plan.frameCount(x.length) : 0;
  if (frames === 0) {
    validateSignal(x, 'spectrogram'); // the TypeScript path's errors
    return null;
  }
  const out = melEngine.melSpectrogram(x, plan.options, bank, power, post);
  // A non-finite sample in any frame makes that frame non-finite, so checking the (much smaller)
  // output finds bad input; the samples after the last frame (no centring) are checked directly.
  const { nFft, hopSamples, center } = plan.options;
  const covered = center ? x.length : (frames - 1) * hopSamples + nFft;
  if (out === null || !allFinite(out.data) || !allFinite(x.subarray(covered))) validateSignal(x, 'spectrogram');
  return out;
}

function allFinite(v: Float32Array): boolean {
  for (let i = 0; i < v.length; i++) if (v[i] - v[i] !== 0) return false;
  return true;
}

/**
 * Log-mel spectrogram `[T, nMels]`: {@link melSpectrogram} compressed by
 * {@link applyLog} — by default ln(mel + 1e-6) (torchaudio MFCC's `log_mels` offset); pass
 * `log: 'db'` (with `topDb`, `dbRef`, …) for decibels.
 */
export function logMelSpectrogram(x: Float32Array, o: MelSpectrogramOptions & LogOptions): Features {
  const isPower = (o.power ?? DEFAULT_POWER) === 2;
  const log = logCompression(o, isPower); // validates the log options first, on either path
  const fast = log === null ? null : onMelEngine(x, o, { log });
  if (fast !== null) return fast;
  const mel = melSpectrogram(x, o);
  applyLog(mel.data, o, isPower);
  return mel;
}
