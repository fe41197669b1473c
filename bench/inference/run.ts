/**
 * bench/inference: SER inference speed of the exported ONNX graph in ONNX Runtime vs the libtorch
 * engine vs PyTorch (the same architectures in bench/inference/reference.py, weights loaded from
 * the safetensors files this script writes), in one run, same thread count, on 4 s utterances
 * (400 log-mel frames × 64 mels): `cnn-lstm-att` and `trust-ser-cnn` with their default configs
 * and 8 classes. All three are first checked to compute the same posteriors. Reports utterances/s,
 * the real-time factor (compute seconds per audio second) and the ratios, at batch 1 (streaming)
 * and batch 16 (files in bulk); plus the TypeScript log-mel front end's cost per utterance.
 * Measured at 1 thread and at N threads (default: all cores).
 * Usage: npm run bench:inference [-- --threads N --seconds S --rounds R]
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import * as ort from 'onnxruntime-node';
import { makeRng } from '../../src/core/index.js';
import { getFeatureSet } from '../../src/features/index.js';
import { createModel, type SerModel } from '../../src/models/index.js';
import { exportModelGraph } from '../../src/runtime/export/index.js';
import { ortSessionOptions } from '../../src/runtime/session.js';
import { manualSeed, noGrad, saveModule, saveSafetensors, setNumThreads, tensor, tidy, toRawDict } from '../../src/engine/index.js';
import { packageRoot } from '../../src/core/paths.js';
import { itemsPerSecond, machineLine, runPythonReference, writeResultsSection } from '../results.js';

const SR = 16000;
const SECONDS = 4;
const FRAMES = 400;
const MELS = 64;
const CLASSES = 8;
const BATCHES = [1, 16];
const MODELS = ['cnn-lstm-att', 'trust-ser-cnn'] as const;
const PARITY_ROWS = 2;
const PARITY_TOLERANCE = 1e-4;
const WARMUP = 2;

type Speeds = Record<string, number>;

function pytorch(
  dir: string,
  threads: number,
  minSeconds: number,
): { torch: string; models: Record<string, { probs: number[]; uttPerS: Speeds }> } {
  const script = join(packageRoot(), 'bench', 'inference', 'reference.py');
  return runPythonReference(script, [dir, String(threads), String(minSeconds), ...BATCHES.map(String)]);
}

/** A model with random weights and random BatchNorm running statistics, in eval mode. */
function buildModel(name: string): SerModel {
  const m = createModel(name, { inputDim: MELS, numClasses: CLASSES });
  const rng = makeRng(1);
  const stats = new Map<string, { dtype: 'float32'; shape: number[]; data: Float32Array }>();
  for (const [k, t] of m.stateDict()) {
    if (k.endsWith('running_mean'))
      stats.set(k, { dtype: 'float32', shape: t.shape, data: Float32Array.from({ length: t.numel }, () => 0.2 * rng.normal()) });
    if (k.endsWith('running_var'))
      stats.set(k, { dtype: 'float32', shape: t.shape, data: Float32Array.from({ length: t.numel }, () => 0.5 + rng.next()) });
  }
  m.loadStateDict(stats, false);
  return m.eval();
}

