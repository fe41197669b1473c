/**
 * Short-time Fourier transform, power / magnitude spectrograms and log compression.
 *
 * Framing follows `torch.stft` (and so `torchaudio.transforms.Spectrogram`):
 * - with `center` (default) the signal is padded by ⌊nFft/2⌋ samples on both sides
 *   (`reflect`: mirror without repeating the edge sample, as numpy/torch; `constant`: zeros),
 *   so frame t is centred on sample t·hop;
 * - a window of `winSamples` ≤ `nFft` is zero-padded to `nFft`, centred, i.e. it starts at
 *   offset ⌊(nFft − winSamples)/2⌋ inside each nFft-sample frame;
 * - frame count T = 1 + ⌊(L_padded − nFft) / hop⌋; no normalisation of the transform.
 *
 * Output layout: {@link Features} `[T, nFft/2 + 1]`, row t = frame t, column k = bin k at
 * k·sampleRate/nFft Hz (transposed relative to torch's `(freq, time)`).
 */
import { makeFeatures, type Features } from './types.js';
import { RealFft } from '../dsp/index.js';
import { makeWindow, WINDOW_NAMES, type WindowName } from '../dsp/index.js';

/** STFT framing options (all lengths in samples). */
export interface StftOptions {
  /** FFT size (samples); the spectrogram has ⌊nFft/2⌋ + 1 bins. */
  nFft: number;
  /** Hop between successive frames (samples), ≥ 1. */
  hopSamples: number;
  /** Window length (samples), 1 ≤ winSamples ≤ nFft; default nFft. */
  winSamples?: number;
  /** Window shape; default {@link DEFAULT_WINDOW}. */
  window?: WindowName;
  /** Pad ⌊nFft/2⌋ samples on each side so frames are centred; default {@link DEFAULT_CENTER}. */
  center?: boolean;
  /** Padding used when `center`; default {@link DEFAULT_PAD_MODE}. */
  padMode?: 'reflect' | 'constant';
}

/** Default window shape (`torch.hann_window`, periodic). */
export const DEFAULT_WINDOW: WindowName = 'hann';
/** Default centring (as torch / torchaudio). */
export const DEFAULT_CENTER = true;
/** Default padding mode for centring (as torchaudio). */
export const DEFAULT_PAD_MODE: 'reflect' | 'constant' = 'reflect';
/** Default spectrogram exponent: 2 = power |X|², 1 = magnitude |X|. */
export const DEFAULT_POWER: 1 | 2 = 2;
/** Default offset of natural-log compression: ln(x + 1e-6), as torchaudio's MFCC `log_mels`. */
export const DEFAULT_LN_EPS = 1e-6;
/** Default clamp floor of dB compression (on the input's scale), as torchaudio's AmplitudeToDB. */
export const DEFAULT_DB_AMIN = 1e-10;

/** {@link StftOptions} with every default filled in and validated. */
export type ResolvedStftOptions = Required<StftOptions>;

function isPositiveInt(v: unknown): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v >= 1;
}

/**
 * Validates STFT options and fills in defaults.
 * @throws RangeError naming the offending option.
 */
export function resolveStftOptions(o: StftOptions): ResolvedStftOptions {
  if (!isPositiveInt(o.nFft)) throw new RangeError(`STFT: nFft must be a positive integer (samples), got ${o.nFft}`);
  if (!isPositiveInt(o.hopSamples)) {
    throw new RangeError(`STFT: hopSamples must be a positive integer (samples), got ${o.hopSamples}`);
  }
  const winSamples = o.winSamples ?? o.nFft;
  if (!isPositiveInt(winSamples)) {
    throw new RangeError(`STFT: winSamples must be a positive integer (samples), got ${winSamples}`);
  }
  if (winSamples > o.nFft) {
    throw new RangeError(`STFT: winSamples (${winSamples}) must not exceed nFft (${o.nFft})`);
  }
  const window = o.window ?? DEFAULT_WINDOW;
  if (!WINDOW_NAMES.includes(window)) {
    throw new RangeError(`STFT: unknown window '${String(window)}' (known: ${WINDOW_NAMES.join(', ')})`);
  }
  const padMode = o.padMode ?? DEFAULT_PAD_MODE;
  if (padMode !== 'reflect' && padMode !== 'constant') {
    throw new RangeError(`STFT: padMode must be 'reflect' or 'constant', got '${String(padMode)}'`);
  }
  return { nFft: o.nFft, hopSamples: o.hopSamples, winSamples, window, center: o.center ?? DEFAULT_CENTER, padMode };
}

