import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { grad, noGrad, tensor, tidy } from '../../src/engine/index.js';
import { loadFold } from '../../src/run/index.js';
import {
  WAV2VEC2_CHUNK_FRAMES,
  WAV2VEC2_CONTEXT_FRAMES,
  backboneSource,
  framesFor,
  hopSamples,
  loadWav2Vec2,
  receptiveField,
  wav2vec2Backbone,
  wav2vec2Macs,
} from '../../src/backbones/index.js';
import { getFeatureSet } from '../../src/features/index.js';
import { parseRunConfig } from '../../src/run/config.js';
import { trainRun } from '../../src/train/run.js';
import { OnnxSerModel, exportRun } from '../../src/runtime/index.js';
import { auditRun } from '../../src/audit/index.js';
import { tempDir } from '../audio/helpers.js';

const DIR = fileURLToPath(new URL('./fixtures/wav2vec2/', import.meta.url));
const HF = join(DIR, 'post-hf');
const RATE = 16000;

function noise(n: number, seed = 1): Float32Array {
  let s = seed;
  return Float32Array.from({ length: n }, () => {
    s = (s * 1103515245 + 12345) % 2 ** 31;
    return s / 2 ** 31 - 0.5;
  });
}

test('wav2vec2 backbone: info, short inputs padded to one frame, long inputs stitched from chunks', async () => {
  // The standard encoder (50 frames/s), so a long input stays cheap.
  const { model } = loadWav2Vec2(join(DIR, 'pre-hf'));
  const b = wav2vec2Backbone('wav2vec2', model);
  try {
    const c = model.config;
    assert.equal(b.info.frameRateHz, RATE / hopSamples(c));
    assert.equal(b.info.minSamples, receptiveField(c));
    assert.equal(b.info.frameRateHz, 50);
    assert.deepEqual(b.info.layerDims, [64, 64, 64, 64]);
    assert.equal(b.info.parameters, model.numParameters());
    assert.ok(b.info.macsPerSecond !== undefined && b.info.macsPerSecond > wav2vec2Macs(c, RATE) * 0.9);
    const short = await b.hiddenStates(new Float32Array(10));
    assert.equal(short.frames, 1);

    const chunk = WAV2VEC2_CHUNK_FRAMES * hopSamples(c);
    const ctx = WAV2VEC2_CONTEXT_FRAMES * hopSamples(c);
    const x = noise(2 * chunk + 7 * RATE);
    const h = await b.hiddenStates(x);
    assert.equal(h.frames, framesFor(c, x.length));
    const hop = hopSamples(c);
    const direct = (from: number, to: number): Float32Array[] =>
      tidy(() => noGrad(() => model.hiddenStates(tensor(x.slice(from, to), [1, to - from])).map((t) => t.toArray() as Float32Array)));
    // A frame of the first chunk comes from a pass over the chunk and its right context ...
    const first = direct(0, chunk + ctx + receptiveField(c));
    const d = 64;
    const g = 100;
    assert.deepEqual(h.layers[2].subarray(g * d, (g + 1) * d), first[2].subarray(g * d, (g + 1) * d));
    // ... and one of the second chunk from a pass that starts one context before it.
    const second = direct(chunk - ctx, 2 * chunk + ctx + receptiveField(c));
    const g2 = chunk / hop + 5;
    const local = g2 - (chunk - ctx) / hop;
    assert.deepEqual(h.layers[1].subarray(g2 * d, (g2 + 1) * d), second[1].subarray(local * d, (local + 1) * d));
  } finally {
    await b.dispose();
  }
});

