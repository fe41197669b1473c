/**
 * Layer-level helpers over {@link GraphBuilder}: the eval-mode counterparts of the engine's
 * layers (Linear, Conv, BatchNorm, pooling, activations, LSTM) and of the length-masking helpers
 * in src/models/sequence.ts. Weights come from a {@link WeightSource} keyed by the engine's
 * PyTorch-style parameter names, which also name the initializers.
 */
import type { RawTensor, StateDict } from '../../tensor-io/index.js';
import { float, type GraphBuilder } from './graph.js';

/** Named weights with errors that name the missing key. */
export interface WeightSource {
  get(name: string): RawTensor;
  has(name: string): boolean;
}

/** A {@link WeightSource} over a state dict (`label` names the model in errors). */
export function weightSource(dict: StateDict, label: string): WeightSource {
  return {
    has: (name) => dict.has(name),
    get: (name) => {
      const t = dict.get(name);
      if (t === undefined) throw new Error(`${label}: the state dict has no '${name}'`);
      return t;
    },
  };
}

/** Transposes a 2-D float32 tensor [R, C] → [C, R]. */
export function transpose2d(t: RawTensor): RawTensor {
  const [r, c] = t.shape;
  const src = t.data as Float32Array;
  const out = new Float32Array(r * c);
  for (let i = 0; i < r; i++) for (let j = 0; j < c; j++) out[j * r + i] = src[i * c + j];
  return { dtype: 'float32', shape: [c, r], data: out };
}

/** ReduceSum over `axes` (opset 13+: axes as an input). */
export function reduceSum(g: GraphBuilder, x: string, axes: number[], keepdims = false): string {
  return g.node('ReduceSum', [x, g.constant(axes)], { keepdims: keepdims ? 1 : 0 });
}

/** ReduceMean over `axes` (opset ≤ 17: axes as an attribute). */
export function reduceMean(g: GraphBuilder, x: string, axes: number[], keepdims = false): string {
  return g.node('ReduceMean', [x], { axes, keepdims: keepdims ? 1 : 0 });
}

export function unsqueeze(g: GraphBuilder, x: string, axes: number[]): string {
  return g.node('Unsqueeze', [x, g.constant(axes)]);
}

export function squeeze(g: GraphBuilder, x: string, axes: number[]): string {
  return g.node('Squeeze', [x, g.constant(axes)]);
}

export function reshape(g: GraphBuilder, x: string, shape: number[]): string {
  return g.node('Reshape', [x, g.constant(shape)]);
}

export function transpose(g: GraphBuilder, x: string, perm: number[]): string {
  return g.node('Transpose', [x], { perm });
}

/** The size of dim `axis` of `x` as an int64 tensor [1]. */
export function dimOf(g: GraphBuilder, x: string, axis: number): string {
  return g.node('Shape', [x], { start: axis, end: axis + 1 });
}

/**
 * y = x Wᵀ + b for the engine's `nn.Linear` at `prefix` (weight [out, in]): Gemm for 2-D inputs,
 * MatMul + Add for higher ranks.
 */
export function linear(g: GraphBuilder, x: string, w: WeightSource, prefix: string, rank: number): string {
  const weight = w.get(`${prefix}.weight`);
  const hasBias = w.has(`${prefix}.bias`);
  if (rank === 2) {
    const inputs = [x, g.weight(`${prefix}.weight`, weight)];
    if (hasBias) inputs.push(g.weight(`${prefix}.bias`, w.get(`${prefix}.bias`)));
    return g.node('Gemm', inputs, { transB: 1 });
  }
  const y = g.node('MatMul', [x, g.weight(`${prefix}.weight_t`, transpose2d(weight))]);
  return hasBias ? g.node('Add', [y, g.weight(`${prefix}.bias`, w.get(`${prefix}.bias`))]) : y;
}

export interface ConvOptions {
  strides?: number[];
  /** Symmetric padding per spatial dim. */
  padding?: number[];
  dilations?: number[];
  group?: number;
}