function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return a.length === b.length ? m : Infinity;
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { threads: { type: 'string' }, seconds: { type: 'string' }, rounds: { type: 'string' } } });
  const threadSettings = [...new Set([1, Number(values.threads ?? availableParallelism())])];
  const minSeconds = Number(values.seconds ?? 0.5);
  const rounds = Number(values.rounds ?? 2);
  manualSeed(0);
  const dir = join(packageRoot(), 'bench', 'out', 'inference');
  mkdirSync(dir, { recursive: true });
  const rng = makeRng(2);
  const maxBatch = Math.max(...BATCHES);
  const x = Float32Array.from({ length: maxBatch * FRAMES * MELS }, () => rng.normal());
  await saveSafetensors(join(dir, 'input.safetensors'), new Map([['x', { dtype: 'float32', shape: [maxBatch, FRAMES, MELS], data: x }]]));
  const feedsOf = (b: number) => ({
    features: new ort.Tensor('float32', x.subarray(0, b * FRAMES * MELS), [b, FRAMES, MELS]),
    lengths: new ort.Tensor('int64', new BigInt64Array(b).fill(BigInt(FRAMES)), [b]),
  });

  // Speeds keyed `threads/batch`.
  const sides = new Map<
    string,
    {
      engine: Speeds;
      onnx: Speeds;
      torch: Speeds;
      probs: Float32Array;
      params: number;
      model: SerModel;
      sessions: Map<number, ort.InferenceSession>;
    }
  >();
  for (const name of MODELS) {
    const model = buildModel(name);
    const d = model.describe();
    await saveModule(model, join(dir, `${name}.safetensors`));
    writeFileSync(join(dir, `${name}.json`), JSON.stringify(d.config));
    const bytes = exportModelGraph(
      { name: d.name, config: d.config, weights: toRawDict(model.stateDict()) },
      { normalizer: null },
    ).graph.serialize({ producerName: 'trustser-bench', producerVersion: '0' });
    const sessions = new Map<number, ort.InferenceSession>();
    for (const t of threadSettings) sessions.set(t, await ort.InferenceSession.create(bytes, ortSessionOptions({ intraOpThreads: t })));
    const probs = noGrad(() =>
      tidy(
        () =>
          model
            .forward(tensor(x.subarray(0, PARITY_ROWS * FRAMES * MELS), [PARITY_ROWS, FRAMES, MELS]))
            .softmax(-1)
            .toArray() as Float32Array,
      ),
    );
    const onnxProbs = (await sessions.get(1)!.run(feedsOf(PARITY_ROWS))).probs.data as Float32Array;
    if (!(maxDiff(onnxProbs, probs) <= PARITY_TOLERANCE))
      throw new Error(`${name}: ONNX Runtime and the engine disagree (max |Δp| = ${maxDiff(onnxProbs, probs)})`);
    sides.set(name, { engine: {}, onnx: {}, torch: {}, probs, params: d.params, model, sessions });
  }

  let torchVersion = '';
  const best = (s: Speeds, k: string, v: number) => (s[k] = Math.max(s[k] ?? 0, v));
  // Alternate the three sides and keep each one's best round, so background load hits all alike.
  for (let round = 0; round < rounds; round++) {
    for (const t of threadSettings) {
      setNumThreads(t);
      for (const [, side] of sides) {
        for (const b of BATCHES) {
          const xt = tensor(x.subarray(0, b * FRAMES * MELS), [b, FRAMES, MELS]);
          best(
            side.engine,
            `${t}/${b}`,
            await itemsPerSecond(b, minSeconds, () => noGrad(() => tidy(() => void side.model.forward(xt))), {
              warmup: WARMUP,
              minRuns: WARMUP,
            }),
          );
          xt.dispose();
          const feeds = feedsOf(b);
          best(
            side.onnx,
            `${t}/${b}`,
            await itemsPerSecond(b, minSeconds, () => side.sessions.get(t)!.run(feeds), { warmup: WARMUP, minRuns: WARMUP }),
          );
        }
      }
      const ref = pytorch(dir, t, minSeconds);
      torchVersion = ref.torch;
      for (const [name, side] of sides) {
        const r = ref.models[name];
        if (!(maxDiff(r.probs, side.probs) <= PARITY_TOLERANCE))
          throw new Error(
            `${name}: PyTorch and the engine disagree (max |Δp| = ${maxDiff(r.probs, side.probs)}); timings would compare different models`,
          );
        for (const b of BATCHES) best(side.torch, `${t}/${b}`, r.uttPerS[String(b)]);
      }
    }
  }

  // The TypeScript front end (log-mel of a 4 s signal), shared by every runtime in Node.
  const logmel = getFeatureSet('logmel');
  const wave = Float32Array.from({ length: SR * SECONDS }, () => 0.1 * rng.normal());
  const featPerS = await itemsPerSecond(1, minSeconds, () => logmel.compute(wave), { warmup: WARMUP, minRuns: WARMUP });

  const rows: string[] = [];
  for (const [name, s] of sides) {
    for (const t of threadSettings) {
      for (const b of BATCHES) {
        const k = `${t}/${b}`;
        rows.push(
          `| ${name} (${(s.params / 1e3).toFixed(0)} k params) | ${t} | ${b} | ${s.onnx[k].toFixed(1)} | ${s.engine[k].toFixed(1)} | ${s.torch[k].toFixed(1)} | **${(s.onnx[k] / s.torch[k]).toFixed(2)}** | ${(s.onnx[k] / s.engine[k]).toFixed(2)} | ${(1 / (s.onnx[k] * SECONDS)).toExponential(2)} |`,
        );
      }
    }
  }
  const md = [
    '## SER inference: ONNX Runtime vs engine vs PyTorch (`npm run bench:inference`)',
    '',
    `${machineLine()}, load average ${loadavg()[0].toFixed(1)} on ${availableParallelism()} cores at the end of the run; ONNX Runtime ${ort.env.versions.node ?? ''} (CPU, intra-op spinning off) on the exported graph vs the libtorch engine vs PyTorch ${torchVersion} (Debian python3-torch, generic BLAS; same architecture and weights, all three checked to agree within ${PARITY_TOLERANCE}), the same thread count for all three, eval mode, ${SECONDS} s utterances (${FRAMES} log-mel frames × ${MELS}), best of ${rounds} alternating rounds of ≥ ${minSeconds} s. Goal: ONNX Runtime ≥ 3× PyTorch.`,
    '',
    '| model | threads | batch | ONNX Runtime utt/s | engine utt/s | PyTorch utt/s | ORT / PyTorch | ORT / engine | ORT real-time factor |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|',
    ...rows,
    '',
    `The TypeScript log-mel front end takes ${(1000 / featPerS).toFixed(2)} ms per ${SECONDS} s utterance (real-time factor ${(1 / (featPerS * SECONDS)).toExponential(2)}), the same for every runtime; the graph's own normalization and masking are included in the ONNX Runtime column.`,
  ].join('\n');
  console.log(md);
  console.log(`\nwritten to ${writeResultsSection('inference', md)}`);
  for (const side of sides.values()) {
    for (const s of side.sessions.values()) await s.release();
    side.model.dispose();
  }
}

await main();
