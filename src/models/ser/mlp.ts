/**
 * `mlp`: a feed-forward classifier on utterance functionals (vector input [N, D], e.g. the 88
 * eGeMAPS functionals). Input standardization (per-feature z-score with training-set statistics)
 * is the trainer's job: the model applies none, and unscaled functionals (Hz next to dB next to
 * ratios) train poorly.
 */
import { z } from 'zod';
import { nn, type Tensor } from '../../engine/index.js';
import { SerModelBase, fail, lossConfigShape, positiveInt, type LossOptions } from './base.js';
import { linearMacs } from '../complexity.js';

/** Default hidden widths. */
const MLP_DEFAULT_HIDDEN = [256, 128] as const;
/** Default dropout after each hidden layer. */
const MLP_DEFAULT_DROPOUT = 0.3;

export interface MlpConfig extends LossOptions {
  /** Width of each hidden layer, Linear → activation → dropout (default [256, 128]). */
  hiddenDims?: number[];
  /** Dropout probability after each hidden layer (default 0.3). */
  dropout?: number;
  /** Hidden activation (default 'relu'). */
  activation?: 'relu' | 'gelu' | 'tanh';
}

export const mlpConfigSchema: z.ZodType<MlpConfig> = z.strictObject({
  ...lossConfigShape,
  hiddenDims: z.array(z.number().int().positive()).min(1).optional(),
  dropout: z.number().min(0).lt(1).optional(),
  activation: z.enum(['relu', 'gelu', 'tanh']).optional(),
});

const ACTIVATIONS = { relu: nn.ReLU, gelu: nn.GELU, tanh: nn.Tanh } as const;

/** Parameters `net.{0,3,6,…}.*` (hidden Linear layers) and `head.*`; the embedding is the last hidden layer. */
export class Mlp extends SerModelBase {
  readonly inputKind = 'vector' as const;
  readonly embedDim: number;
  readonly net: nn.Sequential;
  readonly head: nn.Linear;
  private readonly cfg: Required<Omit<MlpConfig, keyof LossOptions>>;

  constructor(inputDim: number, numClasses: number, c: MlpConfig = {}) {
    super('mlp', numClasses, [inputDim], c);
    positiveInt('mlp', 'inputDim', inputDim);
    this.cfg = {
      hiddenDims: [...(c.hiddenDims ?? MLP_DEFAULT_HIDDEN)],
      dropout: c.dropout ?? MLP_DEFAULT_DROPOUT,
      activation: c.activation ?? 'relu',
    };
    if (this.cfg.hiddenDims.length === 0) fail('mlp', 'hiddenDims must list at least one layer');
    const layers: nn.UnaryModule[] = [];
    let width = inputDim;
    this.cfg.hiddenDims.forEach((h, i) => {
      positiveInt('mlp', `hiddenDims[${i}]`, h);
      layers.push(new nn.Linear(width, h), ACTIVATIONS[this.cfg.activation](), new nn.Dropout(this.cfg.dropout));
      width = h;
    });
    this.net = this.module('net', new nn.Sequential(...layers));
    this.head = this.module('head', new nn.Linear(width, numClasses));
    this.embedDim = width;
  }

  embed(x: Tensor): Tensor {
    this.checkInput(x);
    return this.net.forward(x);
  }

  forward(x: Tensor): Tensor {
    return this.head.forward(this.embed(x));
  }

  macs(shape: readonly number[]): number {
    if (shape.length !== 1 || shape[0] !== this.inputShape[0])
      fail(this.modelName, `macs: expected an example shape [${this.inputShape[0]}], got [${shape.join(', ')}]`);
    const linears = this.net.layers.filter((m): m is nn.Linear => m instanceof nn.Linear);
    return [...linears, this.head].reduce((s, l) => s + linearMacs(l), 0);
  }

  protected config(): Record<string, unknown> {
    return { ...this.cfg };
  }
}
