/**
 * CNN-LSTM speech-emotion models on log-mel frames (after the "hidden bias in SER" study): 2-D
 * convolution blocks over the [frequency × time] plane, a (Bi)LSTM over the pooled time steps, then
 * last-step, mean or attention pooling and a dense head. Valid lengths are tracked through the
 * time pooling, and padding is zeroed before every convolution, so in eval mode the outputs for a
 * padded example equal those for the unpadded one. (In training mode BatchNorm's batch statistics
 * include the zeroed padding frames; the engine has no masked batch norm.) Inputs shorter than a
 * sequence's pooled length of 1 frame are clamped to 1 step.
 */
import { z } from 'zod';
import { F, nn, type Tensor } from '../../engine/index.js';
import { SerModelBase, fail, lossConfigShape, positiveInt, type LossOptions } from './base.js';
import { AttentionPooling, MaskedLSTM, lastValidStep, maskedMeanPool, zeroPadding } from './sequence.js';
import { conv2dMacs, linearMacs } from '../complexity.js';

/** Conv kernel size (frequency bins × frames). */
const CNN_KERNEL = 3;
export const CNN_LSTM_DEFAULTS = {
  /** Output channels of each conv block. */
  convChannels: [32, 64, 64],
  /** Max-pool factor along frequency per block (bins). */
  freqPool: 2,
  /** Max-pool factor along time per block (frames). */
  timePool: 2,
  activation: 'elu' as 'relu' | 'elu',
  /** Dropout after each conv block. */
  convDropout: 0.1,
  /** LSTM hidden units per direction. */
  lstmHidden: 128,
  lstmLayers: 1,
  bidirectional: true,
  /** Attention scorer size (pooling 'att'). */
  attentionDim: 64,
  /** Width of the dense layer before the output (the embedding). */
  denseDim: 64,
  /** Dropout before the dense layers. */
  dropout: 0.3,
} as const;

export type SequencePooling = 'last' | 'mean' | 'att';

export interface CnnLstmConfig extends LossOptions {
  /** Output channels of each conv3×3 → BatchNorm2d → activation → max-pool → dropout block (default [32, 64, 64]). */
  convChannels?: number[];
  /** Max-pool factor along frequency per block, in bins (default 2). */
  freqPool?: number;
  /** Max-pool factor along time per block, in frames (default 2); inputs need ≥ timePool^blocks frames. */
  timePool?: number;
  /** Activation after BatchNorm (default 'elu'). */
  activation?: 'relu' | 'elu';
  /** Dropout after each conv block (default 0.1). */
  convDropout?: number;
  /** LSTM hidden units per direction (default 128). */
  lstmHidden?: number;
  /** Stacked LSTM layers (default 1). */
  lstmLayers?: number;
  /** Bidirectional LSTM (default true). */
  bidirectional?: boolean;
  /** Pooling over LSTM steps: 'last' valid step (default for cnn-lstm), 'mean', or 'att' (default for cnn-lstm-att). */
  pooling?: SequencePooling;
  /** Attention scorer hidden size (default 64). */
  attentionDim?: number;
  /** Dense layer width = embedding size (default 64). */
  denseDim?: number;
  /** Dropout before the dense layer and the output (default 0.3). */
  dropout?: number;
}

const probability = z.number().min(0).lt(1);
export const cnnLstmShape = {
  ...lossConfigShape,
  convChannels: z.array(z.number().int().positive()).min(1).optional(),
  freqPool: z.number().int().positive().optional(),
  timePool: z.number().int().positive().optional(),
  activation: z.enum(['relu', 'elu']).optional(),
  convDropout: probability.optional(),
  lstmHidden: z.number().int().positive().optional(),
  lstmLayers: z.number().int().positive().optional(),
  bidirectional: z.boolean().optional(),
  pooling: z.enum(['last', 'mean', 'att']).optional(),
  attentionDim: z.number().int().positive().optional(),
  denseDim: z.number().int().positive().optional(),
  dropout: probability.optional(),
};
export const cnnLstmConfigSchema: z.ZodType<CnnLstmConfig> = z.strictObject(cnnLstmShape);

