/**
 * WavLM's gated relative position bias. Offsets between key and query frames fall into
 * buckets — exact for small offsets, logarithmic up to a maximum distance, one half of the
 * buckets per direction — and each bucket has a learned bias per head. The first layer's
 * table gives the bias of every layer; each layer gates it per frame and head with a sigmoid
 * of its own input.
 */
import { nn, tensor, type Tensor } from '../../engine/index.js';
import type { RelativePositionConfig } from './config.js';

/** Outputs of the gate projection per head (`gru_rel_pos_linear`): two gates, each the sum of four. */
export const GATE_OUTPUTS = 8;
const GATE_GROUP = 4;

/**
 * The bucket of each offset `key − query` for `frames` frames, row-major [frames, frames], as
 * indices. The logarithmic part is computed in float32 steps, as the reference models
 * compute it, so borderline offsets fall into the same buckets.
 */
export function relativeBuckets(frames: number, c: RelativePositionConfig): Int32Array {
  const half = c.numBuckets / 2;
  const exact = half / 2;
  const logRange = Math.log(c.maxDistance / exact);
  const f = Math.fround;
  const bucketOf = new Map<number, number>();
  const bucket = (offset: number): number => {
    let b = bucketOf.get(offset);
    if (b === undefined) {
      const dist = Math.abs(offset);
      const large = Math.min(half - 1, exact + Math.trunc(f(f(f(Math.log(f(dist / exact))) / f(logRange)) * (half - exact))));
      b = (offset > 0 ? half : 0) + (dist < exact ? dist : large);
      bucketOf.set(offset, b);
    }
    return b;
  };
  const out = new Int32Array(frames * frames);
  for (let q = 0; q < frames; q++) for (let k = 0; k < frames; k++) out[q * frames + k] = bucket(k - q);
  return out;
}

/** A table of one learned bias per bucket and head (`weight` [numBuckets, heads]). */
export class BiasTable extends nn.Module {
  readonly weight: Tensor;
  constructor(numBuckets: number, heads: number) {
    super();
    this.weight = this.param('weight', tensor(new Float32Array(numBuckets * heads), [numBuckets, heads]));
  }
}

/**
 * The gated bias of one layer [B, H, T, T]: x [B, T, D] is the attention's input, `linear` its
 * gate projection, `scale` [1, H, 1, 1] its gate constant and `bias` [1, H, T, T] the shared bias.
 */
export function gateBias(x: Tensor, linear: nn.Linear, scale: Tensor, bias: Tensor): Tensor {
  const [b, t, d] = x.shape;
  const heads = scale.shape[1];
  const perHead = x.view([b, t, heads, d / heads]).transpose(1, 2);
  const g = linear.forward(perHead).view([b, heads, t, 2, GATE_GROUP]).sum([-1]).sigmoid();
  const gateA = g.narrow(3, 0, 1);
  const gateB = g.narrow(3, 1, 1);
  return gateA.mul(gateB.mul(scale).sub(1)).add(2).mul(bias);
}

/** The ungated bias [1, H, T, T] of `frames` frames from the first layer's table. */
export function positionBias(table: BiasTable, frames: number, c: RelativePositionConfig): Tensor {
  const heads = table.weight.shape[1];
  const idx = tensor(relativeBuckets(frames, c), [frames * frames]);
  return table.weight.indexSelect(0, idx).view([frames, frames, heads]).permute([2, 0, 1]).unsqueeze(0);
}
