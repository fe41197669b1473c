/**
 * Length-aware sequence building blocks: padding masks, masked mean / attention / last-step pooling
 * and an LSTM whose outputs at valid frames do not depend on the padding (as PyTorch's packed
 * sequences). Lengths are plain numbers (frames), validated by the model.
 */
import { arange, nn, tensor, where, cat, F, type Tensor } from '../../engine/index.js';

/** Gates per LSTM cell (input, forget, cell, output). */
export const LSTM_GATES = 4;

/** bool [N, T], true at valid frames (t < length), or null when every frame is valid. */
export function lengthMask(lens: readonly number[] | null, t: number): Tensor | null {
  if (lens === null) return null;
  const m = new Uint8Array(lens.length * t);
  lens.forEach((l, n) => m.fill(1, n * t, n * t + Math.min(l, t)));
  return tensor(m, [lens.length, t], 'bool');
}

/** Zeroes the padding frames of `x` [N, T, ...] (x itself when there are no lengths). */
export function zeroPadding(x: Tensor, lens: readonly number[] | null, timeDim = 1): Tensor {
  const mask = lengthMask(lens, x.shape[timeDim]);
  if (mask === null) return x;
  const shape = x.shape.map((s, i) => (i === 0 || i === timeDim ? s : 1));
  return where(mask.reshape(shape), x, 0);
}

/** Mean over the valid frames of h [N, T, H] → [N, H]. */
export function maskedMeanPool(h: Tensor, lens: readonly number[] | null): Tensor {
  if (lens === null) return h.mean(1);
  const denom = tensor(Float32Array.from(lens), [lens.length, 1]);
  return zeroPadding(h, lens).sum(1).div(denom);
}

/**
 * Output of the last valid step of an RNN output h [N, T, dirs·H] → [N, dirs·H]: the forward
 * direction at frame length−1 and (bidirectional) the backward direction at frame 0, i.e. the
 * final hidden states of a packed sequence.
 */
export function lastValidStep(h: Tensor, lens: readonly number[] | null, hidden: number, bidirectional: boolean): Tensor {
  const [n, t] = h.shape;
  const last = lens ?? new Array<number>(n).fill(t);
  const rows = arange(0, n);
  const idx = tensor(
    last.map((l) => l - 1),
    [n],
    'int64',
  );
  const fwd = h.narrow(2, 0, hidden).index([rows, idx]);
  if (!bidirectional) return fwd;
  return cat([fwd, h.narrow(2, hidden, hidden).select(1, 0)], 1);
}

/** Reverses each sequence of x [N, T, ...] within its valid length (padding stays in place); an involution. */
export function reverseByLength(x: Tensor, lens: readonly number[] | null): Tensor {
  if (lens === null) return x.flip([1]);
  const [n, t] = x.shape;
  const rows = new BigInt64Array(n * t);
  const cols = new BigInt64Array(n * t);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < t; j++) {
      rows[i * t + j] = BigInt(i);
      cols[i * t + j] = BigInt(j < lens[i] ? lens[i] - 1 - j : j);
    }
  }
  return x.index([tensor(rows, [n, t]), tensor(cols, [n, t])]);
}

/**
 * Additive attention pooling over valid frames: scores = w₂ᵀ tanh(W₁ h + b₁) + b₂, softmax over the
 * valid frames, output = Σ_t α_t h_t. Parameters `proj.*` (W₁) and `score.*` (w₂).
 */