/** The engine's Conv1d/Conv2d at `prefix` (weight [out, in/groups, ...kernel]). */
export function conv(g: GraphBuilder, x: string, w: WeightSource, prefix: string, o: ConvOptions = {}): string {
  const weight = w.get(`${prefix}.weight`);
  const spatial = weight.shape.length - 2;
  const pad = o.padding ?? new Array<number>(spatial).fill(0);
  const inputs = [x, g.weight(`${prefix}.weight`, weight)];
  if (w.has(`${prefix}.bias`)) inputs.push(g.weight(`${prefix}.bias`, w.get(`${prefix}.bias`)));
  return g.node('Conv', inputs, {
    kernel_shape: weight.shape.slice(2),
    strides: o.strides ?? new Array<number>(spatial).fill(1),
    pads: [...pad, ...pad],
    dilations: o.dilations ?? new Array<number>(spatial).fill(1),
    group: o.group ?? 1,
  });
}

/** Layer normalization over the last axis with the engine's LayerNorm at `prefix` (weight and bias). */
export function layerNorm(g: GraphBuilder, x: string, w: WeightSource, prefix: string, eps: number): string {
  const p = (k: string) => g.weight(`${prefix}.${k}`, w.get(`${prefix}.${k}`));
  return g.node('LayerNormalization', [x, p('weight'), p('bias')], { axis: -1, epsilon: float(eps) });
}

/** Linear-layer names of a self-attention block (under its prefix). */
export interface AttentionNames {
  query: string;
  key: string;
  value: string;
  out: string;
}

/**
 * Multi-head self-attention of one sequence x [1, T, width] with the engine's Linear layers at
 * `prefix`.`names`: softmax(q kᵀ / √(width/heads) + scoreBias) v, heads concatenated, then the
 * output projection. `scoreBias` (broadcast to [1, heads, T, T]) is added to the scores, or null.
 */
export function selfAttention(
  g: GraphBuilder,
  x: string,
  w: WeightSource,
  prefix: string,
  names: AttentionNames,
  dims: { heads: number; width: number },
  scoreBias: string | null = null,
): string {
  const { heads, width } = dims;
  const split = (name: string): string =>
    transpose(g, reshape(g, linear(g, x, w, `${prefix}.${name}`, 3), [1, -1, heads, width / heads]), [0, 2, 1, 3]);
  let scores = g.node('Div', [
    g.node('MatMul', [split(names.query), transpose(g, split(names.key), [0, 1, 3, 2])]),
    g.scalar(Math.sqrt(width / heads)),
  ]);
  if (scoreBias) scores = g.node('Add', [scores, scoreBias]);
  const o = g.node('MatMul', [softmax(g, scores, -1), split(names.value)]);
  return linear(g, reshape(g, transpose(g, o, [0, 2, 1, 3]), [1, -1, width]), w, `${prefix}.${names.out}`, 3);
}

/** `states` (each [1, T, D]) stacked on a new first axis as the graph output `name` [count, 1, T, D]. */
export function stackedOutput(g: GraphBuilder, states: readonly string[], name: string, dims: { frames: string; width: number }): void {
  const stacked = g.node(
    'Concat',
    states.map((s) => unsqueeze(g, s, [0])),
    { axis: 0 },
  );
  g.output(stacked, name, 'float32', [states.length, 1, dims.frames, dims.width]);
}

/** Eval-mode batch normalization with the running statistics of the engine's BatchNorm at `prefix`. */
export function batchNorm(g: GraphBuilder, x: string, w: WeightSource, prefix: string, eps = 1e-5): string {
  const p = (k: string) => g.weight(`${prefix}.${k}`, w.get(`${prefix}.${k}`));
  return g.node('BatchNormalization', [x, p('weight'), p('bias'), p('running_mean'), p('running_var')], { epsilon: float(eps) });
}

/**
 * Eval-mode batch normalization over the last axis of x [..., D] (the engine's BatchNorm1d on
 * rows viewed as [N, D], e.g. graph nodes [B, N, D]): the running statistics at `prefix` are
 * folded into one scale and shift per feature, y = x · s + t with s = γ / √(var + eps) and
 * t = β − mean · s (computed in float64, stored as float32).
 */
