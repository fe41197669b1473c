/**
 * Model size and compute, counted analytically from the module structure.
 *
 * MAC counting rules (multiply-accumulates for ONE example, no batch):
 * - one MAC per use of a weight: Linear = in·out per position; Conv1d/2d = weight elements
 *   (out·in/groups·k…) per output position; LSTM = 4·H·(in + H) per frame, layer and direction;
 *   GRU = 3·H·(in + H) likewise;
 * - attention counts its projections as Linear plus one MAC per score (q·k) and per weighted-sum
 *   element (α·v); attention pooling = its two projections plus T·H for the weighted sum; the
 *   softmax mix of backbone layers = L·T·D;
 * - biases, activations, normalization, dropout, pooling and softmax are ignored.
 */
import type { nn } from '../engine/index.js';
import { fail, type SerModel } from './ser/base.js';
import { LSTM_GATES, type MaskedLSTM } from './ser/sequence.js';

/** Gates of a GRU cell (reset, update, new). */
const GRU_GATES = 3;
/** Default feature frame rate (Hz) for {@link macsPerSecond}: a 10 ms hop. */
export const DEFAULT_FRAME_RATE_HZ = 100;

/** Number of trainable scalars of a module. */
export function countParams(model: nn.Module): number {
  return model.numParameters();
}

/** in·out MACs of a Linear layer per position (times `positions`, e.g. frames). */
export function linearMacs(l: nn.Linear, positions = 1): number {
  return l.inFeatures * l.outFeatures * positions;
}

type ConvLike = { weight: { shape: number[] }; options: nn.ConvLayerOptions };
const pairOf = (v: number | number[] | undefined, dflt: number): [number, number] =>
  v === undefined ? [dflt, dflt] : Array.isArray(v) ? [v[0], v[1] ?? v[0]] : [v, v];

function convOut(size: number, k: number, stride: number, pad: number, dil: number): number {
  return Math.floor((size + 2 * pad - dil * (k - 1) - 1) / stride) + 1;
}

function convGeometry(conv: ConvLike, inSize: number[], kernel: number[]): number[] {
  const o = conv.options;
  const stride = pairOf(o.stride, 1);
  const dil = pairOf(o.dilation, 1);
  return inSize.map((s, i) => {
    if (o.padding === 'same') return s;
    const pad = o.padding === 'valid' ? 0 : pairOf(o.padding, 0)[i];
    const out = convOut(s, kernel[i], stride[i], pad, dil[i]);
    if (out < 1) fail('countMacs', `convolution input [${inSize.join(', ')}] is smaller than the kernel`);
    return out;
  });
}

/** MACs and output length of a Conv1d over `length` positions. */
export function conv1dMacs(conv: nn.Conv1d, length: number): { macs: number; outLength: number } {
  const w = conv.weight.shape; // [out, in/groups, k]
  const [outLength] = convGeometry(conv, [length], [w[2]]);
  return { macs: w[0] * w[1] * w[2] * outLength, outLength };
}

/** MACs and output [H, W] of a Conv2d over an [H, W] input. */
export function conv2dMacs(conv: nn.Conv2d, inShape: [number, number]): { macs: number; outShape: [number, number] } {
  const w = conv.weight.shape; // [out, in/groups, kh, kw]
  const [h, wd] = convGeometry(conv, inShape, [w[2], w[3]]);
  return { macs: w[0] * w[1] * w[2] * w[3] * h * wd, outShape: [h, wd] };
}

type RnnLike = { inputSize: number; hiddenSize: number; numLayers: number; bidirectional: boolean };
function rnnMacs(r: RnnLike, frames: number, gates: number): number {
  const dirs = r.bidirectional ? 2 : 1;
  let total = 0;
  for (let layer = 0; layer < r.numLayers; layer++) {
    const inSize = layer === 0 ? r.inputSize : r.hiddenSize * dirs;
    total += dirs * frames * gates * r.hiddenSize * (inSize + r.hiddenSize);
  }
  return total;
}
/** MACs of an LSTM (engine `nn.LSTM` or {@link MaskedLSTM}) over `frames` steps. */
export function lstmMacs(lstm: nn.LSTM | MaskedLSTM, frames: number): number {
  return rnnMacs(lstm, frames, LSTM_GATES);
}
/** MACs of a GRU over `frames` steps. */
export function gruMacs(gru: nn.GRU, frames: number): number {
  return rnnMacs(gru, frames, GRU_GATES);
}
/**
 * MACs of multi-head attention with `queryLen` queries and `keyLen` keys: Q/K/V/output projections
 * (E² each per position) plus Lq·Lk·E for the scores and Lq·Lk·E for the weighted values.
 */
export function multiheadAttentionMacs(mha: nn.MultiheadAttention, queryLen: number, keyLen = queryLen): number {
  const e = mha.embedDim;
  return e * e * (2 * queryLen + 2 * keyLen) + 2 * queryLen * keyLen * e;
}

/**
 * Multiply-accumulates of `model` for one example of `exampleShape` (no batch dim): frames [T, D],
 * layers [L, T, D], image [C, F, T], vector [D]. See the module doc for the rules.
 */
export function countMacs(model: SerModel, exampleShape: readonly number[]): number {
  for (const d of exampleShape)
    if (!Number.isInteger(d) || d < 1) fail('countMacs', `example shape must hold positive integers, got [${exampleShape.join(', ')}]`);
  return model.macs(exampleShape);
}

/**
 * MACs per second of audio at `frameRateHz` feature frames per second (default 100 Hz):
 * frames/layers models are counted on one second of frames; segment (image) models on one segment
 * of the model's nominal T frames, scaled by frameRateHz / T (non-overlapping segments); vector
 * models have no time axis, so their per-utterance MACs are returned unchanged.
 */
export function macsPerSecond(model: SerModel, frameRateHz = DEFAULT_FRAME_RATE_HZ): number {
  const s = model.inputShape;
  const t = Math.round(frameRateHz);
  switch (model.inputKind) {
    case 'frames':
      return countMacs(model, [t, s[0]]);
    case 'layers':
      return countMacs(model, [s[0], t, s[1]]);
    case 'image':
      return (countMacs(model, s) * frameRateHz) / s[2];
    case 'vector':
      return countMacs(model, s);
  }
}
