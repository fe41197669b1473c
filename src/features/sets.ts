/**
 * The spectrogram "image" feature sets of SER with pre-trained image classifiers (AlexNet fine-tuning, FCN+GAP):
 *
 * | name              | channels                                                    |
 * |-------------------|-------------------------------------------------------------|
 * | `logspec`         | log spectrogram (1, or 3 identical copies with `channels: 3`) |
 * | `logmelspec`      | log-mel spectrogram (1, or 3 identical copies)              |
 * | `logmeldeltaspec` | log-mel, Δ, ΔΔ                                              |
 * | `lognrevspec`     | log spectrogram of x, of x + white noise, of reverberated x |
 *
 * The recipe's README and extractor give `logspec` and `logmelspec` one channel (C = 1), so
 * that is the default; `channels: 3` replicates it for a 3-channel image CNN input.
 *
 * Recipe (that system's librosa code, re-expressed): pre-emphasis y[n] = x[n] − 0.97·x[n−1]
 * (y[0] = x[0]); STFT with a 40 ms hamming window, 10 ms hop, nFft 800, centred with reflect
 * padding; power → dB relative to the matrix maximum (`ref=np.max`), clamped at 1e-10 and
 * floored 80 dB below the maximum, per channel; `logspec` keeps the first 200 bins (0–4 kHz at
 * 16 kHz); mel sets use 128 slaney-scale, slaney-normalised filters (librosa's defaults);
 * deltas use N = 2 with edge replication (`librosa.feature.delta(width=5, mode='nearest')`),
 * ΔΔ being the delta of Δ. For `lognrevspec` the recipe added N(0, 0.002²) noise and SoX reverb;
 * here white noise is added at a fixed SNR and reverb is `reverberate` with a given RT60 (from
 * src/audio), both drawn from generators seeded by `seed` and a hash of the samples, so one
 * utterance always gets the same augmentation and different utterances get different noise.
 *
 * Output layout: `{ channels: C, frames: T, dims: D, data }`, data row-major `[C, T, D]`
 * (index (c·T + t)·D + d). The seed stores `(C, F, T)`; {@link toChannelDimTime} converts.
 */
import { DEFAULT_SAMPLE_RATE_HZ } from '../audio/pure.js';
import { addNoise, meanPower, reverberate, whiteNoise } from '../audio/pure.js';
import { makeRng } from '../core/pure.js';
import type { Features } from './types.js';
import { deltas } from './deltas.js';
import { getMelFilterbank, type MelNorm, type MelScale } from './mel.js';
import { applyLog, getStft, validateSignal } from './stft.js';
import type { WindowName } from '../dsp/index.js';

/** Names of the recipe's spectrogram sets. */
export type SpecSetName = 'logspec' | 'logmelspec' | 'logmeldeltaspec' | 'lognrevspec';
/** All spectrogram set names. */
export const SPEC_SET_NAMES: readonly SpecSetName[] = ['logspec', 'logmelspec', 'logmeldeltaspec', 'lognrevspec'];

/** Window length (ms) → ⌊0.040·sr⌋ samples (640 at 16 kHz). */
export const SPEC_SET_WIN_MS = 40;
/** Hop (ms) → ⌊0.010·sr⌋ samples (160 at 16 kHz). */
export const SPEC_SET_HOP_MS = 10;
/** FFT size (samples). */
export const SPEC_SET_N_FFT = 800;
/** Window shape. */
export const SPEC_SET_WINDOW: WindowName = 'hamming';
/** Linear-frequency bins kept by `logspec` / `lognrevspec` (200 × 20 Hz = 0–4 kHz at 16 kHz). */
export const SPEC_SET_N_FREQ_BINS = 200;
/** Mel filters of `logmelspec` / `logmeldeltaspec` (librosa's default). */
export const SPEC_SET_N_MELS = 128;
/** Pre-emphasis coefficient (librosa's default); 0 disables. */
export const SPEC_SET_PRE_EMPHASIS = 0.97;
/** dB range kept below each channel's maximum. */
export const SPEC_SET_TOP_DB = 80;
/** Delta half-width N (frames). */
export const SPEC_SET_DELTA_N = 2;
/** SNR of the noise channel of `lognrevspec` (dB). */
export const SPEC_SET_NOISE_SNR_DB = 20;
/** RT60 of the reverb channel of `lognrevspec` (s). */
export const SPEC_SET_REVERB_RT60_S = 0.5;
/** Default augmentation seed of `lognrevspec`. */
export const SPEC_SET_SEED = 0;

