/**
 * Low-level descriptors (LLDs) of `egemaps-ts`: framing, silence gate, and the per-frame
 * contours from the pitch, voice-quality, formant and spectral modules.
 *
 * Framing: frame t is centred on sample t·hop, hop = 10 ms, T = ⌊N/hop⌋ + 1 frames (signal
 * zero-padded at both ends). Spectral/energy LLDs use a 25 ms Hamming window (FFT size = next
 * power of two, 512 at 16 kHz); F0/HNR/jitter/shimmer use a 60 ms window.
 */
import { spectrogram } from '../stft.js';
import { getMelFilterbank, type MelFilterbank } from '../mel.js';
import { mfccFromMel } from '../mfcc.js';
import { makeWindow } from '../../dsp/index.js';
import {
  ENERGY_FLOOR_DB,
  FORMANT_COUNT,
  FRAME_HOP_S,
  MEL_BANDS,
  MEL_FMAX_HZ,
  MEL_FMIN_HZ,
  MFCC_COUNT,
  MIN_DURATION_S,
  MIN_SAMPLE_RATE_HZ,
  SEMITONE_REF_HZ,
  SILENCE_ABS_DB,
  SILENCE_REL_DB,
  SPECTRAL_WINDOW,
  SPECTRAL_WINDOW_S,
} from './constants.js';
import { FormantAnalyzer } from './formants.js';
import { sma3 } from './functionals.js';
import { trackPitch, type PitchTrack } from './pitch.js';
import { SpectralAnalyzer, type SpectralLlds } from './spectral.js';
import type { LldContours } from './summary.js';
import { measurePeriods } from './periods.js';
import { jitterShimmer, type JitterShimmer } from './voice-quality.js';

/** Frame geometry for one sample rate. */
interface Framing {
  hopSamples: number;
  spectralWindowSamples: number;
  nFft: number;
  frameCount: number;
}

/** Raw (unsmoothed) LLDs, for inspection and tests. */
export interface RawLlds {
  framing: Framing;
  /** Frame RMS energy (dB re full scale, floored at {@link ENERGY_FLOOR_DB}). */
  energyDb: Float32Array;
  /** 1 for frames above the silence gate. */
  active: Uint8Array;
  pitch: PitchTrack;
  voiceQuality: JitterShimmer;
  /** Formant frequencies F1..F3 (Hz), `NaN` in unvoiced frames or when not found. */
  formantHz: Float32Array[];
  /** Formant bandwidths (Hz), same convention. */
  formantBandwidthHz: Float32Array[];
  spectral: SpectralLlds;
  /** MFCC 1..4 (index k = MFCC k+1): orthonormal DCT-II of ln(mel + 1e-6). */
  mfcc: Float32Array[];
}

/**
 * Validates the input of the feature set.
 * @throws TypeError for a non-Float32Array input; RangeError for a bad sample rate, input
 *   shorter than {@link MIN_DURATION_S}, or non-finite samples.
 */
export function validateInput(x: Float32Array, sampleRateHz: number): void {
  if (!(x instanceof Float32Array)) throw new TypeError('egemaps-ts: input must be a Float32Array');
  if (!Number.isFinite(sampleRateHz) || sampleRateHz < MIN_SAMPLE_RATE_HZ) {
    throw new RangeError(`egemaps-ts: sampleRateHz must be a finite number ≥ ${MIN_SAMPLE_RATE_HZ}, got ${sampleRateHz}`);
  }
  const minSamples = Math.ceil(MIN_DURATION_S * sampleRateHz);
  if (x.length < minSamples) {
    throw new RangeError(
      `egemaps-ts: input too short: ${x.length} samples (${(x.length / sampleRateHz).toFixed(3)} s); ` +
        `at least ${MIN_DURATION_S} s (${minSamples} samples at ${sampleRateHz} Hz) is required`,
    );
  }
  for (let i = 0; i < x.length; i++) {
    const v = x[i];
    if (v - v !== 0) throw new RangeError(`egemaps-ts: sample ${i} is not finite (${v})`);
  }
}