/**
 * Checks that `x` is a non-empty Float32Array of finite samples.
 * @param who - prefix for the error message.
 * @throws TypeError / RangeError naming the first bad sample.
 */
export function validateSignal(x: Float32Array, who: string): void {
  if (!(x instanceof Float32Array)) throw new TypeError(`${who}: signal must be a Float32Array`);
  if (x.length === 0) throw new RangeError(`${who}: signal is empty (0 samples)`);
  for (let i = 0; i < x.length; i++) {
    const v = x[i];
    if (v - v !== 0) throw new RangeError(`${who}: signal sample ${i} is not finite (${v})`);
  }
}

/** Number of STFT frames for a signal of `nSamples` samples (0 if too short without centring). */
export function stftFrameCount(nSamples: number, o: StftOptions): number {
  const r = resolveStftOptions(o);
  const padded = nSamples + (r.center ? 2 * Math.floor(r.nFft / 2) : 0);
  return padded < r.nFft ? 0 : 1 + Math.floor((padded - r.nFft) / r.hopSamples);
}

/** Mirror index into [0, n) without repeating edges (numpy 'reflect', repeated for long pads). */
function reflectIndex(i: number, n: number): number {
  if (n === 1) return 0;
  const period = 2 * (n - 1);
  let j = i % period;
  if (j < 0) j += period;
  return j < n ? j : period - j;
}

/**
 * A per-frame linear map applied while the STFT runs (e.g. a mel filterbank), so that the
 * full `[T, bins]` spectrogram is never materialised.
 */
export interface RowProjection {
  /** Spectrogram bins expected per row. */
  readonly inputDims: number;
  /** Values produced per row. */
  readonly outputDims: number;
  /** Reads `inputDims` values at `src[srcOffset…]` and writes `outputDims` values at `dst[dstOffset…]`. */
  projectRow(src: Float32Array, srcOffset: number, dst: Float32Array, dstOffset: number): void;
}

/** Sample j of the centre-padded signal (j may lie outside [0, n)). */
function edgeSample(x: Float32Array, j: number, n: number, reflect: boolean): number {
  if (j >= 0 && j < n) return x[j];
  return reflect ? x[reflectIndex(j, n)] : 0;
}

/**
 * A reusable STFT plan (window, FFT twiddles and scratch preallocated). One plan computes any
 * number of signals; it holds mutable scratch, so do not call it re-entrantly.
 */
export class Stft {
  /** Resolved options. */
  readonly options: ResolvedStftOptions;
  /** Bins per frame, ⌊nFft/2⌋ + 1. */
  readonly bins: number;
  private readonly fft: RealFft;
  /** The window zero-padded (centred) to nFft samples. */
  private readonly win: Float64Array;
  /** `win` at even / odd frame positions (packed fast path, even nFft). */
  private readonly winEven: Float64Array;
  private readonly winOdd: Float64Array;
  private readonly frame: Float64Array;
  private readonly re: Float64Array;
  private readonly im: Float64Array;
  /** One spectrogram row (float32, as stored) for projected computation. */
  private readonly row: Float32Array;

  constructor(o: StftOptions) {
    this.options = resolveStftOptions(o);
    const { nFft, winSamples, window } = this.options;
    this.fft = new RealFft(nFft);
    this.bins = this.fft.bins;
    this.win = new Float64Array(nFft);
    this.win.set(makeWindow(window, winSamples), Math.floor((nFft - winSamples) / 2));
    const half = Math.ceil(nFft / 2);
    this.winEven = new Float64Array(half);
    this.winOdd = new Float64Array(half);
    for (let f = 0; f < nFft; f++) (f % 2 === 0 ? this.winEven : this.winOdd)[f >> 1] = this.win[f];
    this.frame = new Float64Array(nFft);
    this.re = new Float64Array(this.bins);
    this.im = new Float64Array(this.bins);
    this.row = new Float32Array(this.bins);
  }

  /** Features produced for a signal of `nSamples` samples. */
  frameCount(nSamples: number): number {
    return stftFrameCount(nSamples, this.options);
  }

