/**
 * SpecAugment (Park et al., 2019) without time warping: bands of feature dims (frequency
 * masks) and runs of frames (time masks) set to zero — the mean, since models see standardized
 * features — in every channel alike. Used on training batches only.
 */
import type { Rng } from '../core/pure.js';
import type { Features } from './types.js';

/** How many masks of which widths (drawn uniformly in [0, max]). */
export interface SpecAugmentOptions {
  freqMasks: number;
  /** Widest frequency mask (feature dims). */
  maxFreqWidth: number;
  timeMasks: number;
  /** Widest time mask (frames of the feature set). */
  maxTimeWidth: number;
}

/** A masked copy of `f` (frames or image features). */
export function specAugment(f: Features, o: SpecAugmentOptions, rng: Rng): Features {
  const { channels: C, frames: T, dims: D } = f;
  const data = new Float32Array(f.data);
  for (let m = 0; m < o.freqMasks; m++) {
    const w = Math.min(D, rng.int(o.maxFreqWidth + 1));
    const d0 = rng.int(D - w + 1);
    for (let c = 0; c < C; c++) for (let t = 0; t < T; t++) data.fill(0, (c * T + t) * D + d0, (c * T + t) * D + d0 + w);
  }
  for (let m = 0; m < o.timeMasks; m++) {
    const w = Math.min(T, rng.int(o.maxTimeWidth + 1));
    const t0 = rng.int(T - w + 1);
    for (let c = 0; c < C; c++) data.fill(0, (c * T + t0) * D, (c * T + t0 + w) * D);
  }
  return { ...f, data };
}
