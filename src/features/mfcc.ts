/**
 * MFCCs as `torchaudio.transforms.MFCC` (0.13):
 *
 *   mel  = MelSpectrogram(x)                                  [T, nMels] (power)
 *   L    = logMels ? ln(mel + 1e-6)
 *                  : AmplitudeToDB('power', top_db=80)(mel)   = max(10·log10(max(mel, 1e-10)),
 *                                                                   max over the utterance − 80)
 *   mfcc = L · DCT                                            DCT-II, `[nMels, nMfcc]`, 'ortho'
 *
 * Optional (not in torchaudio, default off) sinusoidal liftering with coefficient Q:
 * c_n ← c_n · (1 + (Q/2)·sin(πn/Q)), n = 0 … nMfcc−1 (HTK / Kaldi `cepstral_lifter`).
 *
 * The dB floor depends on the utterance maximum, so MFCCs of a clip split into snippets differ
 * from those of the whole clip (as in torchaudio).
 */
import { makeFeatures, type Features } from './types.js';
import {
  getMelFilterbank,
  logMelSpectrogram,
  melEngineInstalled,
  melSpectrogram,
  onMelEngine,
  resolveMelStftOptions,
  DEFAULT_N_MELS,
  type MelSpectrogramOptions,
} from './mel.js';
import { applyLog, DEFAULT_LN_EPS, DEFAULT_DB_AMIN, resolveStftOptions, type LogOptions } from './stft.js';
import { RealFft } from '../dsp/index.js';

/** Default number of coefficients kept (torchaudio's default). */
export const DEFAULT_N_MFCC = 40;
/** Default dB dynamic range of the log-mel input (torchaudio MFCC's fixed top_db). */
export const DEFAULT_MFCC_TOP_DB = 80;
/** Default DCT normalisation (torchaudio's default). */
export const DEFAULT_DCT_NORM: 'ortho' | null = 'ortho';
/** Default lifter coefficient: 0 = no liftering (torchaudio has none). */
export const DEFAULT_LIFTER = 0;

/** MFCC options: the mel front end plus the cepstral settings. */
export type MfccOptions = MelSpectrogramOptions & {
  /** Coefficients kept, 1 … nMels; default {@link DEFAULT_N_MFCC}. */
  nMfcc?: number;
  /** DCT normalisation: 'ortho' (default, {@link DEFAULT_DCT_NORM}) or null (unnormalised, ×2). */
  dctNorm?: 'ortho' | null;
  /** Use ln(mel + 1e-6) instead of dB (torchaudio `log_mels`); default false. */
  logMels?: boolean;
  /** dB floor below the utterance maximum when !logMels; default 80, null = none. */
  topDb?: number | null;
  /** Sinusoidal lifter coefficient Q (> 0 enables); default {@link DEFAULT_LIFTER}. */
  lifter?: number;
};

/**
 * DCT-II matrix, row-major `[nMels, nMfcc]` (as `torchaudio.functional.create_dct`): entry
 * `[m * nMfcc + k]` = cos(π/nMels · (m + ½) · k), times √(2/nMels) (and 1/√2 for k = 0) when
 * `norm` is 'ortho', else times 2.
 */
export function dctMatrix(nMfcc: number, nMels: number, norm: 'ortho' | null = 'ortho'): Float32Array {
  return Float32Array.from(dct64(nMfcc, nMels, norm));
}

