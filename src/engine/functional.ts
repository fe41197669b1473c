/**
 * Stateless neural-network functions (the engine's `torch.nn.functional`). Argument conventions
 * follow PyTorch: inputs are `[batch, channels, length]` / `[batch, channels, height, width]`.
 */
import { native, type NativeTensor } from './native.js';
import { Tensor } from './tensor.js';

type Pair = number | number[];
export type Reduction = 'mean' | 'sum' | 'none';

const opt = (t: Tensor | null | undefined): NativeTensor | null => (t ? t.handle : null);
const list = (v: Pair): number[] => (Array.isArray(v) ? v : [v]);

/** y = x Wᵀ + b over the last dim; W [out, in]. */
export function linear(x: Tensor, w: Tensor, b?: Tensor | null): Tensor {
  return new Tensor(native.linear(x.handle, w.handle, opt(b)));
}

export interface ConvOptions {
  stride?: Pair;
  /** Zero padding per side, or 'same' / 'valid'. */
  padding?: Pair | 'same' | 'valid';
  dilation?: Pair;
  groups?: number;
}

function conv(op: 'conv1d' | 'conv2d', x: Tensor, w: Tensor, b: Tensor | null | undefined, o: ConvOptions): Tensor {
  const padding = typeof o.padding === 'string' ? o.padding : list(o.padding ?? 0);
  return new Tensor(native[op](x.handle, w.handle, opt(b), list(o.stride ?? 1), padding, list(o.dilation ?? 1), o.groups ?? 1));
}
/** 1-D convolution: x [N, Cin, L], w [Cout, Cin/groups, K]. */
export function conv1d(x: Tensor, w: Tensor, b?: Tensor | null, o: ConvOptions = {}): Tensor {
  return conv('conv1d', x, w, b, o);
}
/** 2-D convolution: x [N, Cin, H, W], w [Cout, Cin/groups, Kh, Kw]. */
export function conv2d(x: Tensor, w: Tensor, b?: Tensor | null, o: ConvOptions = {}): Tensor {
  return conv('conv2d', x, w, b, o);
}
export interface ConvTransposeOptions {
  stride?: Pair;
  padding?: Pair;
  outputPadding?: Pair;
  dilation?: Pair;
  groups?: number;
}
function convT(
  op: 'convTranspose1d' | 'convTranspose2d',
  x: Tensor,
  w: Tensor,
  b: Tensor | null | undefined,
  o: ConvTransposeOptions,
): Tensor {
  return new Tensor(
    native[op](
      x.handle,
      w.handle,
      opt(b),
      list(o.stride ?? 1),
      list(o.padding ?? 0),
      list(o.outputPadding ?? 0),
      o.groups ?? 1,
      list(o.dilation ?? 1),
    ),
  );
}
/** Transposed 1-D convolution: w [Cin, Cout/groups, K]. */
export function convTranspose1d(x: Tensor, w: Tensor, b?: Tensor | null, o: ConvTransposeOptions = {}): Tensor {
  return convT('convTranspose1d', x, w, b, o);
}
/** Transposed 2-D convolution: w [Cin, Cout/groups, Kh, Kw]. */
export function convTranspose2d(x: Tensor, w: Tensor, b?: Tensor | null, o: ConvTransposeOptions = {}): Tensor {
  return convT('convTranspose2d', x, w, b, o);
}