/** Options of the spectrogram sets; every field has a default (see the constants above). */
export interface SpecSetOptions {
  /** Sample rate of the input (Hz). */
  sampleRateHz?: number;
  /** FFT size (samples). */
  nFft?: number;
  /** Window length (samples); default ⌊SPEC_SET_WIN_MS·sr/1000⌋. */
  winSamples?: number;
  /** Hop (samples); default ⌊SPEC_SET_HOP_MS·sr/1000⌋. */
  hopSamples?: number;
  window?: WindowName;
  center?: boolean;
  padMode?: 'reflect' | 'constant';
  /** `logspec` / `lognrevspec`: first bins kept, ≤ ⌊nFft/2⌋ + 1. */
  nFreqBins?: number;
  /** Mel sets: number of filters. */
  nMels?: number;
  /** Mel sets: lowest / highest filter edge (Hz); default 0 and sr/2. */
  fMinHz?: number;
  fMaxHz?: number;
  /** Mel sets: scale and normalisation (default slaney / slaney, as librosa). */
  melScale?: MelScale;
  melNorm?: MelNorm;
  /** Pre-emphasis coefficient in [0, 1); 0 disables. */
  preEmphasis?: number;
  /** dB floor below each channel's maximum; null = none. */
  topDb?: number | null;
  /** `logmeldeltaspec`: delta half-width N (frames). */
  deltaN?: number;
  /** `logspec` / `logmelspec`: 1 (seed) or 3 identical channels. */
  channels?: 1 | 3;
  /** `lognrevspec`: SNR of the noisy channel (dB). */
  noiseSnrDb?: number;
  /** `lognrevspec`: RT60 of the reverberant channel (s). */
  reverbRt60S?: number;
  /** `lognrevspec`: augmentation seed (combined with a hash of the samples). */
  seed?: number;
}

/** {@link SpecSetOptions} with defaults filled in. */
export type ResolvedSpecSetOptions = Required<Omit<SpecSetOptions, 'fMaxHz'>> & { fMaxHz: number };

/**
 * Fills in defaults and validates the set options.
 * @throws RangeError naming the offending option.
 */
