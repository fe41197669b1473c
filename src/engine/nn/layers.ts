/**
 * Basic layers with PyTorch's parameter names and default initializations
 * (uniform ±1/√fan_in for Linear/Conv, as torch's kaiming_uniform(a=√5) amounts to).
 */
import * as F from '../functional.js';
import { ones, zeros, scalar } from '../creation.js';
import { noGrad } from '../autograd.js';
import type { Tensor } from '../tensor.js';
import { Module, type UnaryModule } from './module.js';

type Pair = number | [number, number];
const pair = (v: Pair): [number, number] => (Array.isArray(v) ? v : [v, v]);

/** A parameter of `shape` drawn from U(-bound, bound) with the engine's seeded generator. */
export function uniformParam(shape: number[], bound: number): Tensor {
  return noGrad(() => zeros(shape).uniform_(-bound, bound));
}

/** y = x Wᵀ + b. Weight [out, in]. */
export class Linear extends Module implements UnaryModule {
  readonly weight: Tensor;
  readonly bias: Tensor | null;
  constructor(
    readonly inFeatures: number,
    readonly outFeatures: number,
    bias = true,
  ) {
    super();
    const bound = 1 / Math.sqrt(inFeatures);
    this.weight = this.param('weight', uniformParam([outFeatures, inFeatures], bound));
    this.bias = bias ? this.param('bias', uniformParam([outFeatures], bound)) : null;
  }
  forward(x: Tensor): Tensor {
    return F.linear(x, this.weight, this.bias);
  }
}

export interface ConvLayerOptions {
  stride?: Pair;
  padding?: Pair | 'same' | 'valid';
  dilation?: Pair;
  groups?: number;
  bias?: boolean;
}

/** 1-D convolution over [N, C, L]. Weight [out, in/groups, k]. */
export class Conv1d extends Module implements UnaryModule {
  readonly weight: Tensor;
  readonly bias: Tensor | null;
  constructor(
    inChannels: number,
    outChannels: number,
    kernelSize: number,
    readonly options: ConvLayerOptions = {},
  ) {
    super();
    const groups = options.groups ?? 1;
    const bound = 1 / Math.sqrt((inChannels / groups) * kernelSize);
    this.weight = this.param('weight', uniformParam([outChannels, inChannels / groups, kernelSize], bound));
    this.bias = options.bias === false ? null : this.param('bias', uniformParam([outChannels], bound));
  }
  forward(x: Tensor): Tensor {
    const o = this.options;
    const first = (v: Pair | undefined) => (v === undefined ? undefined : pair(v)[0]);
    const padding = typeof o.padding === 'string' ? o.padding : first(o.padding);
    return F.conv1d(x, this.weight, this.bias, { stride: first(o.stride), padding, dilation: first(o.dilation), groups: o.groups });
  }
}

/** 2-D convolution over [N, C, H, W]. Weight [out, in/groups, kh, kw]. */
export class Conv2d extends Module implements UnaryModule {
  readonly weight: Tensor;
  readonly bias: Tensor | null;
  constructor(
    inChannels: number,
    outChannels: number,
    kernelSize: Pair,
    readonly options: ConvLayerOptions = {},
  ) {
    super();
    const [kh, kw] = pair(kernelSize);
    const groups = options.groups ?? 1;
    const bound = 1 / Math.sqrt((inChannels / groups) * kh * kw);
    this.weight = this.param('weight', uniformParam([outChannels, inChannels / groups, kh, kw], bound));
    this.bias = options.bias === false ? null : this.param('bias', uniformParam([outChannels], bound));
  }
  forward(x: Tensor): Tensor {
    const o = this.options;
    const padding = typeof o.padding === 'string' ? o.padding : pair(o.padding ?? 0);
    return F.conv2d(x, this.weight, this.bias, { stride: pair(o.stride ?? 1), padding, dilation: pair(o.dilation ?? 1), groups: o.groups });
  }
}

export interface BatchNormOptions {
  eps?: number;
  momentum?: number;
  affine?: boolean;
  trackRunningStats?: boolean;
}

/** Batch normalization over dim 1; the same module serves [N, C], [N, C, L] and [N, C, H, W]. */
class BatchNorm extends Module implements UnaryModule {
  readonly weight: Tensor | null;
  readonly bias: Tensor | null;
  readonly runningMean: Tensor | null;
  readonly runningVar: Tensor | null;
  private readonly numBatchesTracked: Tensor | null;
  constructor(
    readonly numFeatures: number,
    private readonly expectedDims: number[],
    readonly options: BatchNormOptions = {},
  ) {
    super();
    const affine = options.affine ?? true;
    this.weight = affine ? this.param('weight', ones([numFeatures])) : null;
    this.bias = affine ? this.param('bias', zeros([numFeatures])) : null;
    const track = options.trackRunningStats ?? true;
    this.runningMean = track ? this.buffer('running_mean', zeros([numFeatures])) : null;
    this.runningVar = track ? this.buffer('running_var', ones([numFeatures])) : null;
    this.numBatchesTracked = track ? this.buffer('num_batches_tracked', scalar(0, 'int64')) : null;
  }
  forward(x: Tensor): Tensor {
    if (!this.expectedDims.includes(x.ndim)) {
      throw new Error(`${this.constructor.name}: expected a ${this.expectedDims.join(' or ')}-D input, got [${x.shape.join(', ')}]`);
    }
    const useBatchStats = this.training || this.runningMean === null;
    if (this.training && this.numBatchesTracked) noGrad(() => this.numBatchesTracked!.add_(1));
    return F.batchNorm(x, {
      weight: this.weight,
      bias: this.bias,
      runningMean: this.runningMean,
      runningVar: this.runningVar,
      training: useBatchStats,
      momentum: this.options.momentum ?? 0.1,
      eps: this.options.eps ?? 1e-5,
    });
  }
}
/** BatchNorm over [N, C] or [N, C, L]. */
export class BatchNorm1d extends BatchNorm {
  constructor(numFeatures: number, options: BatchNormOptions = {}) {
    super(numFeatures, [2, 3], options);
  }
}
/** BatchNorm over [N, C, H, W]. */
export class BatchNorm2d extends BatchNorm {
  constructor(numFeatures: number, options: BatchNormOptions = {}) {
    super(numFeatures, [4], options);
  }
}