export interface PoolOptions {
  /** Defaults to the kernel size. */
  stride?: Pair;
  padding?: Pair;
  ceilMode?: boolean;
}
export function maxPool1d(x: Tensor, kernel: Pair, o: PoolOptions & { dilation?: Pair } = {}): Tensor {
  return new Tensor(
    native.maxPool1d(x.handle, list(kernel), list(o.stride ?? kernel), list(o.padding ?? 0), list(o.dilation ?? 1), o.ceilMode ?? false),
  );
}
export function maxPool2d(x: Tensor, kernel: Pair, o: PoolOptions & { dilation?: Pair } = {}): Tensor {
  return new Tensor(
    native.maxPool2d(x.handle, list(kernel), list(o.stride ?? kernel), list(o.padding ?? 0), list(o.dilation ?? 1), o.ceilMode ?? false),
  );
}
export function avgPool1d(x: Tensor, kernel: Pair, o: PoolOptions & { countIncludePad?: boolean } = {}): Tensor {
  return new Tensor(
    native.avgPool1d(
      x.handle,
      list(kernel),
      list(o.stride ?? kernel),
      list(o.padding ?? 0),
      o.ceilMode ?? false,
      o.countIncludePad ?? true,
    ),
  );
}
export function avgPool2d(x: Tensor, kernel: Pair, o: PoolOptions & { countIncludePad?: boolean } = {}): Tensor {
  return new Tensor(
    native.avgPool2d(
      x.handle,
      list(kernel),
      list(o.stride ?? kernel),
      list(o.padding ?? 0),
      o.ceilMode ?? false,
      o.countIncludePad ?? true,
    ),
  );
}
export function adaptiveAvgPool1d(x: Tensor, size: number): Tensor {
  return new Tensor(native.adaptiveAvgPool1d(x.handle, [size]));
}
export function adaptiveAvgPool2d(x: Tensor, size: Pair): Tensor {
  return new Tensor(native.adaptiveAvgPool2d(x.handle, Array.isArray(size) ? size : [size, size]));
}
export function adaptiveMaxPool1d(x: Tensor, size: number): Tensor {
  return new Tensor(native.adaptiveMaxPool1d(x.handle, [size]));
}
export function adaptiveMaxPool2d(x: Tensor, size: Pair): Tensor {
  return new Tensor(native.adaptiveMaxPool2d(x.handle, Array.isArray(size) ? size : [size, size]));
}

export interface BatchNormArgs {
  weight?: Tensor | null;
  bias?: Tensor | null;
  runningMean?: Tensor | null;
  runningVar?: Tensor | null;
  /** Use batch statistics and update the running ones in place. */
  training: boolean;
  momentum?: number;
  eps?: number;
}
/** Batch normalization over dim 1 (as torch.nn.functional.batch_norm). */
export function batchNorm(x: Tensor, a: BatchNormArgs): Tensor {
  return new Tensor(
    native.batchNorm(
      x.handle,
      opt(a.weight),
      opt(a.bias),
      opt(a.runningMean),
      opt(a.runningVar),
      a.training,
      a.momentum ?? 0.1,
      a.eps ?? 1e-5,
    ),
  );
}
/** Layer normalization over the trailing `normalizedShape` dims. */
export function layerNorm(x: Tensor, normalizedShape: number[], weight?: Tensor | null, bias?: Tensor | null, eps = 1e-5): Tensor {
  return new Tensor(native.layerNorm(x.handle, normalizedShape, opt(weight), opt(bias), eps));
}
export function groupNorm(x: Tensor, groups: number, weight?: Tensor | null, bias?: Tensor | null, eps = 1e-5): Tensor {
  return new Tensor(native.groupNorm(x.handle, groups, opt(weight), opt(bias), eps));
}
/** Inverted dropout with probability `p` (identity when not training). */
export function dropout(x: Tensor, p: number, training: boolean): Tensor {
  return new Tensor(native.dropout(x.handle, p, training));
}
/** Drops whole channels (dropout2d / spatial dropout). */
export function featureDropout(x: Tensor, p: number, training: boolean): Tensor {
  return new Tensor(native.featureDropout(x.handle, p, training));
}

// ---- activations ----
export const relu = (x: Tensor): Tensor => x.relu();
export const sigmoid = (x: Tensor): Tensor => x.sigmoid();
export const tanh = (x: Tensor): Tensor => x.tanh();
export function gelu(x: Tensor, approximate: 'none' | 'tanh' = 'none'): Tensor {
  return new Tensor(native.gelu(x.handle, approximate));
}
export function leakyRelu(x: Tensor, negativeSlope = 0.01): Tensor {
  return new Tensor(native.leakyRelu(x.handle, negativeSlope));
}
export function elu(x: Tensor, alpha = 1): Tensor {
  return new Tensor(native.elu(x.handle, alpha));
}
export function selu(x: Tensor): Tensor {
  return new Tensor(native.selu(x.handle));
}
export function silu(x: Tensor): Tensor {
  return new Tensor(native.silu(x.handle));
}
export function softplus(x: Tensor): Tensor {
  return new Tensor(native.softplus(x.handle));
}
export const softmax = (x: Tensor, dim = -1): Tensor => x.softmax(dim);
export const logSoftmax = (x: Tensor, dim = -1): Tensor => x.logSoftmax(dim);