export function resolveSpecSetOptions(o: SpecSetOptions = {}): ResolvedSpecSetOptions {
  const sr = o.sampleRateHz ?? DEFAULT_SAMPLE_RATE_HZ;
  if (!Number.isFinite(sr) || sr <= 0) throw new RangeError(`spec set: sampleRateHz must be > 0 Hz, got ${sr}`);
  const r: ResolvedSpecSetOptions = {
    sampleRateHz: sr,
    nFft: o.nFft ?? SPEC_SET_N_FFT,
    winSamples: o.winSamples ?? Math.floor((SPEC_SET_WIN_MS / 1000) * sr),
    hopSamples: o.hopSamples ?? Math.floor((SPEC_SET_HOP_MS / 1000) * sr),
    window: o.window ?? SPEC_SET_WINDOW,
    center: o.center ?? true,
    padMode: o.padMode ?? 'reflect',
    nFreqBins: o.nFreqBins ?? SPEC_SET_N_FREQ_BINS,
    nMels: o.nMels ?? SPEC_SET_N_MELS,
    fMinHz: o.fMinHz ?? 0,
    fMaxHz: o.fMaxHz ?? sr / 2,
    melScale: o.melScale ?? 'slaney',
    melNorm: o.melNorm === undefined ? 'slaney' : o.melNorm,
    preEmphasis: o.preEmphasis ?? SPEC_SET_PRE_EMPHASIS,
    topDb: o.topDb === undefined ? SPEC_SET_TOP_DB : o.topDb,
    deltaN: o.deltaN ?? SPEC_SET_DELTA_N,
    channels: o.channels ?? 1,
    noiseSnrDb: o.noiseSnrDb ?? SPEC_SET_NOISE_SNR_DB,
    reverbRt60S: o.reverbRt60S ?? SPEC_SET_REVERB_RT60_S,
    seed: o.seed ?? SPEC_SET_SEED,
  };
  const bins = Math.floor(r.nFft / 2) + 1;
  if (!Number.isInteger(r.nFreqBins) || r.nFreqBins < 1 || r.nFreqBins > bins) {
    throw new RangeError(`spec set: nFreqBins must be an integer in [1, ${bins}] for nFft ${r.nFft}, got ${r.nFreqBins}`);
  }
  if (!(r.preEmphasis >= 0 && r.preEmphasis < 1)) throw new RangeError(`spec set: preEmphasis must be in [0, 1), got ${r.preEmphasis}`);
  if (r.channels !== 1 && r.channels !== 3) throw new RangeError(`spec set: channels must be 1 or 3, got ${String(r.channels)}`);
  if (!Number.isFinite(r.noiseSnrDb)) throw new RangeError(`spec set: noiseSnrDb must be finite, got ${r.noiseSnrDb}`);
  if (!Number.isFinite(r.seed)) throw new RangeError(`spec set: seed must be finite, got ${r.seed}`);
  // STFT, filterbank and top-dB settings are validated where they are used.
  return r;
}

/** Pre-emphasis y[n] = x[n] − c·x[n−1], y[0] = x[0] (librosa `preemphasis(x, coef=c, zi=[0])`). */
export function preEmphasize(x: Float32Array, coef: number): Float32Array {
  const y = new Float32Array(x.length);
  if (x.length === 0) return y;
  y[0] = x[0];
  for (let i = 1; i < x.length; i++) y[i] = x[i] - coef * x[i - 1];
  return y;
}

function stftOf(r: ResolvedSpecSetOptions) {
  return getStft({
    nFft: r.nFft,
    hopSamples: r.hopSamples,
    winSamples: r.winSamples,
    window: r.window,
    center: r.center,
    padMode: r.padMode,
  });
}

const dbOptions = (r: ResolvedSpecSetOptions) => ({ log: 'db' as const, dbRef: 'max' as const, dbAmin: 1e-10, topDb: r.topDb });

/** dB power spectrogram (ref = max) of an already pre-emphasised signal, first nFreqBins bins. */
function logSpecOf(y: Float32Array, r: ResolvedSpecSetOptions): Features {
  const spec = stftOf(r).compute(y, 2);
  applyLog(spec.data, dbOptions(r), true);
  const D = r.nFreqBins;
  if (D === spec.dims) return spec;
  const out = new Float32Array(spec.frames * D);
  for (let t = 0; t < spec.frames; t++) out.set(spec.data.subarray(t * spec.dims, t * spec.dims + D), t * D);
  return { data: out, channels: 1, frames: spec.frames, dims: D };
}

function logMelOf(y: Float32Array, r: ResolvedSpecSetOptions): Features {
  const bank = getMelFilterbank({
    sampleRateHz: r.sampleRateHz,
    nFft: r.nFft,
    nMels: r.nMels,
    fMinHz: r.fMinHz,
    fMaxHz: r.fMaxHz,
    scale: r.melScale,
    norm: r.melNorm,
  });
  const mel = stftOf(r).compute(y, 2, bank);
  applyLog(mel.data, dbOptions(r), true);
  return mel;
}

/** Stacks equally-shaped matrices into `[C, T, D]`. */
export function stackChannels(parts: Features[]): Features {
  if (parts.length === 0) throw new RangeError('stackChannels: no channels');
  const { frames, dims } = parts[0];
  const data = new Float32Array(parts.length * frames * dims);
  parts.forEach((p, c) => {
    if (p.frames !== frames || p.dims !== dims) {
      throw new RangeError(`stackChannels: channel ${c} is [${p.frames}, ${p.dims}], expected [${frames}, ${dims}]`);
    }
    data.set(p.data, c * frames * dims);
  });
  return { channels: parts.length, frames, dims, data };
}