export function batchNormLastAxis(g: GraphBuilder, x: string, w: WeightSource, prefix: string, eps = 1e-5): string {
  const get = (k: string) => w.get(`${prefix}.${k}`).data as Float32Array;
  const [gamma, beta, mean, variance] = [get('weight'), get('bias'), get('running_mean'), get('running_var')];
  const scale = new Float32Array(gamma.length);
  const shift = new Float32Array(gamma.length);
  for (let i = 0; i < gamma.length; i++) {
    const s = gamma[i] / Math.sqrt(variance[i] + eps);
    scale[i] = s;
    shift[i] = beta[i] - mean[i] * s;
  }
  const y = g.node('Mul', [x, g.initializer(`${prefix}.scale`, scale, [scale.length])]);
  return g.node('Add', [y, g.initializer(`${prefix}.shift`, shift, [shift.length])]);
}

/** ReduceMax over `axes` (opset ≤ 17: axes as an attribute), e.g. the engine's `amax`. */
export function reduceMax(g: GraphBuilder, x: string, axes: number[], keepdims = false): string {
  return g.node('ReduceMax', [x], { axes, keepdims: keepdims ? 1 : 0 });
}

/**
 * Top-k rows along axis 1: of h [B, N, D] with scores [B, N, 1], the k rows with the largest
 * scores, in descending score order, gathered from `h` (as `topk` + `gather` in the engine).
 */
export function topkRows(g: GraphBuilder, h: string, scores: string, k: number): string {
  const [, idx] = g.nodeN('TopK', [scores, g.constant([k])], 2, { axis: 1, largest: 1, sorted: 1 }); // [B, k, 1]
  const shape = g.node('Concat', [dimOf(g, h, 0), g.constant([k]), dimOf(g, h, 2)], { axis: 0 });
  return g.node('GatherElements', [h, g.node('Expand', [idx, shape])], { axis: 1 });
}

/** Max pooling (floor mode) with `kernel`, `strides` (default = kernel) and symmetric `padding`. */
export function maxPool(g: GraphBuilder, x: string, kernel: number[], strides = kernel, padding?: number[]): string {
  const pad = padding ?? kernel.map(() => 0);
  return g.node('MaxPool', [x], { kernel_shape: kernel, strides, pads: [...pad, ...pad] });
}

/** Activations of the engine's models. GELU is the exact (erf) form, as torch's default. */
export type Activation = 'relu' | 'elu' | 'tanh' | 'gelu' | 'selu';

export function activation(g: GraphBuilder, x: string, kind: Activation): string {
  switch (kind) {
    case 'relu':
      return g.node('Relu', [x]);
    case 'elu':
      return g.node('Elu', [x], { alpha: float(1) });
    case 'tanh':
      return g.node('Tanh', [x]);
    case 'selu':
      return g.node('Selu', [x]);
    case 'gelu': {
      // 0.5·x·(1 + erf(x/√2)); opset 17 has no Gelu op.
      const e = g.node('Erf', [g.node('Div', [x, g.scalar(Math.SQRT2)])]);
      return g.node('Mul', [g.node('Mul', [x, g.scalar(0.5)]), g.node('Add', [e, g.scalar(1)])]);
    }
  }
}

export function softmax(g: GraphBuilder, x: string, axis: number): string {
  return g.node('Softmax', [x], { axis });
}

/** bool [N, T]: true at valid steps (t < length) for int64 `lengths` [N] and T = dim `timeAxis` of `like`. */
export function lengthMask(g: GraphBuilder, lengths: string, like: string, timeAxis: number): string {
  const t = squeeze(g, dimOf(g, like, timeAxis), [0]);
  const steps = g.node('Range', [g.scalar(0, 'int64'), t, g.scalar(1, 'int64')]);
  return g.node('Less', [unsqueeze(g, steps, [0]), unsqueeze(g, lengths, [1])]);
}

/** Broadcasts a [N, T] mask to rank `rank` with T at `timeAxis` (other dims 1). */
export function maskFor(g: GraphBuilder, mask: string, rank: number, timeAxis: number): string {
  const axes = [];
  for (let i = 1; i < rank; i++) if (i !== timeAxis) axes.push(i);
  return axes.length === 0 ? mask : unsqueeze(g, mask, axes);
}

/** Zeroes `x` where the broadcast mask is false (as sequence.ts's `zeroPadding`). */
export function zeroWhere(g: GraphBuilder, x: string, mask: string): string {
  return g.node('Where', [mask, x, g.scalar(0)]);
}