export class AttentionPooling extends nn.Module {
  readonly proj: nn.Linear;
  readonly score: nn.Linear;
  constructor(
    readonly inputDim: number,
    readonly attentionDim: number,
  ) {
    super();
    this.proj = this.module('proj', new nn.Linear(inputDim, attentionDim));
    this.score = this.module('score', new nn.Linear(attentionDim, 1));
  }
  /** Attention weights [N, T] (0 at padding frames; each row sums to 1). */
  weights(h: Tensor, lens: readonly number[] | null): Tensor {
    const s = this.score.forward(this.proj.forward(h).tanh()).squeeze(-1);
    const mask = lengthMask(lens, h.shape[1]);
    return (mask === null ? s : s.maskedFill(mask.logicalNot(), -Infinity)).softmax(1);
  }
  /** Pooled [N, H] from h [N, T, H]. */
  forward(h: Tensor, lens: readonly number[] | null): Tensor {
    const a = this.weights(h, lens).unsqueeze(-1);
    return zeroPadding(h, lens).mul(a).sum(1);
  }
  /** MACs for T frames: W₁ and w₂ at every frame plus the weighted sum (T·H). */
  macs(t: number): number {
    return t * (this.inputDim * this.attentionDim + this.attentionDim + this.inputDim);
  }
}

export interface MaskedLstmOptions {
  /** Stacked layers (default 1). */
  numLayers?: number;
  /** Run a backward direction too (default false). */
  bidirectional?: boolean;
  /** Dropout between layers while training (default 0). */
  dropout?: number;
}

/**
 * A batch-first LSTM with PyTorch's parameter names (`weight_ih_l0`, `weight_hh_l0_reverse`, …) and
 * initialization, run layer by layer so that, given lengths, the backward direction starts at each
 * sequence's last valid frame: outputs at valid frames equal those of the unpadded sequence.
 */
export class MaskedLSTM extends nn.Module {
  readonly numLayers: number;
  readonly bidirectional: boolean;
  readonly dropout: number;
  private readonly flat: Tensor[][] = [];

  constructor(
    readonly inputSize: number,
    readonly hiddenSize: number,
    o: MaskedLstmOptions = {},
  ) {
    super();
    this.numLayers = o.numLayers ?? 1;
    this.bidirectional = o.bidirectional ?? false;
    this.dropout = o.dropout ?? 0;
    const bound = 1 / Math.sqrt(hiddenSize);
    const gates = LSTM_GATES * hiddenSize;
    for (let layer = 0; layer < this.numLayers; layer++) {
      const inSize = layer === 0 ? inputSize : this.outputSize;
      for (let d = 0; d < this.directions; d++) {
        const sfx = `_l${layer}${d === 1 ? '_reverse' : ''}`;
        this.flat.push([
          this.param(`weight_ih${sfx}`, nn.uniformParam([gates, inSize], bound)),
          this.param(`weight_hh${sfx}`, nn.uniformParam([gates, hiddenSize], bound)),
          this.param(`bias_ih${sfx}`, nn.uniformParam([gates], bound)),
          this.param(`bias_hh${sfx}`, nn.uniformParam([gates], bound)),
        ]);
      }
    }
  }

  get directions(): number {
    return this.bidirectional ? 2 : 1;
  }
  /** Features per output frame (hidden × directions). */
  get outputSize(): number {
    return this.hiddenSize * this.directions;
  }

  /** x [N, T, inputSize] → [N, T, outputSize]; values at padding frames are unspecified. */
  forward(x: Tensor, lens: readonly number[] | null): Tensor {
    let h = x;
    for (let layer = 0; layer < this.numLayers; layer++) {
      if (layer > 0 && this.dropout > 0) h = F.dropout(h, this.dropout, this.training);
      const run = (input: Tensor, d: number) =>
        F.lstm(input, null, { params: this.flat[layer * this.directions + d], numLayers: 1, bidirectional: false, batchFirst: true })[0];
      const fwd = run(h, 0);
      h = this.bidirectional ? cat([fwd, reverseByLength(run(reverseByLength(h, lens), 1), lens)], 2) : fwd;
    }
    return h;
  }

  /** MACs for T frames: 4·H·(in + H) per frame, layer and direction. */
  macs(t: number): number {
    let total = 0;
    for (let layer = 0; layer < this.numLayers; layer++) {
      const inSize = layer === 0 ? this.inputSize : this.outputSize;
      total += this.directions * t * LSTM_GATES * this.hiddenSize * (inSize + this.hiddenSize);
    }
    return total;
  }
}