function dct64(nMfcc: number, nMels: number, norm: 'ortho' | null): Float64Array {
  if (!Number.isInteger(nMels) || nMels < 1) throw new RangeError(`mfcc: nMels must be a positive integer, got ${nMels}`);
  if (!Number.isInteger(nMfcc) || nMfcc < 1 || nMfcc > nMels) {
    throw new RangeError(`mfcc: nMfcc must be an integer in [1, nMels = ${nMels}], got ${nMfcc}`);
  }
  if (norm !== null && norm !== 'ortho') throw new RangeError(`mfcc: dctNorm must be 'ortho' or null, got '${String(norm)}'`);
  const out = new Float64Array(nMels * nMfcc);
  for (let m = 0; m < nMels; m++) {
    for (let k = 0; k < nMfcc; k++) {
      let v = Math.cos((Math.PI / nMels) * (m + 0.5) * k);
      if (norm === null) v *= 2;
      else v *= (k === 0 ? Math.SQRT1_2 : 1) * Math.sqrt(2 / nMels);
      out[m * nMfcc + k] = v;
    }
  }
  return out;
}

/** The sinusoidal lifter's gain for coefficient k (1 without liftering, Q = 0). */
function lifterGain(k: number, lifter: number): number {
  return lifter > 0 ? 1 + (lifter / 2) * Math.sin((Math.PI * k) / lifter) : 1;
}

/** The key of a DCT setting in the caches below. */
const dctKey = (nMfcc: number, nMels: number, norm: 'ortho' | null, lifter: number) => `${nMfcc}/${nMels}/${norm}/${lifter}`;

/**
 * DCT-II of length nIn keeping nOut coefficients, computed with an FFT (Makhoul 1980):
 * v = [x0, x2, x4, …, x5, x3, x1], V = FFT(v), X[k] = Re(e^{−iπk/(2N)}·V[k]); then the
 * ortho / ×2 scaling and the lifter are folded into per-coefficient constants. O(N log N)
 * per frame instead of the O(N·nOut) matrix product.
 */
class FastDct2 {
  private readonly n: number;
  private readonly nOut: number;
  private readonly fft: RealFft;
  private readonly v: Float64Array;
  private readonly re: Float64Array;
  private readonly im: Float64Array;
  private readonly c: Float64Array;
  private readonly s: Float64Array;

  constructor(nIn: number, nOut: number, norm: 'ortho' | null, lifter: number) {
    this.n = nIn;
    this.nOut = nOut;
    this.fft = new RealFft(nIn);
    this.v = new Float64Array(nIn);
    this.re = new Float64Array(this.fft.bins);
    this.im = new Float64Array(this.fft.bins);
    this.c = new Float64Array(nOut);
    this.s = new Float64Array(nOut);
    for (let k = 0; k < nOut; k++) {
      const scale = norm === null ? 2 : (k === 0 ? Math.SQRT1_2 : 1) * Math.sqrt(2 / nIn);
      const lift = lifterGain(k, lifter);
      const a = (Math.PI * k) / (2 * nIn);
      this.c[k] = scale * lift * Math.cos(a);
      this.s[k] = scale * lift * Math.sin(a);
    }
  }

  /** Writes the first nOut DCT-II coefficients of `x` (length nIn, not modified) to out[offset …]. */
  apply(x: Float64Array, out: Float32Array, offset: number): void {
    const { n, nOut, v, re, im, c, s } = this;
    const evens = (n + 1) >> 1;
    for (let i = 0; i < evens; i++) v[i] = x[2 * i];
    for (let i = 0; 2 * i + 1 < n; i++) v[n - 1 - i] = x[2 * i + 1];
    this.fft.forward(v, re, im);
    const half = this.fft.bins - 1;
    for (let k = 0; k < nOut; k++) {
      // V[k] for k > N/2 is conj(V[N − k]).
      const vr = k <= half ? re[k] : re[n - k];
      const vi = k <= half ? im[k] : -im[n - k];
      out[offset + k] = vr * c[k] + vi * s[k];
    }
  }
}

/** 10/ln 10: converts ln(power) to dB (10·log10). */
const DB_PER_NEPER = 10 / Math.LN10;

const dctCache = new Map<string, FastDct2>();