/** Layer normalization over the trailing `normalizedShape` dims. */
export class LayerNorm extends Module implements UnaryModule {
  readonly weight: Tensor | null;
  readonly bias: Tensor | null;
  readonly normalizedShape: number[];
  constructor(
    normalizedShape: number | number[],
    readonly eps = 1e-5,
    elementwiseAffine = true,
  ) {
    super();
    this.normalizedShape = Array.isArray(normalizedShape) ? normalizedShape : [normalizedShape];
    this.weight = elementwiseAffine ? this.param('weight', ones(this.normalizedShape)) : null;
    this.bias = elementwiseAffine ? this.param('bias', zeros(this.normalizedShape)) : null;
  }
  forward(x: Tensor): Tensor {
    return F.layerNorm(x, this.normalizedShape, this.weight, this.bias, this.eps);
  }
}

/** Group normalization of [N, C, ...] over `groups` groups of channels, with per-channel affine weights. */
export class GroupNorm extends Module implements UnaryModule {
  readonly weight: Tensor | null;
  readonly bias: Tensor | null;
  constructor(
    readonly groups: number,
    readonly channels: number,
    readonly eps = 1e-5,
    affine = true,
  ) {
    super();
    if (channels % groups !== 0) throw new Error(`GroupNorm: ${channels} channels are not divisible by ${groups} groups`);
    this.weight = affine ? this.param('weight', ones([channels])) : null;
    this.bias = affine ? this.param('bias', zeros([channels])) : null;
  }
  forward(x: Tensor): Tensor {
    return F.groupNorm(x, this.groups, this.weight, this.bias, this.eps);
  }
}

/** Dropout with probability `p` while training; identity in eval mode. */
export class Dropout extends Module implements UnaryModule {
  constructor(readonly p = 0.5) {
    super();
    if (!(p >= 0 && p < 1)) throw new Error(`Dropout: p must be in [0, 1), got ${p}`);
  }
  forward(x: Tensor): Tensor {
    return F.dropout(x, this.p, this.training);
  }
}

/** Wraps a tensor function without parameters as a module (activations, pooling, reshapes). */
export class Lambda extends Module implements UnaryModule {
  constructor(
    readonly name: string,
    private readonly fn: (x: Tensor) => Tensor,
  ) {
    super();
  }
  forward(x: Tensor): Tensor {
    return this.fn(x);
  }
}
export const ReLU = (): Lambda => new Lambda('ReLU', (x) => x.relu());
export const Tanh = (): Lambda => new Lambda('Tanh', (x) => x.tanh());
export const Sigmoid = (): Lambda => new Lambda('Sigmoid', (x) => x.sigmoid());
export const GELU = (): Lambda => new Lambda('GELU', (x) => F.gelu(x));
export const SELU = (): Lambda => new Lambda('SELU', (x) => F.selu(x));
export const LeakyReLU = (slope = 0.01): Lambda => new Lambda('LeakyReLU', (x) => F.leakyRelu(x, slope));
export const Flatten = (startDim = 1): Lambda => new Lambda('Flatten', (x) => x.flatten(startDim));
export const MaxPool1d = (k: number, stride?: number): Lambda => new Lambda('MaxPool1d', (x) => F.maxPool1d(x, k, { stride }));
export const MaxPool2d = (k: Pair, stride?: Pair): Lambda => new Lambda('MaxPool2d', (x) => F.maxPool2d(x, k, { stride }));
export const AvgPool2d = (k: Pair, stride?: Pair): Lambda => new Lambda('AvgPool2d', (x) => F.avgPool2d(x, k, { stride }));
export const AdaptiveAvgPool2d = (size: Pair): Lambda => new Lambda('AdaptiveAvgPool2d', (x) => F.adaptiveAvgPool2d(x, size));
export const Identity = (): Lambda => new Lambda('Identity', (x) => x);

/** Applies its children in order; children are named "0", "1", … as in PyTorch. */
/** Sub-modules named `0`, `1`, … (PyTorch's ModuleList), each called by its owner. */
export class ModuleList<M extends Module> extends Module {
  readonly items: readonly M[];
  constructor(items: readonly M[]) {
    super();
    this.items = items.map((m, i) => this.module(String(i), m));
  }
}

export class Sequential extends Module implements UnaryModule {
  readonly layers: UnaryModule[];
  constructor(...layers: UnaryModule[]) {
    super();
    this.layers = layers.map((m, i) => this.module(String(i), m));
  }
  forward(x: Tensor): Tensor {
    let y = x;
    for (const m of this.layers) y = m.forward(y);
    return y;
  }
}