/** Mean over the valid steps of h [N, T, H] → [N, H] (as `maskedMeanPool`). */
export function maskedMeanPool(g: GraphBuilder, h: string, mask: string, lengths: string): string {
  const sum = reduceSum(g, zeroWhere(g, h, maskFor(g, mask, 3, 1)), [1]);
  return g.node('Div', [sum, unsqueeze(g, g.node('Cast', [lengths], { to: 1 }), [1])]);
}

/**
 * Additive attention pooling over valid steps of h [N, T, H] (sequence.ts's AttentionPooling at
 * `prefix`, children `proj` and `score`) → [N, H].
 */
export function attentionPool(g: GraphBuilder, h: string, mask: string, w: WeightSource, prefix: string): string {
  const proj = activation(g, linear(g, h, w, `${prefix}.proj`, 3), 'tanh');
  const s = squeeze(g, linear(g, proj, w, `${prefix}.score`, 3), [2]);
  const masked = g.node('Where', [mask, s, g.scalar(Number.NEGATIVE_INFINITY)]);
  const a = unsqueeze(g, softmax(g, masked, 1), [2]);
  return reduceSum(g, g.node('Mul', [zeroWhere(g, h, maskFor(g, mask, 3, 1)), a]), [1]);
}

/** Gate blocks of torch's LSTM weights (i, f, g, o) in ONNX's order (i, o, f, c). */
const TORCH_TO_ONNX_GATES = [0, 3, 1, 2];

/** Rows of a [4H, ...] torch LSTM tensor reordered to ONNX's gate order. */
function onnxGateOrder(t: RawTensor, hidden: number): Float32Array {
  const src = t.data as Float32Array;
  const block = hidden * (src.length / (4 * hidden));
  const out = new Float32Array(src.length);
  TORCH_TO_ONNX_GATES.forEach((from, to) => out.set(src.subarray(from * block, (from + 1) * block), to * block));
  return out;
}

/**
 * One layer of the engine's LSTM (torch names at `prefix`: weight_ih_l{layer}[_reverse], …) as an
 * ONNX LSTM over x [T, N, I] with int32 `seqLens` [N]: the backward direction starts at each
 * sequence's last valid step, as MaskedLSTM and packed sequences do.
 * Returns Y [T, N, dirs·H] (forward then backward features) and Y_h [dirs, N, H].
 */
export function lstmLayer(
  g: GraphBuilder,
  x: string,
  seqLens: string,
  w: WeightSource,
  prefix: string,
  layer: number,
  hidden: number,
  bidirectional: boolean,
): { y: string; yh: string } {
  const dirs = bidirectional ? ['', '_reverse'] : [''];
  const cat = (kind: string) => {
    const parts = dirs.map((d) => onnxGateOrder(w.get(`${prefix}.${kind}_l${layer}${d}`), hidden));
    const out = new Float32Array(parts.reduce((s, p) => s + p.length, 0));
    let off = 0;
    for (const p of parts) {
      out.set(p, off);
      off += p.length;
    }
    return out;
  };
  const gates = 4 * hidden;
  const inSize = w.get(`${prefix}.weight_ih_l${layer}`).shape[1];
  const W = g.initializer(`${prefix}.W_l${layer}`, cat('weight_ih'), [dirs.length, gates, inSize]);
  const R = g.initializer(`${prefix}.R_l${layer}`, cat('weight_hh'), [dirs.length, gates, hidden]);
  const bih = cat('bias_ih'),
    bhh = cat('bias_hh');
  const b = new Float32Array(dirs.length * 2 * gates);
  for (let d = 0; d < dirs.length; d++) {
    b.set(bih.subarray(d * gates, (d + 1) * gates), d * 2 * gates);
    b.set(bhh.subarray(d * gates, (d + 1) * gates), d * 2 * gates + gates);
  }
  const B = g.initializer(`${prefix}.B_l${layer}`, b, [dirs.length, 2 * gates]);
  const [y, yh] = g.nodeN('LSTM', [x, W, R, B, seqLens], 2, {
    hidden_size: hidden,
    direction: bidirectional ? 'bidirectional' : 'forward',
  });
  // Y [T, dirs, N, H] → [T, N, dirs·H]
  const yFlat = reshape(g, transpose(g, y, [0, 2, 1, 3]), [0, 0, dirs.length * hidden]);
  return { y: yFlat, yh };
}