function getDct(nMfcc: number, nMels: number, norm: 'ortho' | null, lifter: number): FastDct2 {
  const key = dctKey(nMfcc, nMels, norm, lifter);
  let dct = dctCache.get(key);
  if (dct === undefined) {
    dct64(nMfcc, nMels, norm); // validates
    dct = new FastDct2(nMels, nMfcc, norm, lifter);
    if (dctCache.size >= 16) dctCache.delete(dctCache.keys().next().value as string);
    dctCache.set(key, dct);
  }
  return dct;
}

/**
 * MFCCs from a mel spectrogram `[T, nMels]` (power, e.g. from {@link melSpectrogram}), so a
 * pipeline needing both log-mel and MFCC computes the STFT once. Does not modify `mel`.
 * @returns `[T, nMfcc]`.
 */
export function mfccFromMel(mel: Features, o: Omit<MfccOptions, 'sampleRateHz'> = {}): Features {
  const nMels = mel.dims;
  const nMfcc = o.nMfcc ?? DEFAULT_N_MFCC;
  const norm = o.dctNorm === undefined ? DEFAULT_DCT_NORM : o.dctNorm;
  const lifter = o.lifter ?? DEFAULT_LIFTER;
  if (!Number.isFinite(lifter) || lifter < 0) throw new RangeError(`mfcc: lifter must be ≥ 0, got ${lifter}`);
  const topDb = o.topDb === undefined ? DEFAULT_MFCC_TOP_DB : o.topDb;
  if (topDb !== null && !(topDb >= 0 && Number.isFinite(topDb))) {
    throw new RangeError(`mfcc: topDb must be a finite value ≥ 0 or null, got ${topDb}`);
  }
  const dct = getDct(nMfcc, nMels, norm, lifter);
  const src = mel.data;
  const T = mel.frames;
  // dB path: 10·log10(max(x, amin)) floored at (utterance max − topDb); the max of the dB
  // values is the dB of the max power, so one scan of the powers gives the floor.
  let floor = -Infinity;
  if (!o.logMels && topDb !== null) {
    let maxPower = 0;
    for (let i = 0; i < src.length; i++) if (src[i] > maxPower) maxPower = src[i];
    floor = 10 * Math.log10(Math.max(maxPower, DEFAULT_DB_AMIN)) - topDb;
  }
  const out = makeFeatures(T, nMfcc);
  const row = new Float64Array(nMels);
  for (let t = 0; t < T; t++) {
    const base = t * nMels;
    if (o.logMels) {
      for (let m = 0; m < nMels; m++) row[m] = Math.log(src[base + m] + DEFAULT_LN_EPS);
    } else {
      for (let m = 0; m < nMels; m++) {
        const p = src[base + m];
        const db = DB_PER_NEPER * Math.log(Math.max(p, DEFAULT_DB_AMIN));
        row[m] = Math.max(db, floor);
      }
    }
    dct.apply(row, out.data, t * nMfcc);
  }
  return out;
}

/**
 * MFCCs `[T, nMfcc]` of signal `x` (see the module notes; equals
 * `torchaudio.transforms.MFCC(sample_rate, n_mfcc, log_mels=..., melkwargs=...)(x).T`).
 * @throws RangeError for nMfcc > nMels and every STFT / filterbank / signal error.
 */
export function mfcc(x: Float32Array, o: MfccOptions): Features {
  checkMfccOptions(o);
  const nMels = o.nMels ?? DEFAULT_N_MELS;
  const nMfcc = o.nMfcc ?? DEFAULT_N_MFCC;
  const norm = o.dctNorm === undefined ? DEFAULT_DCT_NORM : o.dctNorm;
  const lifter = o.lifter ?? DEFAULT_LIFTER;
  const topDb = o.topDb === undefined ? DEFAULT_MFCC_TOP_DB : o.topDb;
  // The same compression as mfccFromMel: ln(mel + 1e-6), or 10·log10 of the powers floored at max − topDb.
  const log = o.logMels
    ? ({ kind: 'ln', eps: DEFAULT_LN_EPS } as const)
    : ({ kind: 'db', amin: DEFAULT_DB_AMIN, mult: 10, offset: 0, topDb } as const);
  const key = dctKey(nMfcc, nMels, norm, lifter);
  const fast = onMelEngine(x, o, { log, dct: { matrix: liftedDct(key, nMfcc, nMels, norm, lifter), nOut: nMfcc, key } });
  return fast ?? mfccFromMel(melSpectrogram(x, o), o);
}

