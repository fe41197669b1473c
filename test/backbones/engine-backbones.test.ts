import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { grad, tensor } from '../../src/engine/index.js';
import { ENGINE_BACKBONE_NAMES, backboneSource, engineBackbone, exportedBackboneMeta, uniformLayers } from '../../src/backbones/index.js';
import { exportRun } from '../../src/runtime/index.js';
import { getFeatureSet } from '../../src/features/index.js';
import { parseRunConfig } from '../../src/run/config.js';
import { loadFold } from '../../src/run/index.js';
import { trainRun } from '../../src/train/run.js';
import { tempDir } from '../audio/helpers.js';
import { fixtureWaveform } from '../helpers/hidden-states.js';

const FIXTURES = fileURLToPath(new URL('./fixtures/', import.meta.url));
const RATE = 16000;
/** A small checkpoint of each engine backbone the fixture scripts write. */
const WEIGHTS: Record<string, string> = {
  wav2vec2: join(FIXTURES, 'wav2vec2/post-hf'),
  hubert: join(FIXTURES, 'wav2vec2/pre-hf'),
  wavlm: join(FIXTURES, 'wavlm/base-hf'),
  whisper: join(FIXTURES, 'whisper/a-openai.pt'),
  apc: join(FIXTURES, 's3prl/apc.ckpt'),
  tera: join(FIXTURES, 's3prl/tera.ckpt'),
};

test('engine backbones: every one has a fixture here, and only the layers as wide as the output make the planes', () => {
  assert.deepEqual(Object.keys(WEIGHTS).sort(), [...ENGINE_BACKBONE_NAMES].sort());
  assert.deepEqual(uniformLayers([80, 32, 32, 32]), [1, 2, 3]);
  assert.deepEqual(uniformLayers([16, 16, 16]), [0, 1, 2]);
});

for (const name of ENGINE_BACKBONE_NAMES) {
  test(`${name} feature sets: planes of the wide layers, one layer, statistics; the engine network gives the same, differentiably`, async () => {
    const weights = WEIGHTS[name];
    const x = fixtureWaveform(Math.round(0.8 * RATE));
    const backbone = await backboneSource(name).load({ weights });
    const h = await backbone.hiddenStates(x);
    const keep = uniformLayers(h.layerDims);
    const all = await getFeatureSet(name, { weights }).compute(x);
    assert.deepEqual([all.channels, all.frames, all.dims], [keep.length, h.frames, backbone.info.dims]);
    keep.forEach((l, i) => assert.deepEqual(all.data.subarray(i * h.frames * all.dims, (i + 1) * h.frames * all.dims), h.layers[l]));
    const last = await getFeatureSet(name, { weights, layer: -1 }).compute(x);
    assert.deepEqual(last.data, h.layers.at(-1));
    const stats = await getFeatureSet(`${name}-stats`, { weights }).compute(x);
    assert.equal(stats.dims, 2 * h.layerDims.reduce((a, b) => a + b, 0));
    assert.match(getFeatureSet(name, { weights }).settingsKey(), new RegExp(`^${name}@v\\d+:.*"weights":"${name}:[0-9a-f]{64}`));
    // What the waveform attacks run through: the same numbers, and a gradient reaches the samples.
    const wave = tensor(x, [1, x.length]).requiresGrad_();
    const states = engineBackbone(name, { weights }).hiddenStates(wave);
    assert.equal(states.length, h.layers.length);
    const out = states.at(-1)!;
    const diff = (out.toArray() as Float32Array).reduce((m, v, i) => Math.max(m, Math.abs(v - h.layers.at(-1)![i])), 0);
    assert.ok(diff < 1e-4, `max |Δ| ${diff}`);
    // Not out.sum(): after a unit-gain layer norm the sum over features is constant, its gradient zero.
    const [g] = grad(out.mul(out).sum(), wave);
    assert.ok(g !== null && g.abs().max().item() > 0);
  });
}