/** Frame geometry of a signal of `nSamples` samples. */
function framing(nSamples: number, sampleRateHz: number): Framing {
  const hopSamples = Math.round(FRAME_HOP_S * sampleRateHz);
  const spectralWindowSamples = Math.round(SPECTRAL_WINDOW_S * sampleRateHz);
  let nFft = 1;
  while (nFft < spectralWindowSamples) nFft <<= 1;
  return { hopSamples, spectralWindowSamples, nFft, frameCount: Math.floor(nSamples / hopSamples) + 1 };
}

interface Tables {
  mel: MelFilterbank;
  spectral: SpectralAnalyzer;
  formants: FormantAnalyzer;
  windowPower: number;
}

const tableCache = new Map<string, Tables>();

function tables(sampleRateHz: number, f: Framing): Tables {
  const key = `${sampleRateHz}/${f.nFft}/${f.spectralWindowSamples}`;
  let t = tableCache.get(key);
  if (!t) {
    const mel = getMelFilterbank({
      sampleRateHz,
      nFft: f.nFft,
      nMels: MEL_BANDS,
      fMinHz: MEL_FMIN_HZ,
      fMaxHz: Math.min(MEL_FMAX_HZ, sampleRateHz / 2),
      scale: 'htk',
      norm: null,
    });
    // Σ w² of the STFT's window normalises the periodogram.
    let windowPower = 0;
    for (const w of makeWindow(SPECTRAL_WINDOW, f.spectralWindowSamples)) windowPower += w * w;
    t = {
      mel,
      spectral: new SpectralAnalyzer(sampleRateHz, f.nFft),
      formants: new FormantAnalyzer(sampleRateHz, f.nFft),
      windowPower,
    };
    tableCache.set(key, t);
  }
  return t;
}

/** Frame RMS energy in dB over the 25 ms window centred on each frame (zero-padded edges). */
function frameEnergyDb(x: Float32Array, f: Framing): Float32Array {
  const out = new Float32Array(f.frameCount);
  const n = f.spectralWindowSamples;
  const half = Math.floor(n / 2);
  // Prefix sums of x² in double precision.
  const cum = new Float64Array(x.length + 1);
  for (let i = 0; i < x.length; i++) cum[i + 1] = cum[i] + x[i] * x[i];
  for (let t = 0; t < f.frameCount; t++) {
    const a = Math.max(0, Math.min(x.length, t * f.hopSamples - half));
    const b = Math.max(0, Math.min(x.length, t * f.hopSamples - half + n));
    const ms = Math.max(0, cum[b] - cum[a]) / n;
    out[t] = Math.max(ENERGY_FLOOR_DB, 10 * Math.log10(ms > 0 ? ms : 1e-30));
  }
  return out;
}

/**
 * Computes the raw LLD contours.
 * @param x signal (full scale ±1), validated by {@link validateInput}
 * @param sampleRateHz sample rate (Hz)
 */
