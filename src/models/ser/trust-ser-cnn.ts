/**
 * Trust-SER's downstream classifier: an optional learned softmax-weighted sum over the L hidden
 * layers of a frozen speech backbone, point-wise (kernel 1) Conv1d layers, masked mean or
 * self-attention pooling over frames, and an MLP head.
 */
import { z } from 'zod';
import { nn, type Tensor, zeros } from '../../engine/index.js';
import { SerModelBase, fail, lossConfigShape, positiveInt, type InputKind, type LossOptions } from './base.js';
import { AttentionPooling, maskedMeanPool, zeroPadding } from './sequence.js';

/** Default hidden channels of the point-wise convolutions and the head. */
const TRUST_SER_DEFAULT_HIDDEN = 128;
/** Default number of point-wise Conv1d layers. */
const TRUST_SER_DEFAULT_CONV_LAYERS = 2;
/** Default dropout probability. */
const TRUST_SER_DEFAULT_DROPOUT = 0.1;
/** Allowed number of point-wise Conv1d layers. */
const TRUST_SER_MAX_CONV_LAYERS = 4;

export interface TrustSerCnnConfig extends LossOptions {
  /** Channels of the point-wise convolutions and of the head's hidden layer (default 128). */
  hiddenSize?: number;
  /** Number of point-wise Conv1d layers, 1–4 (default 2; Trust-SER uses 2–3). Each is followed by ReLU and dropout. */
  convLayers?: number;
  /** Dropout probability after each convolution and in the head (default 0.1). */
  dropout?: number;
  /** Pooling over valid frames: 'mean' (default) or 'att' (self-attention). */
  pooling?: 'mean' | 'att';
  /** Hidden size of the attention scorer (default: hiddenSize). */
  attentionDim?: number;
}

export const trustSerCnnConfigSchema: z.ZodType<TrustSerCnnConfig> = z.strictObject({
  ...lossConfigShape,
  hiddenSize: z.number().int().positive().optional(),
  convLayers: z.number().int().min(1).max(TRUST_SER_MAX_CONV_LAYERS).optional(),
  dropout: z.number().min(0).lt(1).optional(),
  pooling: z.enum(['mean', 'att']).optional(),
  attentionDim: z.number().int().positive().optional(),
});

/**
 * Input: frames [N, T, D] when `inputShape` is [D], or backbone layers [N, L, T, D] when it is
 * [L, D] (the L layers are mixed with softmax weights `layer_weights`, initially uniform).
 * Parameters: `layer_weights`, `conv.{0,3,…}.*`, `pool.{proj,score}.*` (att), `out_layer.{0,3}.*`.
 */
export class TrustSerCnn extends SerModelBase {
  readonly inputKind: InputKind;
  readonly embedDim: number;
  readonly layerWeights: Tensor | null;
  readonly conv: nn.Sequential;
  readonly pool: AttentionPooling | null;
  readonly outLayer: nn.Sequential;
  private readonly cfg: Required<Omit<TrustSerCnnConfig, keyof LossOptions>>;

  constructor(inputShape: readonly number[], numClasses: number, c: TrustSerCnnConfig = {}) {
    super('trust-ser-cnn', numClasses, inputShape, c);
    const name = 'trust-ser-cnn';
    if (inputShape.length !== 1 && inputShape.length !== 2)
      fail(name, `inputShape must be [D] (frames) or [L, D] (layers), got [${inputShape.join(', ')}]`);
    inputShape.forEach((d, i) => positiveInt(name, `inputShape[${i}]`, d));
    this.inputKind = inputShape.length === 2 ? 'layers' : 'frames';
    const hidden = c.hiddenSize ?? TRUST_SER_DEFAULT_HIDDEN;
    this.cfg = {
      hiddenSize: positiveInt(name, 'hiddenSize', hidden),
      convLayers: positiveInt(name, 'convLayers', c.convLayers ?? TRUST_SER_DEFAULT_CONV_LAYERS),
      dropout: c.dropout ?? TRUST_SER_DEFAULT_DROPOUT,
      pooling: c.pooling ?? 'mean',
      attentionDim: positiveInt(name, 'attentionDim', c.attentionDim ?? hidden),
    };
    const dim = inputShape[inputShape.length - 1];
    this.layerWeights = this.inputKind === 'layers' ? this.param('layer_weights', zeros([inputShape[0]])) : null;
    const convs: nn.UnaryModule[] = [];
    for (let i = 0; i < this.cfg.convLayers; i++) {
      convs.push(new nn.Conv1d(i === 0 ? dim : hidden, hidden, 1), nn.ReLU(), new nn.Dropout(this.cfg.dropout));
    }
    this.conv = this.module('conv', new nn.Sequential(...convs));
    this.pool = this.cfg.pooling === 'att' ? this.module('pool', new AttentionPooling(hidden, this.cfg.attentionDim)) : null;
    this.outLayer = this.module(
      'out_layer',
      new nn.Sequential(new nn.Linear(hidden, hidden), nn.ReLU(), new nn.Dropout(this.cfg.dropout), new nn.Linear(hidden, numClasses)),
    );
    this.embedDim = hidden;
  }

  /** Softmax weights over the backbone layers [L] (null for frame input). */
  mixingWeights(): Tensor | null {
    return this.layerWeights?.softmax(0) ?? null;
  }

  embed(x: Tensor, lengths?: Tensor | null): Tensor {
    const lens = this.checkInput(x, lengths);
    let frames = x;
    if (this.layerWeights) {
      const [, l] = x.shape;
      frames = x.mul(this.layerWeights.softmax(0).reshape([1, l, 1, 1])).sum(1);
    }
    const h = this.conv.forward(zeroPadding(frames, lens).transpose(1, 2)).transpose(1, 2); // [N, T, H]
    const pooled = this.pool ? this.pool.forward(h, lens) : maskedMeanPool(h, lens);
    const [fc, act, drop] = this.outLayer.layers;
    return drop.forward(act.forward(fc.forward(pooled)));
  }

  forward(x: Tensor, lengths?: Tensor | null): Tensor {
    return this.outLayer.layers[3].forward(this.embed(x, lengths));
  }

  macs(shape: readonly number[]): number {
    const layered = this.inputKind === 'layers';
    const wrongDims = layered ? shape[0] !== this.inputShape[0] || shape[2] !== this.inputShape[1] : shape[1] !== this.inputShape[0];
    if (shape.length !== this.inputShape.length + 1 || wrongDims) {
      fail(
        this.modelName,
        `macs: expected an example shape ${layered ? `[${this.inputShape[0]}, T, ${this.inputShape[1]}]` : `[T, ${this.inputShape[0]}]`}, got [${shape.join(', ')}]`,
      );
    }
    const [t, d] = layered ? shape.slice(1) : shape;
    const l = layered ? shape[0] : 1;
    const h = this.cfg.hiddenSize;
    let total = this.layerWeights ? l * t * d : 0;
    total += t * (d * h + (this.cfg.convLayers - 1) * h * h);
    total += this.pool ? this.pool.macs(t) : 0;
    return total + h * h + h * this.numClasses;
  }

  protected config(): Record<string, unknown> {
    return { ...this.cfg };
  }
}
