/**
 * Model inputs from normalized utterance features: examples (one per utterance, or fixed-length
 * segments for image models), batches shaped for each input kind — frames [N, T, D] + lengths,
 * image segments [N, C, F, T], vectors [N, D] — and utterance posteriors (segment models: the
 * mean over an utterance's segments). Shared by training and by every use of a trained fold.
 */
import type { Rng } from '../../core/index.js';
import { noGrad, tensor, tidy, type Tensor } from '../../engine/index.js';
import { centreCropStart, segmentCount, type Features } from '../../features/index.js';
import type { InputKind } from './base.js';
import type { TrainableModel } from './build.js';

/** One model input unit: an utterance (frames, vector) or a segment of one (image). */
export interface Example {
  /** Index of the utterance in the dataset's utterance list. */
  utterance: number;
  label: number;
  /** Auxiliary targets of multitask models (−100 = unknown). */
  aux?: AuxTargets;
  /** Normalized features: T frames, a C-channel segment of S frames, or one frame (a vector). */
  features: Features;
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
export function makeExamples(
  feats: Features[],
  labels: number[],
  kind: InputKind,
  seg: { frames: number; hop?: number },
  aux?: AuxTargets[],
): Example[] {
  if (kind !== 'image') return feats.map((f, u) => ({ utterance: u, label: labels[u], features: f, aux: aux?.[u] }));
  const out: Example[] = [];
  feats.forEach((f, u) => {
    const { channels: c, frames: t, dims: d } = f;
    const hop = seg.hop ?? seg.frames;
    const n = segmentCount(t, { segmentFrames: seg.frames, hopFrames: hop });
    for (let s = 0; s < n; s++) {
      const data = new Float32Array(c * seg.frames * d);
      const start = s * hop;
      const len = Math.min(seg.frames, t - start);
      for (let ch = 0; ch < c; ch++) data.set(f.data.subarray((ch * t + start) * d, (ch * t + start + len) * d), ch * seg.frames * d);
      out.push({ utterance: u, label: labels[u], features: { channels: c, frames: seg.frames, dims: d, data } });
    }
  });
  return out;
}

/** Model inputs for a batch of examples; `rng` set = training (random crops), else centre crops. */
export function batchTensors(
  ex: Example[],
  kind: InputKind,
  maxFrames: number,
  rng: Rng | null,
): { x: Tensor; lengths: Tensor | null; y: Tensor; aux: { gender: Tensor; race: Tensor } | null } {
  const y = tensor(
    BigInt64Array.from(ex, (e) => BigInt(e.label)),
    [ex.length],
  );
  const aux = ex[0].aux
    ? {
        gender: tensor(
          BigInt64Array.from(ex, (e) => BigInt(e.aux!.gender)),
          [ex.length],
        ),
        race: tensor(
          BigInt64Array.from(ex, (e) => BigInt(e.aux!.race)),
          [ex.length],
        ),
      }
    : null;
  if (kind === 'vector') {
    const d = ex[0].features.data.length;
    const data = new Float32Array(ex.length * d);
    ex.forEach((e, i) => data.set(e.features.data, i * d));
    return { x: tensor(data, [ex.length, d]), lengths: null, y, aux };
  }
  if (kind === 'image') {
    // [C, S, D] segments → [N, C, F = D, T = S] (frequency as image height, time as width).
    const { channels: c, frames: s, dims: d } = ex[0].features;
    const data = new Float32Array(ex.length * c * s * d);
    ex.forEach((e, i) => data.set(e.features.data, i * c * s * d));
    return { x: tensor(data, [ex.length, c, s, d]).transpose(2, 3).contiguous(), lengths: null, y, aux };
  }
  // Frames [T, D] → [N, T, D]; backbone layers [L, T, D] → [N, L, T, D]; one crop for all layers.
  const { channels: c, dims: d } = ex[0].features;
  const planes = kind === 'layers' ? c : 1;
  const data = new Float32Array(ex.length * planes * maxFrames * d);
  const lengths = new BigInt64Array(ex.length);
  ex.forEach((e, i) => {
    const t = e.features.frames;
    const len = Math.min(t, maxFrames);
    const start = t <= maxFrames ? 0 : rng ? rng.int(t - maxFrames + 1) : centreCropStart(t, maxFrames);
    for (let l = 0; l < planes; l++) {
      const from = (l * t + start) * d;
      data.set(e.features.data.subarray(from, from + len * d), (i * planes + l) * maxFrames * d);
    }
    lengths[i] = BigInt(len);
  });
  const shape = kind === 'layers' ? [ex.length, planes, maxFrames, d] : [ex.length, maxFrames, d];
  return { x: tensor(data, shape), lengths: tensor(lengths, [ex.length]), y, aux };
}

/** Posteriors [U, C] of examples, averaged per utterance (segment models: the spectrogram-image recipe's rule). */
export function predictUtterances(
  model: TrainableModel,
  ex: Example[],
  kind: InputKind,
  maxFrames: number,
  batchSize: number,
): Map<number, number[]> {
  const sums = new Map<number, { p: number[]; n: number }>();
  model.eval();
  for (let i = 0; i < ex.length; i += batchSize) {
    const part = ex.slice(i, i + batchSize);
    const probs = noGrad(() =>
      tidy(() => {
        const b = batchTensors(part, kind, maxFrames, null);
        return model.forward(b.x, b.lengths).softmax(-1).toArray() as Float32Array;
      }),
    );
    const c = probs.length / part.length;
    part.forEach((e, j) => {
      const acc = sums.get(e.utterance) ?? { p: new Array<number>(c).fill(0), n: 0 };
      for (let k = 0; k < c; k++) acc.p[k] += probs[j * c + k];
      acc.n++;
      sums.set(e.utterance, acc);
    });
  }
  return new Map([...sums].map(([u, { p, n }]) => [u, p.map((v) => v / n)]));
}
