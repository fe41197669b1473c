import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as ort from 'onnxruntime-node';
import { createModel, type SerModel } from '../../src/models/index.js';
import { manualSeed, noGrad, tensor, toRawDict } from '../../src/engine/index.js';
import { exportModelGraph } from '../../src/runtime/export/index.js';
import { TINY_CASES, type TinyCase } from '../models/ser-helpers.js';
import {
  TOLERANCE,
  engineOutputs,
  exportOf,
  makeRng,
  maxAbsDiff,
  randomBlock,
  randomNormalizer,
  randomizeRunningStats,
  runOnnx,
  sessionOf,
} from './helpers.js';

/** Cases beyond the shared tiny ones: other activations, a unidirectional LSTM, 2-channel images, a segment hop. */
const EXTRA_CASES: (TinyCase & { hop?: number })[] = [
  { label: 'mlp (gelu)', name: 'mlp', options: { inputDim: 12, numClasses: 3, hiddenDims: [8], activation: 'gelu' }, example: [12] },
  {
    label: 'mlp (tanh, 3 layers)',
    name: 'mlp',
    options: { inputDim: 12, numClasses: 5, hiddenDims: [8, 8, 6], activation: 'tanh' },
    example: [12],
  },
  {
    label: 'cnn-lstm (last, unidirectional, 2 layers)',
    name: 'cnn-lstm',
    options: { inputDim: 16, numClasses: 4, convChannels: [4], lstmHidden: 6, lstmLayers: 2, bidirectional: false, denseDim: 5 },
    example: [24, 16],
  },
  {
    label: 'cnn-lstm-att-multitask (no race head)',
    name: 'cnn-lstm-att-multitask',
    options: { inputDim: 16, numClasses: 4, convChannels: [4], lstmHidden: 6, denseDim: 5, numRaces: 0 },
    example: [24, 16],
  },
  {
    label: 'fcn-gap (2 channels, hop 40)',
    name: 'fcn-gap',
    options: { inputShape: [2, 64, 64], numClasses: 3, width: 1 / 8 },
    example: [2, 64, 64],
    hop: 40,
  },
];

/** Utterance lengths (frames) per batch: one utterance, mixed lengths, and short ones. */
function lengthSets(c: TinyCase): number[][] {
  if (c.name === 'alexnet' || c.name === 'fcn-gap') return [[64], [64, 150, 90], [130, 64, 200, 64, 100]];
  if (c.example.length === 1) return [[1], [1, 1, 1], [1, 1, 1, 1, 1, 1, 1]];
  return [[24], [24, 17, 9, 30], [4, 40, 11]];
}

async function checkParity(c: TinyCase & { hop?: number }, seed: number): Promise<void> {
  manualSeed(seed);
  const rng = makeRng(seed);
  const model: SerModel = createModel(c.name, c.options);
  try {
    model.eval();
    randomizeRunningStats(model, rng);
    const image = model.inputKind === 'image';
    const channels = image ? c.example[0] : 1;
    const dims = image ? c.example[1] : c.example[c.example.length - 1];
    const norm = randomNormalizer(channels, dims, rng);
    const segFrames = image ? c.example[2] : 1;
    const hop = c.hop ?? segFrames;
    const e = exportOf(model, norm, image ? hop : undefined);
    const session = await sessionOf(e);
    for (const lens of lengthSets(c)) {
      const blocks = lens.map((t) => randomBlock(channels, t, dims, rng));
      const onnx = await runOnnx(session, e, blocks);
      const ref = engineOutputs(model, blocks, norm, { frames: segFrames, hop });
      assert.deepEqual(Object.keys(onnx).sort(), Object.keys(ref).sort(), `${c.label}: outputs`);
      for (const k of Object.keys(ref)) {
        const diff = maxAbsDiff(onnx[k], ref[k]);
        assert.ok(diff <= TOLERANCE, `${c.label}, lengths [${lens}]: ${k} differs by ${diff}`);
      }
    }
    await session.release();
  } finally {
    model.dispose();
  }
}

for (const [i, c] of [...TINY_CASES.filter((t) => t.label !== 'trust-ser-cnn (layers, att)'), ...EXTRA_CASES].entries()) {
  test(`ONNX export of ${c.label} matches the engine (batches 1–7, padded lengths)`, () => checkParity(c, 100 + i));
}