test('whisper feature sets: pad is an option of the set, part of its settings key; others have no such option', () => {
  const weights = WEIGHTS.whisper;
  const none = getFeatureSet('whisper', { weights }).settingsKey();
  const padded = getFeatureSet('whisper', { weights, pad: '30s' }).settingsKey();
  assert.notEqual(none, padded);
  assert.match(padded, /pad=30s/);
  assert.throws(() => getFeatureSet('apc', { weights: WEIGHTS.apc, pad: '30s' }), /feature set 'apc': unknown option 'pad'/);
});

test('the Trust-SER downstream trains on the layers of APC (narrower input features left out), exports to ONNX, and the fold runs from the waveform', async (t) => {
  const { dir, cleanup } = tempDir();
  t.after(cleanup);
  const config = parseRunConfig({
    corpus: { name: 'synthetic', options: { perClassPerSpeaker: 2 } },
    protocol: { kind: 'speaker-kfold', folds: 2, devSpeakers: 1 },
    features: { set: 'apc', overrides: { weights: WEIGHTS.apc }, maxFrames: 80 },
    model: { name: 'trust-ser-cnn', options: { hiddenSize: 8 } },
    training: { epochs: 1, batchSize: 16, lr: 3e-3, threads: 1 },
  });
  const out = join(dir, 'run');
  await trainRun(config, out, { cacheDir: join(dir, 'cache'), workers: 0 });
  // Exported as two graphs (the APC graph runs on the TypeScript front end) that give the engine's posteriors.
  const onnx = join(dir, 'export', 'model.onnx');
  const pair = await exportRun(out, onnx);
  assert.ok(pair.sidecar.verification.maxAbsDiff <= 1e-4, `${pair.sidecar.verification.maxAbsDiff}`);
  assert.deepEqual(readdirSync(join(dir, 'export')).sort(), ['model.backbone.onnx', 'model.onnx', 'model.onnx.json']);
  assert.equal(exportedBackboneMeta(readFileSync(join(dir, 'export', 'model.backbone.onnx')), 'backbone').arch, 'apc');
  const fold = await loadFold(out, 1);
  try {
    const x = fixtureWaveform(RATE, 0.3);
    const [p] = await fold.predict([x]);
    const z = fold
      .waveform()
      .classify(tensor(x, [1, x.length]))
      .div(fold.temperature)
      .softmax(-1)
      .toArray() as Float32Array;
    z.forEach((v, k) => assert.ok(Math.abs(v - p[k]) < 1e-4, `class ${k}: ${v} vs ${p[k]}`));
  } finally {
    fold.dispose();
  }
});

test('a Whisper run exports as two graphs whose posteriors match the engine, through the TypeScript log-mel', async (t) => {
  const { dir, cleanup } = tempDir();
  t.after(cleanup);
  const config = parseRunConfig({
    corpus: { name: 'synthetic', options: { perClassPerSpeaker: 2 } },
    protocol: { kind: 'speaker-kfold', folds: 2, devSpeakers: 1 },
    features: { set: 'whisper', overrides: { weights: WEIGHTS.whisper }, maxFrames: 80 },
    model: { name: 'trust-ser-cnn', options: { hiddenSize: 8, pooling: 'att' } },
    training: { epochs: 1, batchSize: 16, lr: 3e-3, threads: 1 },
  });
  const out = join(dir, 'run');
  await trainRun(config, out, { cacheDir: join(dir, 'cache'), workers: 0 });
  const onnx = join(dir, 'export', 'model.onnx');
  const pair = await exportRun(out, onnx);
  assert.equal(pair.sidecar.features.backboneFile, 'model.backbone.onnx');
  assert.ok(pair.sidecar.verification.maxAbsDiff <= 1e-4, `${pair.sidecar.verification.maxAbsDiff}`);
  assert.deepEqual(readdirSync(join(dir, 'export')).sort(), ['model.backbone.onnx', 'model.onnx', 'model.onnx.json']);
  assert.equal(exportedBackboneMeta(readFileSync(join(dir, 'export', 'model.backbone.onnx')), 'backbone').arch, 'whisper');
});
