/**
 * Training data: features for every utterance (through the extraction cache and worker pool),
 * normalization statistics from the training partition, and batches shaped for each model's
 * input kind: frames [N, T, D] + lengths, image segments [N, C, F, T], vectors [N, D].
 */
import { availableParallelism } from 'node:os';
import type { FeatureArray } from '../features/extract/cache.js';
import { defaultCacheDir } from '../features/extract/cache.js';
import { runPool } from '../features/extract/pool.js';
import { segmentCount } from '../features/index.js';
import { tensor, type Tensor } from '../engine/index.js';
import type { Rng } from '../audio/index.js';

export type InputKind = 'frames' | 'image' | 'vector' | 'layers';

/** Per-(channel, dim) standardization statistics, computed on training data only. */
export interface Normalizer {
  channels: number;
  dims: number;
  mean: number[];
  std: number[];
}

/** Floor for standard deviations (a constant feature dim is left centred, not blown up). */
const MIN_STD = 1e-5;

/** Computes features for `items` (cached by content + settings); failures abort with every reason listed. */
export async function computeFeatures(
  items: { id: string; path: string }[],
  setName: string,
  overrides: Record<string, unknown>,
  o: { workers?: number; cacheDir?: string | null; onProgress?: (done: number, total: number) => void } = {},
): Promise<Map<string, FeatureArray>> {
  const out = new Map<string, FeatureArray>();
  const failed: string[] = [];
  await runPool(
    items.map((it) => ({ id: it.id, path: it.path, setName, overrides, cacheDir: o.cacheDir === undefined ? defaultCacheDir() : o.cacheDir })),
    o.workers ?? availableParallelism(),
    (r) => {
      if (r.ok) out.set(r.id, { shape: r.shape, data: r.data });
      else failed.push(r.reason);
      o.onProgress?.(out.size + failed.length, items.length);
    },
  );
  if (failed.length > 0) throw new Error(`${failed.length} file(s) could not be read for training:\n  ${failed.join('\n  ')}`);
  return out;
}

/** Views a feature array as [C, T, D] (C = 1 for [T, D]). */
function asCtd(f: FeatureArray): [number, number, number] {
  return f.shape.length === 3 ? [f.shape[0], f.shape[1], f.shape[2]] : [1, f.shape[0], f.shape[1]];
}

/** Mean and std per (channel, dim) over every frame of the given utterances. */
export function fitNormalizer(feats: FeatureArray[]): Normalizer {
  const [c, , d] = asCtd(feats[0]);
  const sum = new Float64Array(c * d), sq = new Float64Array(c * d);
  let frames = 0;
  for (const f of feats) {
    const [fc, t, fd] = asCtd(f);
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
export function normalize(f: FeatureArray, n: Normalizer): FeatureArray {
  const [c, t, d] = asCtd(f);
  const out = new Float32Array(f.data.length);
  for (let ch = 0; ch < c; ch++) {
    for (let i = 0; i < t; i++) {
      const base = (ch * t + i) * d;
      for (let k = 0; k < d; k++) out[base + k] = (f.data[base + k] - n.mean[ch * d + k]) / n.std[ch * d + k];
    }
  }
  return { shape: f.shape, data: out };
}

/** One model input unit: an utterance (frames, vector) or a segment of one (image). */
export interface Example {
  /** Index of the utterance in the dataset's utterance list. */
  utterance: number;
  label: number;
  /** Auxiliary targets of multitask models (−100 = unknown). */
  aux?: AuxTargets;
  /** Normalized features: [T, D] frames, [C, S, D] segment, or [1, D] vector. */
  features: FeatureArray;
}

/** Class indices of the speaker attributes a multitask model predicts (−100 = unknown). */
export interface AuxTargets {
  gender: number;
  race: number;
}

/**
 * Turns utterance features into model examples: image models get fixed-length segments (seed
 * 003's zero-padded last segment); others one example per utterance.
 */
export function makeExamples(feats: FeatureArray[], labels: number[], kind: InputKind, seg: { frames: number; hop?: number }, aux?: AuxTargets[]): Example[] {
  if (kind !== 'image') return feats.map((f, u) => ({ utterance: u, label: labels[u], features: f, aux: aux?.[u] }));
  const out: Example[] = [];
  feats.forEach((f, u) => {
    const [c, t, d] = asCtd(f);
    const hop = seg.hop ?? seg.frames;
    const n = segmentCount(t, { segmentFrames: seg.frames, hopFrames: hop });
    for (let s = 0; s < n; s++) {
      const data = new Float32Array(c * seg.frames * d);
      const start = s * hop;
      const len = Math.min(seg.frames, t - start);
      for (let ch = 0; ch < c; ch++) data.set(f.data.subarray((ch * t + start) * d, (ch * t + start + len) * d), ch * seg.frames * d);
      out.push({ utterance: u, label: labels[u], features: { shape: [c, seg.frames, d], data } });
    }
  });
  return out;
}

/** Model inputs for a batch of examples; `rng` set = training (random crops), else centre crops. */
export function batchTensors(ex: Example[], kind: InputKind, maxFrames: number, rng: Rng | null): { x: Tensor; lengths: Tensor | null; y: Tensor; aux: { gender: Tensor; race: Tensor } | null } {
  const y = tensor(BigInt64Array.from(ex, (e) => BigInt(e.label)), [ex.length]);
  const aux = ex[0].aux ? {
    gender: tensor(BigInt64Array.from(ex, (e) => BigInt(e.aux!.gender)), [ex.length]),
    race: tensor(BigInt64Array.from(ex, (e) => BigInt(e.aux!.race)), [ex.length]),
  } : null;
  if (kind === 'vector') {
    const d = ex[0].features.data.length;
    const data = new Float32Array(ex.length * d);
    ex.forEach((e, i) => data.set(e.features.data, i * d));
    return { x: tensor(data, [ex.length, d]), lengths: null, y, aux };
  }
  if (kind === 'image') {
    // [C, S, D] segments → [N, C, F = D, T = S] (frequency as image height, time as width).
    const [c, s, d] = ex[0].features.shape;
    const data = new Float32Array(ex.length * c * s * d);
    ex.forEach((e, i) => data.set(e.features.data, i * c * s * d));
    return { x: tensor(data, [ex.length, c, s, d]).transpose(2, 3).contiguous(), lengths: null, y, aux };
  }
  const d = ex[0].features.shape[1];
  const data = new Float32Array(ex.length * maxFrames * d);
  const lengths = new BigInt64Array(ex.length);
  ex.forEach((e, i) => {
    const t = e.features.shape[0];
    const len = Math.min(t, maxFrames);
    const start = t <= maxFrames ? 0 : rng ? rng.int(t - maxFrames + 1) : Math.floor((t - maxFrames) / 2);
    data.set(e.features.data.subarray(start * d, (start + len) * d), i * maxFrames * d);
    lengths[i] = BigInt(len);
  });
  return { x: tensor(data, [ex.length, maxFrames, d]), lengths: tensor(lengths, [ex.length]), y, aux };
}
