/**
 * AASIST's graph pooling: each node gets a score sigmoid(wᵀxᵢ + b) in (0, 1); the nodes are scaled
 * by their scores and the top ⌊N·ratio⌋ (at least 1) are kept, in descending score order.
 */
import { nn, topk, type Tensor } from '../../engine/index.js';
import { pooledNodes } from './config.js';

/** Dropout on the features that feed the scorer (training only); the kept features are not dropped. */
export const POOL_SCORE_DROPOUT = 0.3;

/** Top-k graph pooling: [B, N, D] → [B, max(⌊N·ratio⌋, 1), D]. Parameters: `proj` (the scorer). */
export class GraphPool extends nn.Module {
  readonly proj: nn.Linear;
  readonly drop: nn.Dropout;

  constructor(
    readonly ratio: number,
    inDim: number,
    dropout = POOL_SCORE_DROPOUT,
  ) {
    super();
    this.proj = this.module('proj', new nn.Linear(inDim, 1));
    this.drop = this.module('drop', new nn.Dropout(dropout));
  }

  /** Node scores in (0, 1), [B, N, 1]. */
  scores(h: Tensor): Tensor {
    return this.proj.forward(this.drop.forward(h)).sigmoid();
  }

  forward(h: Tensor): Tensor {
    const [batch, nodes, dim] = h.shape;
    const s = this.scores(h);
    const [, idx] = topk(s, pooledNodes(nodes, this.ratio), 1);
    return h.mul(s).gather(1, idx.expand([batch, idx.shape[1], dim]));
  }
}
