import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadAudio } from '../../src/audio/index.js';
import { tensor } from '../../src/engine/index.js';
import { loadWav2Vec2 } from '../../src/backbones/index.js';
import { getFeatureSet } from '../../src/features/index.js';
import { temperatureScale } from '../../src/metrics/index.js';
import { loadFold, parseRunConfig, type FoldResult } from '../../src/run/index.js';
import { trainRun } from '../../src/train/run.js';
import { loadSafetensorsSync } from '../../src/tensor-io/index.js';
import { exportRun } from '../../src/runtime/index.js';
import { auditRun } from '../../src/audit/index.js';
import { mergeFlags } from '../../src/cli/train-flags.js';
import { tempDir } from '../audio/helpers.js';

const HF = fileURLToPath(new URL('../backbones/fixtures/wav2vec2/post-hf/', import.meta.url));
const RATE = 16000;

const config = (over: Record<string, unknown> = {}) =>
  parseRunConfig({
    corpus: { name: 'synthetic', options: { perClassPerSpeaker: 3 } },
    protocol: { kind: 'speaker-kfold', folds: 3, devSpeakers: 1 },
    features: { set: 'wav2vec2', overrides: { weights: HF }, maxFrames: 60, finetune: { lr: 3e-3 } },
    model: { name: 'trust-ser-cnn', options: { hiddenSize: 16 } },
    training: { epochs: 2, batchSize: 16, lr: 3e-3, threads: 1 },
    ...over,
  });

const readResult = (run: string, k: number) => JSON.parse(readFileSync(join(run, `fold-${k}`, 'result.json'), 'utf8')) as FoldResult;

test('fine-tuning: the backbone trains with the model at its own rate, and every use of the fold sees the tuned network', async (t) => {
  const { dir, cleanup } = tempDir();
  t.after(cleanup);
  const out = join(dir, 'run');
  const cfg = config({ folds: [0, 1] });
  const lines: string[] = [];
  await trainRun(cfg, out, { cacheDir: join(dir, 'cache'), workers: 0, log: (l) => lines.push(l) });
  assert.ok(
    lines.some((l) => /fine-tuning 'wav2vec2' at lr 0\.003: waveforms of \d+ training and dev utterances/.test(l)),
    lines.join('\n'),
  );
  // A finished fold keeps the downstream and the tuned backbone, not the chain's scratch files.
  const files = readdirSync(join(out, 'fold-0'));
  for (const f of ['best.safetensors', 'backbone.safetensors', 'result.json', 'norm.json']) assert.ok(files.includes(f), f);
  for (const f of ['best-finetune.safetensors', 'checkpoint.safetensors']) assert.ok(!files.includes(f), f);

  // The transformer moved, the convolutional feature encoder (frozen by default) did not.
  const base = loadWav2Vec2(HF).model.stateDict();
  const tuned = loadSafetensorsSync(join(out, 'fold-0', 'backbone.safetensors')).tensors;
  assert.equal(tuned.size, base.size);
  const moved = (name: string) => {
    const a = base.get(name)!.toArray() as Float32Array;
    const b = tuned.get(name)!.data as Float32Array;
    return a.some((v, i) => v !== b[i]);
  };
  const names = [...base.keys()];
  assert.ok(
    names.filter((n) => n.startsWith('feature_extractor.')).every((n) => !moved(n)),
    'feature encoder frozen',
  );
  assert.ok(names.filter((n) => n.startsWith('encoder.transformer.layers.')).some(moved), 'transformer tuned');

  // The fold's features come from its tuned network: another settings key, and the fold's
  // predictions on its test audio are the ones training recorded (calibrated by its temperature).
  const frozenKey = getFeatureSet('wav2vec2', { weights: HF }).settingsKey();
  const result = readResult(out, 0);
  const fold = await loadFold(out, 0);
  try {
    assert.notEqual(fold.featureSet.settingsKey(), frozenKey);
    const test = result.predictions.slice(0, 4);
    const signals = await Promise.all(test.map(async (p) => (await loadAudio(p.path, { sampleRateHz: RATE })).samples));
    const got = await fold.predict(signals);
    const want = temperatureScale(
      test.map((p) => p.probs),
      fold.temperature,
    );
    got.forEach((p, u) =>
      p.forEach((v, c) => assert.ok(Math.abs(v - want[u][c]) < 1e-5, `utterance ${u} class ${c}: ${v} vs ${want[u][c]}`)),
    );
    const tunedOut = (await fold.featureSet.compute(signals[0])).data;
    const frozenOut = (await getFeatureSet('wav2vec2', { weights: HF }).compute(signals[0])).data;
    assert.equal(tunedOut.length, frozenOut.length);
    assert.ok(
      tunedOut.some((v, i) => Math.abs(v - frozenOut[i]) > 1e-4),
      "the fold's features are the tuned network's",
    );
    // What the attacks differentiate through is the tuned network too.
    const z = fold
      .waveform()
      .classify(tensor(signals[0], [1, signals[0].length]))
      .div(fold.temperature)
      .softmax(-1)
      .toArray() as Float32Array;
    z.forEach((v, c) => assert.ok(Math.abs(v - got[0][c]) < 1e-4, `waveform model, class ${c}: ${v} vs ${got[0][c]}`));
  } finally {
    fold.dispose();
  }

  // Export ships the tuned backbone as its graph; the export checks it against the engine.
  const pair = await exportRun(out, join(dir, 'export', 'model.onnx'), { fold: 1 });
  assert.ok(pair.sidecar.verification.maxAbsDiff <= 1e-4, `export max |Δp| ${pair.sidecar.verification.maxAbsDiff}`);
  const exported = getFeatureSet('wav2vec2', { weights: join(dir, 'export', 'model.backbone.onnx') });
  assert.equal(
    exported.settingsKey(),
    getFeatureSet('wav2vec2', { weights: HF, tuned: join(out, 'fold-1', 'backbone.safetensors') }).settingsKey(),
  );
  assert.notEqual(exported.settingsKey(), frozenKey);

  // The audit attacks through the tuned network.
  const report = await auditRun(out, { snrDb: [20], pgdSteps: 1, maxUtterancesPerFold: 12, resamples: 10, robustness: false });
  assert.ok((report.safety?.attacks.length ?? 0) > 0, JSON.stringify(report.notMeasured));
});