export function computeRawLlds(x: Float32Array, sampleRateHz: number): RawLlds {
  const f = framing(x.length, sampleRateHz);
  const tab = tables(sampleRateHz, f);
  const T = f.frameCount;

  const energyDb = frameEnergyDb(x, f);
  let maxDb = -Infinity;
  for (let t = 0; t < T; t++) maxDb = Math.max(maxDb, energyDb[t]);
  const gate = Math.max(SILENCE_ABS_DB, maxDb - SILENCE_REL_DB);
  const active = new Uint8Array(T);
  for (let t = 0; t < T; t++) active[t] = energyDb[t] >= gate ? 1 : 0;

  const pitch = trackPitch(x, sampleRateHz, T, f.hopSamples, active);
  const periods = measurePeriods(x, sampleRateHz, pitch.f0Hz, pitch.voiced, f.hopSamples);
  const voiceQuality = jitterShimmer(periods, pitch.voiced, f.hopSamples, pitch.windowSamples, sampleRateHz);

  const spec = spectrogram(x, {
    nFft: f.nFft,
    hopSamples: f.hopSamples,
    winSamples: f.spectralWindowSamples,
    window: SPECTRAL_WINDOW,
    center: true,
    padMode: 'constant',
    power: 2,
  });
  if (spec.frames !== T) throw new Error(`egemaps-ts: internal framing mismatch (${spec.frames} vs ${T} frames)`);
  const power = spec.data;
  const scale = 1 / tab.windowPower;
  for (let i = 0; i < power.length; i++) power[i] *= scale;

  const mel = tab.mel.apply(spec);
  const spectral = tab.spectral.analyze(power, mel.data, T);
  const cep = mfccFromMel(mel, { nMfcc: MFCC_COUNT + 1, logMels: true, dctNorm: 'ortho' });
  const mfcc = Array.from({ length: MFCC_COUNT }, (_, k) => {
    const c = new Float32Array(T);
    for (let t = 0; t < T; t++) c[t] = cep.data[t * cep.dims + k + 1];
    return c;
  });

  const formantHz = Array.from({ length: FORMANT_COUNT }, () => new Float32Array(T).fill(NaN));
  const formantBandwidthHz = Array.from({ length: FORMANT_COUNT }, () => new Float32Array(T).fill(NaN));
  const ff = { frequencyHz: new Float64Array(FORMANT_COUNT), bandwidthHz: new Float64Array(FORMANT_COUNT) };
  const bins = spec.dims;
  for (let t = 0; t < T; t++) {
    if (!pitch.voiced[t]) continue;
    tab.formants.analyze(power.subarray(t * bins, (t + 1) * bins), ff);
    for (let k = 0; k < FORMANT_COUNT; k++) {
      formantHz[k][t] = ff.frequencyHz[k];
      formantBandwidthHz[k][t] = ff.bandwidthHz[k];
    }
  }
  return { framing: f, energyDb, active, pitch, voiceQuality, formantHz, formantBandwidthHz, spectral, mfcc };
}

/** Applies 3-frame smoothing and derives the contours used by the functionals. */
export function smoothLlds(raw: RawLlds, nSamples: number, sampleRateHz: number): LldContours {
  const { pitch, spectral } = raw;
  const T = raw.framing.frameCount;
  const f0Semitone = new Float32Array(T);
  for (let t = 0; t < T; t++) f0Semitone[t] = 12 * Math.log2(pitch.f0Hz[t] / SEMITONE_REF_HZ);
  const unvoicedActive = new Uint8Array(T);
  for (let t = 0; t < T; t++) unvoicedActive[t] = !pitch.voiced[t] && raw.active[t] ? 1 : 0;
  return {
    frameStepS: raw.framing.hopSamples / sampleRateHz,
    durationS: nSamples / sampleRateHz,
    voiced: pitch.voiced,
    unvoicedActive,
    f0Semitone: sma3(f0Semitone),
    f0Hz: sma3(pitch.f0Hz),
    loudness: sma3(spectral.loudness),
    jitterLocal: sma3(raw.voiceQuality.jitterLocal),
    shimmerLocalDb: sma3(raw.voiceQuality.shimmerLocalDb),
    hnrDb: sma3(pitch.hnrDb),
    formantHz: raw.formantHz.map(sma3),
    formantBandwidthHz: raw.formantBandwidthHz.map(sma3),
    alphaRatioDb: sma3(spectral.alphaRatioDb),
    hammarbergDb: sma3(spectral.hammarbergDb),
    slope0to500DbPerKHz: sma3(spectral.slope0to500DbPerKHz),
    slope500to1500DbPerKHz: sma3(spectral.slope500to1500DbPerKHz),
    spectralFlux: sma3(spectral.spectralFlux),
    mfcc: raw.mfcc.map(sma3),
    energyDb: sma3(raw.energyDb),
  };
}
