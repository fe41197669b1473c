/**
 * Feature standardization: per-(channel, dim) mean and standard deviation fitted on training
 * features only, and applied to any features of the same set.
 */
import type { Features } from './types.js';

/** Per-(channel, dim) standardization statistics, computed on training data only. */
export interface Normalizer {
  channels: number;
  dims: number;
  mean: number[];
  std: number[];
}

/** Floor for standard deviations (a constant feature dim is left centred, not blown up). */
const MIN_STD = 1e-5;

/** Mean and std per (channel, dim) over every frame of the given utterances. */
export function fitNormalizer(feats: Features[]): Normalizer {
  const [c, , d] = [feats[0].channels, feats[0].frames, feats[0].dims];
  const sum = new Float64Array(c * d),
    sq = new Float64Array(c * d);
  let frames = 0;
  for (const f of feats) {
    const [fc, t, fd] = [f.channels, f.frames, f.dims];
    if (fc !== c || fd !== d) throw new Error(`features of different shapes in one corpus ([${c}, *, ${d}] vs [${fc}, *, ${fd}])`);
    for (let ch = 0; ch < c; ch++) {
      for (let i = 0; i < t; i++) {
        const base = (ch * t + i) * d;
        for (let k = 0; k < d; k++) {
          const v = f.data[base + k];
          sum[ch * d + k] += v;
          sq[ch * d + k] += v * v;
        }
      }
    }
    frames += t;
  }
  const mean = Array.from(sum, (s) => s / frames);
  const std = Array.from(sq, (s, i) => Math.max(MIN_STD, Math.sqrt(Math.max(0, s / frames - mean[i] ** 2))));
  return { channels: c, dims: d, mean, std };
}

/** Standardizes a copy of `f` with `n`. */
export function normalize(f: Features, n: Normalizer): Features {
  const [c, t, d] = [f.channels, f.frames, f.dims];
  const out = new Float32Array(f.data.length);
  for (let ch = 0; ch < c; ch++) {
    for (let i = 0; i < t; i++) {
      const base = (ch * t + i) * d;
      for (let k = 0; k < d; k++) out[base + k] = (f.data[base + k] - n.mean[ch * d + k]) / n.std[ch * d + k];
    }
  }
  return { ...f, data: out };
}