  /**
   * Power (`power` = 2) or magnitude (`power` = 1) spectrogram of `x`, `[T, bins]`; with
   * `project`, each row is mapped as it is produced and the result is `[T, outputDims]`.
   * @throws RangeError for an empty / non-finite signal, or one shorter than nFft without centring.
   */
  compute(x: Float32Array, power: 1 | 2 = DEFAULT_POWER, project?: RowProjection): Features {
    validateSignal(x, 'spectrogram');
    if (power !== 1 && power !== 2) throw new RangeError(`spectrogram: power must be 1 or 2, got ${String(power)}`);
    const { nFft, hopSamples, center, padMode } = this.options;
    const n = x.length;
    const frames = this.frameCount(n);
    if (frames === 0) {
      throw new RangeError(`spectrogram: signal of ${n} samples is shorter than nFft = ${nFft} (center = false)`);
    }
    const bins = this.bins;
    if (project !== undefined && project.inputDims !== bins) {
      throw new RangeError(`spectrogram: projection expects ${project.inputDims} bins, the STFT gives ${bins} (nFft = ${nFft})`);
    }
    const outDims = project === undefined ? bins : project.outputDims;
    const out = makeFeatures(frames, outDims);
    // Without a projection rows go straight into the output; with one, through `row`.
    const data = project === undefined ? out.data : this.row;
    const { fft, win, winEven, winOdd, frame, re, im } = this;
    const pad = center ? Math.floor(nFft / 2) : 0;
    const reflect = padMode === 'reflect';
    const zr = fft.packedRe;
    const zi = fft.packedIm;
    const half = nFft >> 1;
    const packed = fft.packed;
    for (let t = 0; t < frames; t++) {
      // First sample of frame t (nFft samples, window included), in signal coordinates.
      const fs = t * hopSamples - pad;
      const inside = fs >= 0 && fs + nFft <= n;
      if (packed) {
        // Window straight into the FFT's packed input: frame sample 2j → zr[j], 2j+1 → zi[j].
        if (inside) {
          for (let j = 0; j < half; j++) {
            zr[j] = x[fs + 2 * j] * winEven[j];
            zi[j] = x[fs + 2 * j + 1] * winOdd[j];
          }
        } else {
          for (let j = 0; j < half; j++) {
            zr[j] = edgeSample(x, fs + 2 * j, n, reflect) * winEven[j];
            zi[j] = edgeSample(x, fs + 2 * j + 1, n, reflect) * winOdd[j];
          }
        }
        if (project === undefined) fft.powerFromPacked(data, t * bins, power);
        else {
          fft.powerFromPacked(data, 0, power);
          project.projectRow(data, 0, out.data, t * outDims);
        }
        continue;
      }
      for (let f = 0; f < nFft; f++) frame[f] = (inside ? x[fs + f] : edgeSample(x, fs + f, n, reflect)) * win[f];
      fft.forward(frame, re, im);
      const row = project === undefined ? t * bins : 0;
      for (let k = 0; k < bins; k++) {
        const p2 = re[k] * re[k] + im[k] * im[k];
        data[row + k] = power === 2 ? p2 : Math.sqrt(p2);
      }
      if (project !== undefined) project.projectRow(data, 0, out.data, t * outDims);
    }
    return out;
  }
}

const planCache = new Map<string, Stft>();
const PLAN_CACHE_SIZE = 16;

/** Returns a cached {@link Stft} plan for these options (creates one on first use). */
export function getStft(o: StftOptions): Stft {
  const r = resolveStftOptions(o);
  const key = `${r.nFft}/${r.hopSamples}/${r.winSamples}/${r.window}/${r.center}/${r.padMode}`;
  let plan = planCache.get(key);
  if (plan === undefined) {
    plan = new Stft(r);
    if (planCache.size >= PLAN_CACHE_SIZE) planCache.delete(planCache.keys().next().value as string);
    planCache.set(key, plan);
  }
  return plan;
}

/**
 * Power (default) or magnitude spectrogram, `[T, ⌊nFft/2⌋ + 1]` (see the module notes for
 * framing). Equals `torchaudio.transforms.Spectrogram(n_fft, win_length, hop_length,
 * power=power, center, pad_mode)` transposed, for hann/hamming/rect windows.
 */
export function spectrogram(x: Float32Array, o: StftOptions & { power?: 1 | 2 }): Features {
  return getStft(o).compute(x, o.power ?? DEFAULT_POWER);
}

/** How to compress a (power or magnitude) spectrogram. */
export interface LogOptions {
  /**
   * `'ln'`: ln(x + lnEps).
   * `'db'`: m·log10(max(x, dbAmin)) − m·log10(max(ref, dbAmin)), m = 10 for power input and
   * 20 for magnitude input, then floored at (max − topDb) over the whole matrix when topDb is
   * set. Default `'ln'`.
   */
  log?: 'ln' | 'db';
  /** Offset inside ln (default {@link DEFAULT_LN_EPS}). */
  lnEps?: number;
  /** Clamp floor before log10 (default {@link DEFAULT_DB_AMIN}, on the input's own scale). */
  dbAmin?: number;
  /** dB reference: a value, or `'max'` for the matrix maximum (librosa `ref=np.max`); default 1. */
  dbRef?: number | 'max';
  /** Dynamic-range floor in dB below the maximum; null/undefined = none. */
  topDb?: number | null;
}