test('wav2vec2 feature sets: every layer as planes, one layer as frames, pooled statistics', async () => {
  const x = noise(RATE);
  const all = await getFeatureSet('wav2vec2', { weights: HF }).compute(x);
  assert.deepEqual([all.channels, all.dims], [3, 16]);
  assert.equal(getFeatureSet('wav2vec2', { weights: HF }).kind, 'layers');
  const one = getFeatureSet('wav2vec2', { weights: HF, layer: -1 });
  assert.equal(one.kind, 'frames');
  const last = await one.compute(x);
  assert.deepEqual(last.data, all.data.subarray(2 * all.frames * 16));
  const stats = await getFeatureSet('wav2vec2-stats', { weights: HF }).compute(x);
  assert.equal(stats.dims, 3 * 2 * 16);
  const key = getFeatureSet('wav2vec2', { weights: HF }).settingsKey();
  assert.match(key, /^wav2vec2@v\d+:/);
  assert.notEqual(key, getFeatureSet('wav2vec2', { weights: join(DIR, 'pre-hf') }).settingsKey());
  await assert.rejects(async () => getFeatureSet('wav2vec2', { weights: HF, layer: 3 }).compute(x), /layer' 3 is out of range/);
  assert.throws(() => getFeatureSet('wav2vec2').settingsKey(), /needs its weights: pass a checkpoint/);
  assert.throws(() => getFeatureSet('hubert', { weights: join(DIR, 'nowhere') }).settingsKey(), /nowhere: no such file or folder/);
  assert.throws(() => getFeatureSet('wav2vec2', { weights: HF, layer: 'middle' }), /option 'layer' must be a layer number or 'all'/);
  assert.ok(backboneSource('hubert'));
});

test('wav2vec2: the Trust-SER downstream trains on every layer of a backbone run', async (t) => {
  const { dir, cleanup } = tempDir();
  t.after(cleanup);
  const config = parseRunConfig({
    corpus: { name: 'synthetic', options: { perClassPerSpeaker: 3 } },
    protocol: { kind: 'speaker-kfold', folds: 3, devSpeakers: 1 },
    features: { set: 'wav2vec2', overrides: { weights: HF }, maxFrames: 60 },
    model: { name: 'trust-ser-cnn', options: { hiddenSize: 16 } },
    training: { epochs: 2, batchSize: 16, lr: 3e-3, threads: 1 },
  });
  const out = join(dir, 'run');
  const m = await trainRun(config, out, { cacheDir: join(dir, 'cache'), workers: 0 });
  assert.equal(m.folds.length, 3);
  const info = JSON.parse(readFileSync(join(out, 'fold-1', 'model.json'), 'utf8')) as { geometry: { inputShape: number[] } };
  assert.deepEqual(info.geometry.inputShape, [3, 16]);
  assert.ok(existsSync(join(out, 'metrics.json')));
  // The waveform attacks differentiate through the backbone: the waveform model gives the fold's
  // own posteriors (before temperature scaling), and a gradient reaches the samples.
  const fold = await loadFold(out, 1);
  try {
    const wave = noise(RATE, 7).map((v) => 0.3 * v);
    const [p] = await fold.predict([wave]);
    const x = tensor(wave, [1, wave.length]).requiresGrad_();
    const logits = fold.waveform().classify(x);
    const z = logits.div(fold.temperature).softmax(-1).toArray() as Float32Array;
    z.forEach((v, k) => assert.ok(Math.abs(v - p[k]) < 1e-4, `class ${k}: ${v} vs ${p[k]}`));
    const [g] = grad(logits.max(), x);
    assert.ok(g !== null && g.abs().max().item() > 0);
  } finally {
    fold.dispose();
  }
  // The audit attacks through the backbone and counts it in the model's cost.
  const report = await auditRun(out, { snrDb: [20], pgdSteps: 1, maxUtterancesPerFold: 4, resamples: 20, robustness: false });
  assert.ok((report.safety?.attacks.length ?? 0) > 0, JSON.stringify(report.safety));
  const cost = report.sustainability;
  assert.ok(cost?.backbone, 'the sustainability section names the backbone');
  assert.equal(cost.backbone.name, 'wav2vec2');
  assert.ok(cost.params > cost.backbone.params && cost.backbone.macsPerSecond !== null && cost.macsPerSecond > cost.backbone.macsPerSecond);
  // Export writes the backbone as its own graph beside the model; ONNX Runtime on both agrees
  // with the engine (checked by the export itself, and again here through a fresh load).
  const onnx = join(dir, 'export', 'model.onnx');
  const pair = await exportRun(out, onnx);
  assert.equal(pair.sidecar.features.backboneFile, 'model.backbone.onnx');
  assert.ok(pair.sidecar.verification.maxAbsDiff <= 1e-4);
  assert.deepEqual(readdirSync(join(dir, 'export')).sort(), ['model.backbone.onnx', 'model.onnx', 'model.onnx.json']);
  const served = await OnnxSerModel.load(onnx);
  const clips = [noise(RATE * 1.5, 11).map((v) => 0.3 * v), noise(RATE * 3, 12).map((v) => 0.2 * v)];
  const engine = await (async () => {
    const f = await loadFold(out, pair.sidecar.fold);
    try {
      return await f.predict(clips);
    } finally {
      f.dispose();
    }
  })();
  try {
    const got = await served.predictMany(clips, RATE);
    got.forEach((p, u) =>
      p.probs.forEach((v, k) => assert.ok(Math.abs(v - engine[u][k]) < 1e-4, `clip ${u} class ${k}: ${v} vs ${engine[u][k]}`)),
    );
  } finally {
    await served.close();
  }
  // A model copied without its backbone graph says what is missing.
  const alone = join(dir, 'alone');
  mkdirSync(alone);
  for (const f of ['model.onnx', 'model.onnx.json']) copyFileSync(join(dir, 'export', f), join(alone, f));
  await assert.rejects(
    OnnxSerModel.load(join(alone, 'model.onnx')),
    (e: Error) => e.message.startsWith(join(alone, 'model.backbone.onnx')) && /no such file \(the backbone graph/.test(e.message),
  );
  // The exported backbone keeps the checkpoint's identity: the feature settings key is unchanged.
  const exportedSet = getFeatureSet('wav2vec2', { weights: join(dir, 'export', 'model.backbone.onnx') });
  assert.equal(exportedSet.settingsKey(), getFeatureSet('wav2vec2', { weights: HF }).settingsKey());
  // A run config without the backbone's weights is refused before anything is written.
  assert.throws(
    () => parseRunConfig({ ...config, features: { set: 'wav2vec2' } }, 'bad.yaml'),
    /features\.overrides: backbone 'wav2vec2' needs its weights/,
  );
});
