/**
 * The part of AASIST after its two node sets: two branches of two heterogeneous stacking graph
 * attention layers with a master node, the element-wise max of the branches, and the readout
 * [|T|max, T mean, |S|max, S mean, master]. Shared by AASIST (sinc front end) and AASIST with a
 * wav2vec 2.0 front end, whose modules carry the same names.
 */
import { cat, type nn, type Tensor } from '../../engine/index.js';
import type { HeteroGraphAttentionLayer } from './hs-gal.js';
import type { GraphPool } from './pool.js';

/** The modules the readout runs through (fields of the model, named as in the checkpoints). */
export interface GraphHead {
  readonly master1: Tensor;
  readonly master2: Tensor;
  readonly dropWay: nn.Dropout;
  readonly hsGal11: HeteroGraphAttentionLayer;
  readonly hsGal12: HeteroGraphAttentionLayer;
  readonly hsGal21: HeteroGraphAttentionLayer;
  readonly hsGal22: HeteroGraphAttentionLayer;
  readonly poolHS1: GraphPool;
  readonly poolHT1: GraphPool;
  readonly poolHS2: GraphPool;
  readonly poolHT2: GraphPool;
}

interface Graph {
  temporal: Tensor;
  spectral: Tensor;
  master: Tensor;
}

/** One branch: HS-GAL → pool both node types → HS-GAL with a residual on all three outputs → dropout. */
function branch(
  h: GraphHead,
  temporal: Tensor,
  spectral: Tensor,
  master: Tensor,
  layers: [HeteroGraphAttentionLayer, HeteroGraphAttentionLayer],
  pools: [GraphPool, GraphPool],
): Graph {
  const a = layers[0].forward(temporal, spectral, master);
  const t = pools[0].forward(a.first);
  const s = pools[1].forward(a.second);
  const b = layers[1].forward(t, s, a.master);
  return {
    temporal: h.dropWay.forward(t.add(b.first)),
    spectral: h.dropWay.forward(s.add(b.second)),
    master: h.dropWay.forward(a.master.add(b.master)),
  };
}

/**
 * Readout embedding [B, 5·gatDims[1]] from pooled temporal [B, Nt, D] and spectral [B, Ns, D]
 * node sets.
 */
export function graphReadout(h: GraphHead, temporal: Tensor, spectral: Tensor): Tensor {
  const batch = temporal.shape[0];
  const first = branch(h, temporal, spectral, h.master1.expand([batch, -1, -1]), [h.hsGal11, h.hsGal12], [h.poolHT1, h.poolHS1]);
  const second = branch(h, temporal, spectral, h.master2.expand([batch, -1, -1]), [h.hsGal21, h.hsGal22], [h.poolHT2, h.poolHS2]);
  const t = first.temporal.maximum(second.temporal);
  const s = first.spectral.maximum(second.spectral);
  const master = first.master.maximum(second.master);
  return cat([t.abs().amax(1), t.mean(1), s.abs().amax(1), s.mean(1), master.squeeze(1)], 1);
}
