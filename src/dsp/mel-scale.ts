/**
 * Mel scales and triangular mel filterbanks, matching torchaudio 0.13's
 * `torchaudio.functional.melscale_fbanks` (HTK scale) and librosa's `filters.mel` (Slaney
 * scale and normalisation, which Whisper's front end uses).
 */

/** Default lowest filter edge (Hz). */
export const DEFAULT_F_MIN_HZ = 0;
/** Default mel scale (torchaudio's default). */
export const DEFAULT_MEL_SCALE: MelScale = 'htk';
/** Default filter normalisation (torchaudio's default: none). */
export const DEFAULT_MEL_NORM: MelNorm = null;

/** `htk`: 2595·log10(1 + f/700). `slaney`: linear below 1 kHz (f/(200/3)), log above (librosa). */
export type MelScale = 'htk' | 'slaney';
/** `slaney`: divide each triangle by half its width in Hz (area normalisation); null: peak 1. */
export type MelNorm = 'slaney' | null;

/** Mel filterbank definition (frequencies in Hz). */
export interface MelFilterbankOptions {
  /** Sample rate (Hz) of the signal the spectrogram came from. */
  sampleRateHz: number;
  /** FFT size (samples); the bank covers ⌊nFft/2⌋ + 1 bins. */
  nFft: number;
  /** Number of triangular filters. */
  nMels: number;
  /** Lower edge of the first filter (Hz), default {@link DEFAULT_F_MIN_HZ}. */
  fMinHz?: number;
  /** Upper edge of the last filter (Hz), ≤ sampleRateHz/2; default ⌊sampleRateHz/2⌋ (as torchaudio). */
  fMaxHz?: number;
  /** Mel scale, default {@link DEFAULT_MEL_SCALE}. */
  scale?: MelScale;
  /** Filter normalisation, default {@link DEFAULT_MEL_NORM}. */
  norm?: MelNorm;
}

const SLANEY_F_SP = 200 / 3;
const SLANEY_MIN_LOG_HZ = 1000;
const SLANEY_MIN_LOG_MEL = SLANEY_MIN_LOG_HZ / SLANEY_F_SP;
const SLANEY_LOGSTEP = Math.log(6.4) / 27;

/** Hz → mel on the given scale. */
export function hzToMel(hz: number, scale: MelScale = DEFAULT_MEL_SCALE): number {
  if (scale === 'htk') return 2595 * Math.log10(1 + hz / 700);
  if (hz >= SLANEY_MIN_LOG_HZ) return SLANEY_MIN_LOG_MEL + Math.log(hz / SLANEY_MIN_LOG_HZ) / SLANEY_LOGSTEP;
  return hz / SLANEY_F_SP;
}

/** Mel → Hz on the given scale (inverse of {@link hzToMel}). */
export function melToHz(mel: number, scale: MelScale = DEFAULT_MEL_SCALE): number {
  if (scale === 'htk') return 700 * (10 ** (mel / 2595) - 1);
  if (mel >= SLANEY_MIN_LOG_MEL) return SLANEY_MIN_LOG_HZ * Math.exp(SLANEY_LOGSTEP * (mel - SLANEY_MIN_LOG_MEL));
  return SLANEY_F_SP * mel;
}

/** Validated filterbank options with defaults filled in. */
export type ResolvedMelFilterbankOptions = Required<MelFilterbankOptions>;

/**
 * Validates filterbank options.
 * @throws RangeError naming the offending option (e.g. fMaxHz above Nyquist).
 */
export function resolveMelFilterbankOptions(o: MelFilterbankOptions): ResolvedMelFilterbankOptions {
  const sr = o.sampleRateHz;
  if (typeof sr !== 'number' || !Number.isFinite(sr) || sr <= 0) {
    throw new RangeError(`mel: sampleRateHz must be a positive number (Hz), got ${sr}`);
  }
  if (!Number.isInteger(o.nFft) || o.nFft < 2) throw new RangeError(`mel: nFft must be an integer ≥ 2 (samples), got ${o.nFft}`);
  if (!Number.isInteger(o.nMels) || o.nMels < 1) throw new RangeError(`mel: nMels must be a positive integer, got ${o.nMels}`);
  const fMinHz = o.fMinHz ?? DEFAULT_F_MIN_HZ;
  const fMaxHz = o.fMaxHz ?? Math.floor(sr / 2);
  if (!Number.isFinite(fMinHz) || fMinHz < 0) throw new RangeError(`mel: fMinHz must be ≥ 0 Hz, got ${fMinHz}`);
  if (!Number.isFinite(fMaxHz) || fMaxHz > sr / 2) {
    throw new RangeError(`mel: fMaxHz (${fMaxHz} Hz) must not exceed the Nyquist frequency ${sr / 2} Hz`);
  }
  if (fMinHz >= fMaxHz) throw new RangeError(`mel: fMinHz (${fMinHz} Hz) must be below fMaxHz (${fMaxHz} Hz)`);
  const scale = o.scale ?? DEFAULT_MEL_SCALE;
  if (scale !== 'htk' && scale !== 'slaney') throw new RangeError(`mel: scale must be 'htk' or 'slaney', got '${String(scale)}'`);
  const norm = o.norm === undefined ? DEFAULT_MEL_NORM : o.norm;
  if (norm !== null && norm !== 'slaney') throw new RangeError(`mel: norm must be 'slaney' or null, got '${String(norm)}'`);
  return { sampleRateHz: sr, nFft: o.nFft, nMels: o.nMels, fMinHz, fMaxHz, scale, norm };
}

/** Weights of filter j at bins k, in double precision: w(k, j), row-major [nFreqs, nMels]. */
export function melFilterWeights(r: ResolvedMelFilterbankOptions): { nFreqs: number; w: Float64Array } {
  const nFreqs = Math.floor(r.nFft / 2) + 1;
  const { nMels, scale } = r;
  const top = Math.floor(r.sampleRateHz / 2); // torchaudio: linspace(0, sample_rate // 2, n_freqs)
  const mMin = hzToMel(r.fMinHz, scale);
  const mMax = hzToMel(r.fMaxHz, scale);
  const fPts = new Float64Array(nMels + 2);
  for (let i = 0; i < nMels + 2; i++) fPts[i] = melToHz(mMin + ((mMax - mMin) * i) / (nMels + 1), scale);
  const w = new Float64Array(nFreqs * nMels);
  for (let k = 0; k < nFreqs; k++) {
    const f = (top * k) / (nFreqs - 1);
    for (let j = 0; j < nMels; j++) {
      const down = (f - fPts[j]) / (fPts[j + 1] - fPts[j]);
      const up = (fPts[j + 2] - f) / (fPts[j + 2] - fPts[j + 1]);
      let v = Math.max(0, Math.min(down, up));
      if (r.norm === 'slaney') v *= 2 / (fPts[j + 2] - fPts[j]);
      w[k * nMels + j] = v;
    }
  }
  return { nFreqs, w };
}

/**
 * The filterbank matrix, row-major `[nFreqs, nMels]` with nFreqs = ⌊nFft/2⌋ + 1: entry
 * `[k * nMels + j]` is the weight of FFT bin k (at k·⌊sr/2⌋/(nFreqs−1) Hz) in filter j.
 * Same layout and values as `torchaudio.functional.melscale_fbanks(n_freqs, f_min, f_max,
 * n_mels, sample_rate, norm, mel_scale)`; a power spectrogram row (length nFreqs) times
 * this matrix gives a mel row.
 */
export function melFilterbank(o: MelFilterbankOptions): Float32Array {
  return Float32Array.from(melFilterWeights(resolveMelFilterbankOptions(o)).w);
}