type ResolvedCnnLstm = Required<Omit<CnnLstmConfig, keyof LossOptions>>;

/** conv3×3 (same padding) → BatchNorm2d → activation → max-pool → dropout; children `conv`, `bn`. */
class ConvBlock extends nn.Module implements nn.UnaryModule {
  readonly conv: nn.Conv2d;
  readonly bn: nn.BatchNorm2d;
  constructor(
    inCh: number,
    outCh: number,
    private readonly pool: [number, number],
    private readonly act: 'relu' | 'elu',
    private readonly p: number,
  ) {
    super();
    this.conv = this.module('conv', new nn.Conv2d(inCh, outCh, CNN_KERNEL, { padding: (CNN_KERNEL - 1) / 2 }));
    this.bn = this.module('bn', new nn.BatchNorm2d(outCh));
  }
  forward(x: Tensor): Tensor {
    const y = this.bn.forward(this.conv.forward(x));
    const a = this.act === 'elu' ? F.elu(y) : y.relu();
    return F.dropout(F.maxPool2d(a, this.pool), this.p, this.training);
  }
}

/**
 * Input frames [N, T, D] (D = mel bins), viewed as a 1-channel [D × T] image. Parameters
 * `cnn.{i}.conv.*`, `cnn.{i}.bn.*`, `lstm.*` (PyTorch LSTM names), `attention.*` (att pooling),
 * `dense.*`, `head.*`.
 */
export class CnnLstm extends SerModelBase {
  readonly inputKind = 'frames' as const;
  readonly embedDim: number;
  readonly blocks: ConvBlock[];
  readonly lstm: MaskedLSTM;
  readonly attention: AttentionPooling | null;
  readonly dense: nn.Linear;
  readonly head: nn.Linear;
  protected readonly cfg: ResolvedCnnLstm;
  /** Frequency bins left after the conv blocks. */
  readonly freqOut: number;

  /** @param modelName registry name; subclasses pass theirs (also selects the default pooling). */
  constructor(inputDim: number, numClasses: number, c: CnnLstmConfig = {}, modelName = 'cnn-lstm') {
    super(modelName, numClasses, [inputDim], c);
    positiveInt(modelName, 'inputDim', inputDim);
    const d = CNN_LSTM_DEFAULTS;
    this.cfg = {
      convChannels: [...(c.convChannels ?? d.convChannels)],
      freqPool: c.freqPool ?? d.freqPool,
      timePool: c.timePool ?? d.timePool,
      activation: c.activation ?? d.activation,
      convDropout: c.convDropout ?? d.convDropout,
      lstmHidden: c.lstmHidden ?? d.lstmHidden,
      lstmLayers: c.lstmLayers ?? d.lstmLayers,
      bidirectional: c.bidirectional ?? d.bidirectional,
      pooling: c.pooling ?? (modelName === 'cnn-lstm' ? 'last' : 'att'),
      attentionDim: c.attentionDim ?? d.attentionDim,
      denseDim: c.denseDim ?? d.denseDim,
      dropout: c.dropout ?? d.dropout,
    };
    const cfg = this.cfg;
    let freq = inputDim;
    let ch = 1;
    this.blocks = cfg.convChannels.map((out, i) => {
      positiveInt(modelName, `convChannels[${i}]`, out);
      freq = Math.floor(freq / cfg.freqPool);
      if (freq < 1)
        fail(modelName, `inputDim ${inputDim} is too small for ${cfg.convChannels.length} blocks with freqPool ${cfg.freqPool}`);
      const b = new ConvBlock(ch, out, [cfg.freqPool, cfg.timePool], cfg.activation, cfg.convDropout);
      ch = out;
      return b;
    });
    this.module('cnn', new nn.Sequential(...this.blocks));
    this.freqOut = freq;
    this.lstm = this.module(
      'lstm',
      new MaskedLSTM(ch * freq, cfg.lstmHidden, { numLayers: cfg.lstmLayers, bidirectional: cfg.bidirectional }),
    );
    const seqDim = this.lstm.outputSize;
    this.attention = cfg.pooling === 'att' ? this.module('attention', new AttentionPooling(seqDim, cfg.attentionDim)) : null;
    this.dense = this.module('dense', new nn.Linear(seqDim, cfg.denseDim));
    this.head = this.module('head', new nn.Linear(cfg.denseDim, numClasses));
    this.embedDim = cfg.denseDim;
  }

