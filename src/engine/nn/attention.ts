/** Multi-head attention with PyTorch's packed in-projection parameter names. */
import * as F from '../functional.js';
import { zeros } from '../creation.js';
import { noGrad } from '../autograd.js';
import type { Tensor } from '../tensor.js';
import { Module } from './module.js';
import { Linear, uniformParam } from './layers.js';

export interface MultiheadAttentionOptions {
  /** Dropout on the attention weights (training only). */
  dropout?: number;
  bias?: boolean;
  /** Inputs as [batch, seq, embed] (default true; PyTorch's default is false). */
  batchFirst?: boolean;
}

export interface AttentionCallOptions {
  /** [batch, keySeq] bool, true = padding (ignored), as PyTorch's key_padding_mask. */
  keyPaddingMask?: Tensor | null;
  /** [querySeq, keySeq] bool (true = not allowed, as PyTorch) or float (added to scores). */
  attnMask?: Tensor | null;
}

/** softmax(QKᵀ/√d)V over `numHeads` heads of size embedDim/numHeads. */
export class MultiheadAttention extends Module {
  readonly inProjWeight: Tensor;
  readonly inProjBias: Tensor | null;
  readonly outProj: Linear;
  readonly headDim: number;
  readonly batchFirst: boolean;
  readonly dropout: number;

  constructor(
    readonly embedDim: number,
    readonly numHeads: number,
    o: MultiheadAttentionOptions = {},
  ) {
    super();
    if (embedDim % numHeads !== 0) throw new Error(`MultiheadAttention: embedDim ${embedDim} is not divisible by numHeads ${numHeads}`);
    this.headDim = embedDim / numHeads;
    this.batchFirst = o.batchFirst ?? true;
    this.dropout = o.dropout ?? 0;
    // PyTorch initializes the packed [3E, E] projection with xavier_uniform and zero biases.
    const bound = Math.sqrt(6 / (embedDim + 3 * embedDim));
    this.inProjWeight = this.param('in_proj_weight', uniformParam([3 * embedDim, embedDim], bound));
    this.inProjBias = o.bias === false ? null : this.param('in_proj_bias', zeros([3 * embedDim]));
    this.outProj = this.module('out_proj', new Linear(embedDim, embedDim, o.bias !== false));
    if (this.outProj.bias) noGrad(() => this.outProj.bias!.zero_());
  }

  /** Returns [output (same layout as query), attention weights averaged over heads [batch, Lq, Lk]]. */
  forward(query: Tensor, key: Tensor, value: Tensor, o: AttentionCallOptions = {}): [Tensor, Tensor] {
    if (query.ndim !== 3 || key.ndim !== 3 || value.ndim !== 3) {
      throw new Error(`MultiheadAttention: expected 3-D query/key/value, got [${query.shape}], [${key.shape}], [${value.shape}]`);
    }
    const [q0, k0, v0] = this.batchFirst ? [query, key, value] : [query.transpose(0, 1), key.transpose(0, 1), value.transpose(0, 1)];
    const [n, lq] = q0.shape;
    const lk = k0.shape[1];
    const e = this.embedDim;
    const [wq, wk, wv] = [0, 1, 2].map((i) => this.inProjWeight.narrow(0, i * e, e));
    const [bq, bk, bv] = [0, 1, 2].map((i) => (this.inProjBias ? this.inProjBias.narrow(0, i * e, e) : null));
    const heads = (x: Tensor, w: Tensor, b: Tensor | null, len: number) =>
      F.linear(x, w, b).reshape([n, len, this.numHeads, this.headDim]).transpose(1, 2);
    const q = heads(q0, wq, bq, lq);
    const k = heads(k0, wk, bk, lk);
    const v = heads(v0, wv, bv, lk);
    const mask = this.keepMask(o, n, lq, lk);
    const [ctx, weights] = F.scaledDotProductAttention(q, k, v, { mask, dropout: this.dropout, training: this.training });
    const merged = ctx.transpose(1, 2).reshape([n, lq, e]);
    const out = this.outProj.forward(merged);
    return [this.batchFirst ? out : out.transpose(0, 1), weights.mean(1)];
  }

  // Combines PyTorch-convention masks (true = blocked) into one "true = keep" mask, or a float mask.
  private keepMask(o: AttentionCallOptions, n: number, lq: number, lk: number): Tensor | null {
    let keep: Tensor | null = null;
    if (o.keyPaddingMask) keep = o.keyPaddingMask.logicalNot().reshape([n, 1, 1, lk]);
    if (o.attnMask) {
      if (o.attnMask.dtype !== 'bool') {
        const add = o.attnMask.reshape([1, 1, lq, lk]);
        return keep ? add.maskedFill(keep.logicalNot(), -Infinity) : add;
      }
      const m = o.attnMask.logicalNot().reshape([1, 1, lq, lk]);
      keep = keep ? keep.logicalAnd(m) : m;
    }
    return keep;
  }
}