// ---- recurrent ----
export interface RnnArgs {
  /** Flat parameters in PyTorch order: per layer, per direction: w_ih, w_hh, b_ih, b_hh. */
  params: Tensor[];
  numLayers: number;
  bidirectional: boolean;
  batchFirst: boolean;
  /** Dropout between layers (training only). */
  dropout?: number;
  training?: boolean;
}
/** Multi-layer LSTM. Returns [output, h_n, c_n]. */
export function lstm(x: Tensor, state: [Tensor, Tensor] | null, a: RnnArgs): [Tensor, Tensor, Tensor] {
  const r = native.lstm(
    x.handle,
    state ? state.map((t) => t.handle) : null,
    a.params.map((p) => p.handle),
    a.numLayers,
    a.bidirectional,
    a.batchFirst,
    a.dropout ?? 0,
    a.training ?? false,
  ) as NativeTensor[];
  return [new Tensor(r[0]), new Tensor(r[1]), new Tensor(r[2])];
}
/** Multi-layer GRU. Returns [output, h_n]. */
export function gru(x: Tensor, h0: Tensor | null, a: RnnArgs): [Tensor, Tensor] {
  const r = native.gru(
    x.handle,
    opt(h0),
    a.params.map((p) => p.handle),
    a.numLayers,
    a.bidirectional,
    a.batchFirst,
    a.dropout ?? 0,
    a.training ?? false,
  ) as NativeTensor[];
  return [new Tensor(r[0]), new Tensor(r[1])];
}

/**
 * Scaled dot-product attention softmax(q kᵀ/√E + mask) v over the last two dims.
 * A bool `mask` is true where attending is allowed; a float mask is added to the scores.
 * Returns [output, attention weights].
 */
export function scaledDotProductAttention(
  q: Tensor,
  k: Tensor,
  v: Tensor,
  o: { mask?: Tensor | null; dropout?: number; training?: boolean; causal?: boolean } = {},
): [Tensor, Tensor] {
  const r = native.sdpa(
    q.handle,
    k.handle,
    v.handle,
    opt(o.mask),
    o.dropout ?? 0,
    o.training ?? false,
    o.causal ?? false,
  ) as NativeTensor[];
  return [new Tensor(r[0]), new Tensor(r[1])];
}

// ---- losses ----
export interface CrossEntropyOptions {
  /** Per-class weights [C]. */
  weight?: Tensor | null;
  reduction?: Reduction;
  ignoreIndex?: number;
  labelSmoothing?: number;
}
/** Cross-entropy from logits [N, C] and int64 class targets [N] (or class probabilities [N, C]). */
export function crossEntropy(logits: Tensor, target: Tensor, o: CrossEntropyOptions = {}): Tensor {
  return new Tensor(
    native.crossEntropy(logits.handle, target.handle, opt(o.weight), o.reduction ?? 'mean', o.ignoreIndex ?? -100, o.labelSmoothing ?? 0),
  );
}
export function nllLoss(
  logProbs: Tensor,
  target: Tensor,
  o: { weight?: Tensor | null; reduction?: Reduction; ignoreIndex?: number } = {},
): Tensor {
  return new Tensor(native.nllLoss(logProbs.handle, target.handle, opt(o.weight), o.reduction ?? 'mean', o.ignoreIndex ?? -100));
}
export function mseLoss(a: Tensor, b: Tensor, reduction: Reduction = 'mean'): Tensor {
  return new Tensor(native.mseLoss(a.handle, b.handle, reduction));
}
export function l1Loss(a: Tensor, b: Tensor, reduction: Reduction = 'mean'): Tensor {
  return new Tensor(native.l1Loss(a.handle, b.handle, reduction));
}
/** Binary cross-entropy on probabilities in [0, 1]. */
export function binaryCrossEntropy(p: Tensor, target: Tensor, o: { weight?: Tensor | null; reduction?: Reduction } = {}): Tensor {
  return new Tensor(native.bce(p.handle, target.handle, opt(o.weight), o.reduction ?? 'mean'));
}
/** Binary cross-entropy on logits (numerically stable). */
export function binaryCrossEntropyWithLogits(
  logits: Tensor,
  target: Tensor,
  o: { weight?: Tensor | null; posWeight?: Tensor | null; reduction?: Reduction } = {},
): Tensor {
  return new Tensor(native.bceWithLogits(logits.handle, target.handle, opt(o.weight), opt(o.posWeight), o.reduction ?? 'mean'));
}