  /** Features needed so that every time pooling keeps ≥ 1 step. */
  get minFrames(): number {
    return this.cfg.timePool ** this.blocks.length;
  }

  /** Sequence after CNN + LSTM: h [N, T', dirs·H] and the pooled valid lengths (null without lengths). */
  encode(x: Tensor, lengths?: Tensor | null): { h: Tensor; lens: number[] | null } {
    let lens = this.checkInput(x, lengths);
    if (x.shape[1] < this.minFrames) fail(this.modelName, `needs ≥ ${this.minFrames} frames (timePool^blocks), got ${x.shape[1]}`);
    let img = zeroPadding(x, lens).transpose(1, 2).unsqueeze(1); // [N, 1, D, T]
    for (const b of this.blocks) {
      img = b.forward(img);
      if (lens !== null) {
        lens = lens.map((l) => Math.max(1, Math.floor(l / this.cfg.timePool)));
        img = zeroPadding(img, lens, 3);
      }
    }
    const [n, c, f, t] = img.shape;
    const seq = img.permute([0, 3, 1, 2]).reshape([n, t, c * f]);
    return { h: this.lstm.forward(seq, lens), lens };
  }

  /** Pooled sequence summary [N, dirs·H]. */
  protected pooled(x: Tensor, lengths?: Tensor | null): Tensor {
    const { h, lens } = this.encode(x, lengths);
    if (this.attention) return this.attention.forward(h, lens);
    if (this.cfg.pooling === 'mean') return maskedMeanPool(h, lens);
    return lastValidStep(h, lens, this.cfg.lstmHidden, this.cfg.bidirectional);
  }

  embed(x: Tensor, lengths?: Tensor | null): Tensor {
    const p = F.dropout(this.pooled(x, lengths), this.cfg.dropout, this.training);
    return this.dense.forward(p).relu();
  }

  forward(x: Tensor, lengths?: Tensor | null): Tensor {
    return this.head.forward(F.dropout(this.embed(x, lengths), this.cfg.dropout, this.training));
  }

  /** MACs of the trunk (CNN, LSTM, pooling, dense) for frames [T, D]. */
  protected trunkMacs(shape: readonly number[]): number {
    if (shape.length !== 2 || shape[1] !== this.inputShape[0])
      fail(this.modelName, `macs: expected an example shape [T, ${this.inputShape[0]}], got [${shape.join(', ')}]`);
    let [h, w] = [shape[1], shape[0]];
    let total = 0;
    for (const b of this.blocks) {
      const r = conv2dMacs(b.conv, [h, w]);
      total += r.macs;
      [h, w] = [Math.floor(r.outShape[0] / this.cfg.freqPool), Math.floor(r.outShape[1] / this.cfg.timePool)];
    }
    total += this.lstm.macs(w) + (this.attention ? this.attention.macs(w) : 0);
    return total + linearMacs(this.dense);
  }

  macs(shape: readonly number[]): number {
    return this.trunkMacs(shape) + linearMacs(this.head);
  }

  protected config(): Record<string, unknown> {
    return { ...this.cfg };
  }
}

/** `cnn-lstm-att`: {@link CnnLstm} with attention pooling over the LSTM steps (pooling fixed to 'att'). */
export class CnnLstmAtt extends CnnLstm {
  constructor(inputDim: number, numClasses: number, c: Omit<CnnLstmConfig, 'pooling'> = {}) {
    super(inputDim, numClasses, { ...c, pooling: 'att' }, 'cnn-lstm-att');
  }
}