const liftedDcts = new Map<string, Float32Array>();

/** {@link dctMatrix} with column k scaled by the lifter's factor (as FastDct2 folds it in). */
function liftedDct(key: string, nMfcc: number, nMels: number, norm: 'ortho' | null, lifter: number): Float32Array {
  let m = liftedDcts.get(key);
  if (m === undefined) {
    const d = dct64(nMfcc, nMels, norm);
    for (let k = 0; k < nMfcc; k++) {
      const lift = lifterGain(k, lifter);
      for (let j = 0; j < nMels; j++) d[j * nMfcc + k] *= lift;
    }
    m = Float32Array.from(d);
    if (liftedDcts.size >= 16) liftedDcts.delete(liftedDcts.keys().next().value as string);
    liftedDcts.set(key, m);
  }
  return m;
}

/**
 * Log-mel spectrogram and MFCCs of one signal from a single STFT + filterbank pass — about
 * 40 % cheaper than calling {@link logMelSpectrogram} and {@link mfcc} separately.
 * @param o - front end and cepstral settings (as {@link mfcc}).
 * @param log - compression of the returned log-mel (as {@link logMelSpectrogram}; default
 *   ln(mel + 1e-6)); it does not affect the MFCCs, which follow `o.logMels` / `o.topDb`.
 * @returns `logMel` `[T, nMels]` and `mfcc` `[T, nMfcc]`.
 */
export function logMelAndMfcc(x: Float32Array, o: MfccOptions, log: LogOptions = {}): { logMel: Features; mfcc: Features } {
  checkMfccOptions(o);
  if (melEngineInstalled()) {
    // On the engine two native calls beat one STFT plus TypeScript compression, and give exactly
    // what logMelSpectrogram and mfcc give (the log options are the log-mel's, not the MFCC's topDb).
    const logOptions: LogOptions = { log: log.log, lnEps: log.lnEps, dbAmin: log.dbAmin, dbRef: log.dbRef, topDb: log.topDb };
    return { logMel: logMelSpectrogram(x, { ...o, ...logOptions }), mfcc: mfcc(x, o) };
  }
  const mel = melSpectrogram(x, o);
  const cepstra = mfccFromMel(mel, o);
  applyLog(mel.data, log, (o.power ?? 2) === 2);
  return { logMel: mel, mfcc: cepstra };
}

/**
 * Validates MFCC options (cepstral settings and the mel front end) without computing anything.
 * @throws RangeError naming the offending option.
 */
export function checkMfccOptions(o: MfccOptions): void {
  const nMels = o.nMels ?? DEFAULT_N_MELS;
  dct64(o.nMfcc ?? DEFAULT_N_MFCC, nMels, o.dctNorm === undefined ? DEFAULT_DCT_NORM : o.dctNorm);
  const lifter = o.lifter ?? DEFAULT_LIFTER;
  if (!Number.isFinite(lifter) || lifter < 0) throw new RangeError(`mfcc: lifter must be ≥ 0, got ${lifter}`);
  const topDb = o.topDb === undefined ? DEFAULT_MFCC_TOP_DB : o.topDb;
  if (topDb !== null && !(topDb >= 0 && Number.isFinite(topDb))) {
    throw new RangeError(`mfcc: topDb must be a finite value ≥ 0 or null, got ${topDb}`);
  }
  const stft = resolveMelStftOptions(o);
  resolveStftOptions(stft);
  getMelFilterbank({ ...o, nFft: stft.nFft, nMels });
}