test('fine-tuning: a run interrupted mid-epoch resumes to the same result (the backbone and both optimizer groups are in the checkpoint)', async (t) => {
  const { dir, cleanup } = tempDir();
  t.after(cleanup);
  const cfg = config({ folds: [2] });
  const whole = join(dir, 'whole');
  await trainRun(cfg, whole, { cacheDir: join(dir, 'cache'), workers: 0 });
  const cut = join(dir, 'cut');
  let seen = 0;
  await assert.rejects(
    trainRun(cfg, cut, {
      cacheDir: join(dir, 'cache'),
      workers: 0,
      onProgress: (_, p) => {
        if (p.epoch === 2 && ++seen === 1) throw new Error('stop here');
      },
    }),
    /stop here/,
  );
  assert.ok(existsSync(join(cut, 'fold-2', 'checkpoint.safetensors')) && !existsSync(join(cut, 'fold-2', 'result.json')));
  await trainRun(cfg, cut, { cacheDir: join(dir, 'cache'), workers: 0 });
  const a = readResult(whole, 2);
  const b = readResult(cut, 2);
  assert.deepEqual(
    b.predictions.map((p) => p.probs),
    a.predictions.map((p) => p.probs),
  );
  assert.deepEqual(readFileSync(join(cut, 'fold-2', 'backbone.safetensors')), readFileSync(join(whole, 'fold-2', 'backbone.safetensors')));
});

test('fine-tuning: what it cannot go with is refused, naming the field, before anything is written', () => {
  const cases: [Record<string, unknown>, RegExp][] = [
    [{ features: { set: 'logmel', finetune: {} } }, /features\.finetune: .*engine backbone .*not 'logmel'/],
    [{ features: { set: 'wav2vec2-stats', overrides: { weights: HF }, finetune: {} }, model: { name: 'mlp' } }, /not 'wav2vec2-stats'/],
    [{ features: { set: 'speech-embedding', finetune: {} } }, /not 'speech-embedding'/],
    [
      { features: { set: 'wav2vec2', overrides: { weights: HF }, finetune: {}, speakerNorm: true } },
      /features\.finetune: speaker normalization/,
    ],
    [
      { features: { set: 'wav2vec2', overrides: { weights: HF }, finetune: {} }, training: { specAugment: {} } },
      /features\.finetune: training\.specAugment/,
    ],
    [
      { features: { set: 'wav2vec2', overrides: { weights: HF, layer: -1 }, finetune: {} }, model: { name: 'cnn-lstm-att-multitask' } },
      /model 'cnn-lstm-att-multitask' cannot be fine-tuned/,
    ],
    [{ features: { set: 'wav2vec2', overrides: { weights: HF }, finetune: { lr: 0 } } }, /features\.finetune\.lr/],
  ];
  for (const [over, re] of cases) assert.throws(() => config(over), re, JSON.stringify(over));
  assert.throws(() => mergeFlags({}, { backbone: 'wav2vec2', backboneLr: 1e-4 }), /--backbone-lr .* add --finetune/);
  const merged = mergeFlags({}, { backbone: 'wav2vec2', weights: HF, finetune: true, backboneLr: 1e-4 }) as {
    features: { finetune: unknown };
  };
  assert.deepEqual(merged.features.finetune, { lr: 1e-4 });
});