// ---- padding and spectral ----
/** Pads trailing dims; `pads` lists (before, after) pairs starting from the last dim, as torch. */
export function pad(x: Tensor, pads: number[], mode: 'constant' | 'reflect' | 'replicate' | 'circular' = 'constant', value = 0): Tensor {
  return new Tensor(native.pad(x.handle, pads, mode, value));
}
/** Periodic (default) or symmetric Hann window of `length` samples, float32. */
export function hannWindow(length: number, periodic = true): Tensor {
  return new Tensor(native.hannWindow(length, periodic));
}
export interface StftArgs {
  nFft: number;
  hopSamples?: number;
  winSamples?: number;
  window?: Tensor | null;
  center?: boolean;
  padMode?: 'reflect' | 'constant';
  normalized?: boolean;
}
/** The addon's leading STFT arguments: signal, nFft, hop, window length, window, centring, padding. */
const stftFraming = (x: Tensor, a: StftArgs) =>
  [x.handle, a.nFft, a.hopSamples ?? null, a.winSamples ?? null, opt(a.window), a.center ?? true, a.padMode ?? 'reflect'] as const;

/** Short-time Fourier transform of [L] or [N, L] signals → real view [..., nFft/2+1, frames, 2]. */
export function stft(x: Tensor, a: StftArgs): Tensor {
  return new Tensor(native.stft(...stftFraming(x, a), a.normalized ?? false, true));
}
/** Compression of a band spectrogram: ln(v + eps), or mult·log10(max(v, amin)) − offset floored at (max − topDb). */
export type BandCompression =
  | { kind: 'ln'; eps: number }
  | { kind: 'db'; amin: number; mult: number; offset: number; topDb: number | null };

/**
 * Mel (or any linear-band) spectrogram of a [L] signal in one native call: the STFT, its power
 * (`power` 2) or magnitude (1), times `bank` [nFft/2+1, bands] → [frames, bands]; then, optionally,
 * `log` compression and a `dct` [bands, nOut] product (MFCCs) → [frames, nOut]. Not differentiable
 * (feature extraction; the attackable front end uses {@link stft}).
 */
export function melPower(
  x: Tensor,
  a: StftArgs,
  bank: Tensor,
  power: 1 | 2 = 2,
  post: { log?: BandCompression; dct?: Tensor } = {},
): Tensor {
  const log = post.log;
  return new Tensor(
    native.melPower(
      ...stftFraming(x, a),
      bank.handle,
      power,
      log === undefined ? 0 : log.kind === 'ln' ? 1 : 2,
      log === undefined ? 0 : log.kind === 'ln' ? log.eps : log.amin,
      log?.kind === 'db' ? log.mult : 10,
      log?.kind === 'db' ? log.offset : 0,
      log?.kind === 'db' && log.topDb !== null ? log.topDb : Number.NaN,
      opt(post.dct),
    ),
  );
}
type FftNorm = 'backward' | 'forward' | 'ortho';
/** Real FFT along `dim` → real view [..., n/2+1, 2]. */
export function rfft(x: Tensor, n?: number, dim = -1, norm?: FftNorm): Tensor {
  return new Tensor(native.rfft(x.handle, n ?? null, dim, norm ?? null));
}
/** Inverse of {@link rfft}: takes the real view [..., n/2+1, 2]; `dim` counts complex dims. */
export function irfft(x: Tensor, n?: number, dim = -1, norm?: FftNorm): Tensor {
  return new Tensor(native.irfft(x.handle, n ?? null, dim, norm ?? null));
}
/** Complex FFT on real views [..., n, 2]. */
export function fft(x: Tensor, n?: number, dim = -1, norm?: FftNorm): Tensor {
  return new Tensor(native.fft(x.handle, n ?? null, dim, norm ?? null));
}
export function ifft(x: Tensor, n?: number, dim = -1, norm?: FftNorm): Tensor {
  return new Tensor(native.ifft(x.handle, n ?? null, dim, norm ?? null));
}