function prepare(x: Float32Array, o: SpecSetOptions, who: string): { y: Float32Array; r: ResolvedSpecSetOptions } {
  validateSignal(x, who);
  const r = resolveSpecSetOptions(o);
  return { y: r.preEmphasis > 0 ? preEmphasize(x, r.preEmphasis) : x, r };
}

/** `logspec`: dB spectrogram, `[C, T, nFreqBins]` with C = `channels` (default 1). */
export function logspec(x: Float32Array, o: SpecSetOptions = {}): Features {
  const { y, r } = prepare(x, o, 'logspec');
  const s = logSpecOf(y, r);
  return stackChannels(r.channels === 3 ? [s, s, s] : [s]);
}

/** `logmelspec`: dB mel spectrogram, `[C, T, nMels]` with C = `channels` (default 1). */
export function logmelspec(x: Float32Array, o: SpecSetOptions = {}): Features {
  const { y, r } = prepare(x, o, 'logmelspec');
  const m = logMelOf(y, r);
  return stackChannels(r.channels === 3 ? [m, m, m] : [m]);
}

/** `logmeldeltaspec`: `[3, T, nMels]` = dB mel spectrogram, its Δ and ΔΔ (Δ of Δ). */
export function logmeldeltaspec(x: Float32Array, o: SpecSetOptions = {}): Features {
  const { y, r } = prepare(x, o, 'logmeldeltaspec');
  const m = logMelOf(y, r);
  const d1 = deltas(m, r.deltaN);
  return stackChannels([m, d1, deltas(d1, r.deltaN)]);
}

/** 32-bit FNV-1a over the samples' float32 bit patterns, mixed with `seed`. */
function contentSeed(x: Float32Array, seed: number, stream: number): number {
  const bits = new Uint32Array(x.buffer, x.byteOffset, x.length);
  let h = (0x811c9dc5 ^ (Math.trunc(seed) >>> 0) ^ Math.imul(stream, 0x9e3779b9)) >>> 0;
  for (let i = 0; i < bits.length; i++) h = Math.imul(h ^ bits[i], 0x01000193) >>> 0;
  return h;
}

/**
 * `lognrevspec`: `[3, T, nFreqBins]` = dB spectrograms of the (pre-emphasised) signal, of
 * signal + white noise at `noiseSnrDb`, and of the signal reverberated with RT60
 * `reverbRt60S`. An all-zero signal has no SNR; its noise channel is then the clean one.
 */
export function lognrevspec(x: Float32Array, o: SpecSetOptions = {}): Features {
  const { y, r } = prepare(x, o, 'lognrevspec');
  const noisy = meanPower(y) > 0 ? addNoise(y, whiteNoise(y.length, makeRng(contentSeed(x, r.seed, 1))), r.noiseSnrDb) : y;
  const wet = reverberate(y, r.sampleRateHz, r.reverbRt60S, makeRng(contentSeed(x, r.seed, 2)));
  return stackChannels([logSpecOf(y, r), logSpecOf(noisy, r), logSpecOf(wet, r)]);
}

/** The set functions by name. */
export const SPEC_SETS: Readonly<Record<SpecSetName, (x: Float32Array, o?: SpecSetOptions) => Features>> = {
  logspec,
  logmelspec,
  logmeldeltaspec,
  lognrevspec,
};

/** Converts `[C, T, D]` to the recipe's `(C, F, T)` order (a new array, index (c·D + d)·T + t). */
export function toChannelDimTime(m: Features): Float32Array {
  const { channels: C, frames: T, dims: D, data } = m;
  const out = new Float32Array(C * T * D);
  for (let c = 0; c < C; c++) {
    for (let t = 0; t < T; t++) {
      const src = (c * T + t) * D;
      for (let d = 0; d < D; d++) out[(c * D + d) * T + t] = data[src + d];
    }
  }
  return out;
}
