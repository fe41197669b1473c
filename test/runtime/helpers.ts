// Parity machinery of the runtime tests: a model with random weights (and random BatchNorm running
// statistics), its ONNX export with a random normalizer folded in, and the engine's reference
// posteriors computed through the training code (normalize, makeExamples, batchTensors).
import * as ort from 'onnxruntime-node';
import type { SerModel } from '../../src/models/index.js';
import { CnnLstmMultitask } from '../../src/models/index.js';
import { noGrad, tidy, toRawDict, type Tensor } from '../../src/engine/index.js';
import { batchTensors, makeExamples } from '../../src/models/index.js';
import { normalize, type Features, type Normalizer } from '../../src/features/index.js';
import { exportModelGraph, type ExportedGraph } from '../../src/runtime/export/index.js';
import { makeBatch } from '../../src/runtime/inputs.js';
import type { Sidecar } from '../../src/runtime/sidecar.js';
import { makeRng, type Rng } from '../../src/core/index.js';

/** Agreement required between ONNX Runtime and the engine (posteriors). */
export const TOLERANCE = 1e-4;

/** Fills every BatchNorm running statistic with random values (so eval-mode BN is not the identity). */
export function randomizeRunningStats(model: SerModel, rng: Rng): void {
  const dict = new Map<string, { dtype: 'float32'; shape: number[]; data: Float32Array }>();
  for (const [name, t] of model.stateDict()) {
    if (name.endsWith('running_mean'))
      dict.set(name, { dtype: 'float32', shape: t.shape, data: Float32Array.from({ length: t.numel }, () => rng.normal() * 0.3) });
    if (name.endsWith('running_var'))
      dict.set(name, { dtype: 'float32', shape: t.shape, data: Float32Array.from({ length: t.numel }, () => 0.5 + rng.next()) });
  }
  model.loadStateDict(dict, false);
}

/** A random per-(channel, dim) normalizer. */
export function randomNormalizer(channels: number, dims: number, rng: Rng): Normalizer {
  return {
    channels,
    dims,
    mean: Array.from({ length: channels * dims }, () => rng.normal()),
    std: Array.from({ length: channels * dims }, () => 0.5 + 1.5 * rng.next()),
  };
}

/** Raw features [C, T, D] filled with N(mean, std²)-ish values. */
export function randomBlock(channels: number, frames: number, dims: number, rng: Rng): Features {
  return { channels, frames, dims, data: Float32Array.from({ length: channels * frames * dims }, () => rng.normal() * 1.5) };
}

/** Exports `model` (eval mode) with `normalizer` folded in. */
export function exportOf(model: SerModel, normalizer: Normalizer | null, segmentHop?: number): ExportedGraph {
  const d = model.describe();
  return exportModelGraph({ name: d.name, config: d.config, weights: toRawDict(model.stateDict()) }, { normalizer, segmentHop });
}

export async function sessionOf(e: ExportedGraph): Promise<ort.InferenceSession> {
  return ort.InferenceSession.create(e.graph.serialize({ producerName: 'trustser-test', producerVersion: '0' }), { intraOpNumThreads: 1 });
}

/** Runs the graph on raw blocks assembled as the runtime does; returns every output as flat arrays. */
export async function runOnnx(session: ort.InferenceSession, e: ExportedGraph, blocks: Features[]): Promise<Record<string, Float32Array>> {
  const layoutOnly = { input: { ...e.layout, normalization: 'in-graph' } } as unknown as Sidecar;
  const b = makeBatch(layoutOnly, blocks);
  const feeds: Record<string, ort.Tensor> = { features: new ort.Tensor('float32', b.features, b.dims) };
  if (b.lengths) feeds.lengths = new ort.Tensor('int64', b.lengths, [b.lengths.length]);
  const out = await session.run(feeds);
  return Object.fromEntries(Object.entries(out).map(([k, t]) => [k, t.data as Float32Array]));
}

/** The engine's utterance posteriors (and embeddings, extra heads) for raw blocks, via the training code. */
export function engineOutputs(
  model: SerModel,
  blocks: Features[],
  n: Normalizer | null,
  seg: { frames: number; hop: number },
): Record<string, Float32Array> {
  const kind = model.inputKind;
  const feats = blocks.map((b) => (n ? normalize(b, n) : b));
  const ex = makeExamples(
    feats,
    feats.map(() => 0),
    kind,
    seg,
  );
  const maxFrames = Math.max(...blocks.map((b) => b.frames));
  return noGrad(() =>
    tidy(() => {
      const batch = batchTensors(ex, kind, maxFrames, null);
      const run = (f: (x: Tensor, l: Tensor | null) => Tensor) =>
        meanPerUtterance(
          f(batch.x, batch.lengths).toArray() as Float32Array,
          ex.map((e) => e.utterance),
          blocks.length,
        );
      const out: Record<string, Float32Array> = {
        probs: run((x, l) => model.forward(x, l).softmax(-1)),
        embedding: run((x, l) => model.embed(x, l)),
      };
      if (model instanceof CnnLstmMultitask) {
        out.gender_probs = run((x, l) => model.forwardHeads(x, l).gender.softmax(-1));
        if (model.raceHead) out.race_probs = run((x, l) => model.forwardHeads(x, l).race!.softmax(-1));
      }
      return out;
    }),
  );
}

/** Rows of `v` (one per example) averaged per utterance. */
function meanPerUtterance(v: Float32Array, utt: number[], n: number): Float32Array {
  const k = v.length / utt.length;
  const sum = new Float64Array(n * k),
    count = new Array<number>(n).fill(0);
  utt.forEach((u, i) => {
    count[u]++;
    for (let j = 0; j < k; j++) sum[u * k + j] += v[i * k + j];
  });
  return Float32Array.from(sum, (s, i) => s / count[Math.floor(i / k)]);
}

export function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) return Infinity;
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

export { makeRng };