/**
 * A validated log compression with a fixed reference: ln(v + eps), or
 * mult·log10(max(v, amin)) − offset floored at (max − topDb) when topDb is set.
 */
export type LogCompression = { kind: 'ln'; eps: number } | { kind: 'db'; amin: number; mult: number; offset: number; topDb: number | null };

/** Validates log options; `refMax` when the dB reference is the matrix maximum (known only from the data). */
function resolveLog(o: LogOptions, isPower: boolean): { c: LogCompression; refMax: boolean } {
  const log = o.log ?? 'ln';
  if (log === 'ln') {
    const eps = o.lnEps ?? DEFAULT_LN_EPS;
    if (!(eps >= 0) || !Number.isFinite(eps)) throw new RangeError(`log: lnEps must be a finite value ≥ 0, got ${eps}`);
    return { c: { kind: 'ln', eps }, refMax: false };
  }
  if (log !== 'db') throw new RangeError(`log: log must be 'ln' or 'db', got '${String(log)}'`);
  const amin = o.dbAmin ?? DEFAULT_DB_AMIN;
  if (!(amin > 0) || !Number.isFinite(amin)) throw new RangeError(`log: dbAmin must be a finite value > 0, got ${amin}`);
  const topDb = o.topDb ?? null;
  if (topDb !== null && !(topDb >= 0 && Number.isFinite(topDb))) {
    throw new RangeError(`log: topDb must be a finite value ≥ 0 or null, got ${topDb}`);
  }
  if (o.dbRef !== undefined && o.dbRef !== 'max' && (!(o.dbRef > 0) || !Number.isFinite(o.dbRef)))
    throw new RangeError(`log: dbRef must be > 0 or 'max', got ${o.dbRef}`);
  const mult = isPower ? 10 : 20;
  const ref = typeof o.dbRef === 'number' ? o.dbRef : 1;
  return { c: { kind: 'db', amin, mult, offset: mult * Math.log10(Math.max(ref, amin)), topDb }, refMax: o.dbRef === 'max' };
}

/**
 * The compression `o` asks for, validated (the errors of {@link applyLog}); null when its dB
 * reference is the matrix maximum, which only {@link applyLog} handles.
 * @param isPower - true for powers (|X|²), false for magnitudes (|X|).
 */
export function logCompression(o: LogOptions, isPower: boolean): LogCompression | null {
  const r = resolveLog(o, isPower);
  return r.refMax ? null : r.c;
}

/**
 * Applies log compression in place to `data` (a whole utterance matrix) and returns it.
 * @param isPower - true if `data` holds powers (|X|²); false for magnitudes (|X|).
 */
export function applyLog(data: Float32Array, o: LogOptions = {}, isPower = true): Float32Array {
  const { c, refMax } = resolveLog(o, isPower);
  if (c.kind === 'ln') {
    for (let i = 0; i < data.length; i++) data[i] = Math.log(data[i] + c.eps);
    return data;
  }
  let offset = c.offset;
  if (refMax) {
    let ref = 0;
    for (let i = 0; i < data.length; i++) if (data[i] > ref) ref = data[i];
    offset = c.mult * Math.log10(Math.max(ref, c.amin));
  }
  const perNeper = c.mult / Math.LN10; // m·log10(x) = (m/ln 10)·ln(x); ln is the faster builtin
  let max = -Infinity;
  for (let i = 0; i < data.length; i++) {
    const v = perNeper * Math.log(Math.max(data[i], c.amin)) - offset;
    data[i] = v;
    if (v > max) max = v;
  }
  if (c.topDb !== null) {
    const floor = Math.fround(max - c.topDb);
    for (let i = 0; i < data.length; i++) if (data[i] < floor) data[i] = floor;
  }
  return data;
}

/**
 * Log spectrogram `[T, ⌊nFft/2⌋ + 1]`: the power (or magnitude, `power: 1`) spectrogram
 * compressed by {@link applyLog} (default ln(|X|² + 1e-6)).
 */
export function logSpectrogram(x: Float32Array, o: StftOptions & { power?: 1 | 2 } & LogOptions): Features {
  const power = o.power ?? DEFAULT_POWER;
  const s = getStft(o).compute(x, power);
  applyLog(s.data, o, power === 2);
  return s;
}
