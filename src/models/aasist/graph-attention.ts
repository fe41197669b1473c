/**
 * Graph attention over fully connected node sets, as in AASIST: the score of edge (i, j) is
 * wᵀ tanh(W (xᵢ ⊙ xⱼ) + b) / temperature, normalized by a softmax over the neighbours j; each node
 * becomes Lin₁(Σⱼ aᵢⱼ xⱼ) + Lin₂(xᵢ), then batch norm over all nodes and SELU. Parameter names
 * equal the published checkpoint's (`att_proj`, `att_weight`, `proj_with_att`, `proj_without_att`, `bn`).
 */
import { F, nn, noGrad, zeros, type Tensor } from '../../engine/index.js';

/** Dropout on the node features entering an attention layer (training only). */
export const GAT_INPUT_DROPOUT = 0.2;

/**
 * A [rows, cols] parameter drawn from N(0, 2 / (fan_in + fan_out)) with PyTorch's fan convention
 * for 2-D weights (fan_in = cols, fan_out = rows): Xavier-normal initialization.
 */
export function xavierNormal(rows: number, cols: number): Tensor {
  const std = Math.sqrt(2 / (rows + cols));
  return noGrad(() => zeros([rows, cols]).normal_(0, std));
}

/** All node pairs' element-wise products: [B, N, D] → [B, N, N, D] with [b, i, j] = xᵢ ⊙ xⱼ. */
export function pairwiseProducts(x: Tensor): Tensor {
  return x.unsqueeze(2).mul(x.unsqueeze(1));
}

/** Batch norm of every node's feature vector: [B, N, D] viewed as [B·N, D]. */
export function normalizeNodes(bn: nn.BatchNorm1d, x: Tensor): Tensor {
  const shape = x.shape;
  return bn.forward(x.reshape([-1, shape[shape.length - 1]])).reshape(shape);
}

/** Graph attention layer: [B, N, inDim] → [B, N, outDim]. */
export class GraphAttentionLayer extends nn.Module {
  readonly attWeight: Tensor;
  readonly attProj: nn.Linear;
  readonly projWithAtt: nn.Linear;
  readonly projWithoutAtt: nn.Linear;
  readonly bn: nn.BatchNorm1d;
  readonly inputDrop: nn.Dropout;

  constructor(
    inDim: number,
    outDim: number,
    readonly temperature: number,
  ) {
    super();
    this.attWeight = this.param('att_weight', xavierNormal(outDim, 1));
    this.attProj = this.module('att_proj', new nn.Linear(inDim, outDim));
    this.projWithAtt = this.module('proj_with_att', new nn.Linear(inDim, outDim));
    this.projWithoutAtt = this.module('proj_without_att', new nn.Linear(inDim, outDim));
    this.bn = this.module('bn', new nn.BatchNorm1d(outDim));
    this.inputDrop = this.module('input_drop', new nn.Dropout(GAT_INPUT_DROPOUT));
  }

  /** Attention weights [B, N, N] (rows sum to 1) for node features [B, N, inDim]. */
  attention(x: Tensor): Tensor {
    const hidden = this.attProj.forward(pairwiseProducts(x)).tanh();
    return hidden.matmul(this.attWeight).squeeze(-1).div(this.temperature).softmax(-1);
  }

  forward(x: Tensor): Tensor {
    const h = this.inputDrop.forward(x);
    const att = this.attention(h);
    const y = this.projWithAtt.forward(att.matmul(h)).add(this.projWithoutAtt.forward(h));
    return F.selu(normalizeNodes(this.bn, y));
  }
}
