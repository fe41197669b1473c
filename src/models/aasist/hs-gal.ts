/**
 * Heterogeneous stacking graph attention layer (HS-GAL) of AASIST: temporal and spectral nodes
 * are projected into one space and attend to each other with type-dependent attention vectors
 * (one for temporal→temporal, one for spectral→spectral, one shared by both cross-type directions),
 * while a master node gathers from all nodes through its own attention. Parameter names equal the
 * published checkpoint's (`HtrgGAT_layer_*`).
 */
import { F, cat, nn, type Tensor } from '../../engine/index.js';
import { GAT_INPUT_DROPOUT, normalizeNodes, pairwiseProducts, xavierNormal } from './graph-attention.js';

/** Outputs of one HS-GAL step: updated nodes of each type and the updated master node. */
export interface HsGalOutput {
  /** [B, N1, outDim] */
  first: Tensor;
  /** [B, N2, outDim] */
  second: Tensor;
  /** [B, 1, outDim] */
  master: Tensor;
}

/** One HS-GAL: ([B, N1, inDim], [B, N2, inDim], master [B, 1, inDim]) → {@link HsGalOutput}. */
export class HeteroGraphAttentionLayer extends nn.Module {
  readonly attWeight11: Tensor;
  readonly attWeight22: Tensor;
  readonly attWeight12: Tensor;
  readonly attWeightM: Tensor;
  readonly projType1: nn.Linear;
  readonly projType2: nn.Linear;
  readonly attProj: nn.Linear;
  readonly attProjM: nn.Linear;
  readonly projWithAtt: nn.Linear;
  readonly projWithoutAtt: nn.Linear;
  readonly projWithAttM: nn.Linear;
  readonly projWithoutAttM: nn.Linear;
  readonly bn: nn.BatchNorm1d;
  readonly inputDrop: nn.Dropout;

  constructor(
    inDim: number,
    outDim: number,
    readonly temperature: number,
  ) {
    super();
    this.attWeight11 = this.param('att_weight11', xavierNormal(outDim, 1));
    this.attWeight22 = this.param('att_weight22', xavierNormal(outDim, 1));
    this.attWeight12 = this.param('att_weight12', xavierNormal(outDim, 1));
    this.attWeightM = this.param('att_weightM', xavierNormal(outDim, 1));
    this.projType1 = this.module('proj_type1', new nn.Linear(inDim, inDim));
    this.projType2 = this.module('proj_type2', new nn.Linear(inDim, inDim));
    this.attProj = this.module('att_proj', new nn.Linear(inDim, outDim));
    this.attProjM = this.module('att_projM', new nn.Linear(inDim, outDim));
    this.projWithAtt = this.module('proj_with_att', new nn.Linear(inDim, outDim));
    this.projWithoutAtt = this.module('proj_without_att', new nn.Linear(inDim, outDim));
    this.projWithAttM = this.module('proj_with_attM', new nn.Linear(inDim, outDim));
    this.projWithoutAttM = this.module('proj_without_attM', new nn.Linear(inDim, outDim));
    this.bn = this.module('bn', new nn.BatchNorm1d(outDim));
    this.inputDrop = this.module('input_drop', new nn.Dropout(GAT_INPUT_DROPOUT));
  }

  /**
   * Node-to-node attention [B, N, N] over the joint node set (the first `n1` nodes are type 1):
   * the score of each edge uses the attention vector of its (row type, column type) block.
   */
  attention(x: Tensor, n1: number): Tensor {
    const hidden = this.attProj.forward(pairwiseProducts(x)).tanh();
    // One product for the three attention vectors: [..., 0] = 11, [..., 1] = 22, [..., 2] = 12 (and 21).
    const scores = hidden.matmul(cat([this.attWeight11, this.attWeight22, this.attWeight12], 1));
    const n2 = x.shape[1] - n1;
    const block = (rows: [number, number], cols: [number, number], k: number): Tensor =>
      scores.narrow(1, rows[0], rows[1]).narrow(2, cols[0], cols[1]).select(3, k);
    const top = cat([block([0, n1], [0, n1], 0), block([0, n1], [n1, n2], 2)], 2);
    const bottom = cat([block([n1, n2], [0, n1], 2), block([n1, n2], [n1, n2], 1)], 2);
    return cat([top, bottom], 1).div(this.temperature).softmax(-1);
  }

  /** Master-to-node attention [B, 1, N] (sums to 1 over the nodes). */
  masterAttention(x: Tensor, master: Tensor): Tensor {
    const hidden = this.attProjM.forward(x.mul(master)).tanh();
    return hidden.matmul(this.attWeightM).div(this.temperature).softmax(1).transpose(1, 2);
  }

  forward(first: Tensor, second: Tensor, master: Tensor): HsGalOutput {
    const n1 = first.shape[1];
    const n2 = second.shape[1];
    const joint = cat([this.projType1.forward(first), this.projType2.forward(second)], 1);
    const x = this.inputDrop.forward(joint);
    const att = this.attention(x, n1);
    const newMaster = this.projWithAttM.forward(this.masterAttention(x, master).matmul(x)).add(this.projWithoutAttM.forward(master));
    const y = this.projWithAtt.forward(att.matmul(x)).add(this.projWithoutAtt.forward(x));
    const nodes = F.selu(normalizeNodes(this.bn, y));
    return { first: nodes.narrow(1, 0, n1), second: nodes.narrow(1, n1, n2), master: newMaster };
  }
}