test('trust-ser-cnn on backbone layers: the softmax layer mix and masking match the engine', async () => {
  manualSeed(7);
  const [l, t, d] = [3, 20, 16];
  const model = createModel('trust-ser-cnn', { inputShape: [l, d], numClasses: 4, hiddenSize: 8, pooling: 'att' });
  model.eval();
  const rng = makeRng(7);
  // Non-uniform layer weights so the mix is not a plain mean.
  model.loadStateDict(
    new Map([['layer_weights', { dtype: 'float32' as const, shape: [l], data: Float32Array.from([0.5, -1, 2]) }]]),
    false,
  );
  const e = exportOf(model, null);
  const session = await sessionOf(e);
  const lens = [20, 7];
  const x = Float32Array.from({ length: 2 * l * t * d }, () => rng.normal());
  const out = await session.run({
    features: new ort.Tensor('float32', x, [2, l, t, d]),
    lengths: new ort.Tensor('int64', BigInt64Array.from(lens, BigInt), [2]),
  });
  const ref = noGrad(() =>
    model
      .forward(tensor(x, [2, l, t, d]), tensor(BigInt64Array.from(lens, BigInt), [2]))
      .softmax(-1)
      .toArray(),
  ) as Float32Array;
  assert.ok(maxAbsDiff(out.probs.data as Float32Array, ref) <= TOLERANCE);
  assert.deepEqual(e.layout.features, ['batch', l, 'time', d]);
  await session.release();
  model.dispose();
});

const PADDING_CASES: [string, Record<string, unknown>][] = [
  ['cnn-lstm-att', { convChannels: [4], lstmHidden: 5, denseDim: 4 }],
  ['trust-ser-cnn', { hiddenSize: 8 }],
  ['trust-ser-cnn', { hiddenSize: 8, pooling: 'att' }],
];
for (const [name, options] of PADDING_CASES) {
  test(`garbage in padding frames does not change ${name} ${JSON.stringify(options)}`, async () => {
    manualSeed(3);
    const model = createModel(name, { inputDim: 8, numClasses: 3, ...options });
    model.eval();
    const session = await sessionOf(exportOf(model, null));
    const rng = makeRng(3);
    const [t, d] = [30, 8];
    const x = Float32Array.from({ length: t * d }, () => rng.normal());
    const run = async (data: Float32Array, frames: number) =>
      (
        await session.run({
          features: new ort.Tensor('float32', data, [1, frames, d]),
          lengths: new ort.Tensor('int64', BigInt64Array.from([BigInt(t)]), [1]),
        })
      ).probs.data as Float32Array;
    const padded = new Float32Array((t + 13) * d);
    padded.set(x);
    for (let i = t * d; i < padded.length; i++) padded[i] = 1e3 * rng.normal();
    assert.ok(maxAbsDiff(await run(x, t), await run(padded, t + 13)) <= TOLERANCE);
    await session.release();
    model.dispose();
  });
}

test('unknown models and mismatched normalizers are refused by name', () => {
  manualSeed(1);
  const model = createModel('logreg', { inputDim: 6, numClasses: 3 });
  const d = model.describe();
  const snap = { name: 'no-such-model', config: d.config, weights: new Map() };
  assert.throws(() => exportModelGraph(snap, { normalizer: null }), /no ONNX exporter for model 'no-such-model'; exportable: .*logreg/);
  const rng = makeRng(1);
  assert.throws(() => exportOf(model, randomNormalizer(1, 5, rng)), /normalizer is \[1 × 5\].*\[1 × 6\]/);
  const missing = { name: 'logreg', config: d.config, weights: new Map() };
  assert.throws(() => exportModelGraph(missing, { normalizer: null }), /logreg: the state dict has no 'linear.weight'/);
  model.dispose();
});

test('multitask models export the emotion head alone when heads is off', () => {
  manualSeed(2);
  const model = createModel('cnn-lstm-att-multitask', {
    inputDim: 8,
    numClasses: 3,
    convChannels: [4],
    lstmHidden: 4,
    denseDim: 4,
    numRaces: 2,
  });
  const d = model.describe();
  const snap = { name: d.name, config: d.config, weights: toRawDict(model.stateDict()) };
  assert.deepEqual(exportModelGraph(snap, { normalizer: null }).outputs, ['probs', 'embedding', 'gender_probs', 'race_probs']);
  assert.deepEqual(exportModelGraph(snap, { normalizer: null, heads: false }).outputs, ['probs', 'embedding']);
  model.dispose();
});
