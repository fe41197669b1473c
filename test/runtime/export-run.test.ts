import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { trainRun } from '../../src/train/run.js';
import { predictFiles } from '../../src/run/predict.js';
import { exportRun, EXPORT_TOLERANCE } from '../../src/runtime/export/index.js';
import { loadOnnxModel, predictFilesOnnx, readSidecar } from '../../src/runtime/index.js';
import { syntheticRunConfig, syntheticWavs } from '../helpers/runs.js';
import { tempDir, tone, wavFromFloat } from '../audio/helpers.js';

const RATE = 16000;
const TRAIN = { epochs: 1, batchSize: 16, lr: 3e-3, threads: 1 };

/** Files of the directory (temporary files of an interrupted atomic write included). */
const listing = (dir: string) => (existsSync(dir) ? readdirSync(dir).sort() : []);

describe('exporting a trained run', () => {
  let dir = '';
  let cleanup = () => {};
  let frameRun = '';
  let imageRun = '';
  let wavs: string[] = [];
  before(async () => {
    ({ dir, cleanup } = tempDir());
    const cacheDir = join(dir, 'cache');
    const corpus = { name: 'synthetic', options: { perClassPerSpeaker: 2 } };
    frameRun = join(dir, 'frames');
    await trainRun(syntheticRunConfig({ corpus, training: TRAIN, folds: [1] }), frameRun, { cacheDir, workers: 0 });
    imageRun = join(dir, 'image');
    const image = {
      corpus,
      training: TRAIN,
      folds: [0],
      model: { name: 'fcn-gap', options: { width: 0.125 } },
      features: { set: 'logmelspec', segmentFrames: 64, segmentHopFrames: 48 },
    };
    await trainRun(syntheticRunConfig(image), imageRun, { cacheDir, workers: 0 });
    wavs = syntheticWavs(cacheDir, 2, 5);
    // A long file at another rate: resampled by both paths, cropped by the frame model.
    const long = join(dir, 'long-22k.wav');
    const x = tone(220, 22050, 22050 * 6, 0.3).map((v, i) => v * (1 + 0.5 * Math.sin(i / 3000)));
    writeFileSync(long, wavFromFloat(x, 22050));
    wavs.push(long);
  });
  after(() => cleanup());

  test('the frame model: model + sidecar, and ONNX Runtime predicts the files as the engine does', async () => {
    const out = join(dir, 'export', 'frames.onnx');
    const r = await exportRun(frameRun, out);
    const s = readSidecar(out);
    assert.deepEqual(s, r.sidecar);
    assert.equal(s.fold, 1, 'the lowest trained fold');
    assert.equal(s.model.name, 'trust-ser-cnn');
    assert.deepEqual(s.classes, ['neutral', 'happy', 'sad', 'angry']);
    assert.equal(s.sampleRateHz, RATE);
    assert.equal(s.features.set, 'logmel');
    assert.deepEqual(s.input.features, ['batch', 'time', 64]);
    assert.equal(s.trust, null);
    assert.ok(s.verification.maxAbsDiff <= EXPORT_TOLERANCE);
    const engine = await predictFiles(frameRun, wavs, { fold: 1 });
    const onnx = await predictFilesOnnx(out, wavs, { intraOpThreads: 1, batchSize: 4 });
    assert.deepEqual(onnx.classes, engine.classes);
    onnx.predictions.forEach((p, i) => {
      assert.equal(p.path, engine.predictions[i].path);
      p.probs.forEach((v, k) => assert.ok(Math.abs(v - engine.predictions[i].probs[k]) <= EXPORT_TOLERANCE, `${p.path} class ${k}`));
      assert.equal(p.label, engine.predictions[i].label);
      assert.equal(p.windows.length, 1);
    });
  });

  test('the image model: segment means over hop-48 segments agree with the engine', async () => {
    const out = join(dir, 'export', 'image.onnx');
    const r = await exportRun(imageRun, out);
    assert.deepEqual(r.sidecar.input.segment, { frames: 64, hop: 48 });
    const engine = await predictFiles(imageRun, wavs, { fold: 0 });
    const onnx = await predictFilesOnnx(out, wavs, { batchSize: 3 });
    onnx.predictions.forEach((p, i) =>
      p.probs.forEach((v, k) => assert.ok(Math.abs(v - engine.predictions[i].probs[k]) <= EXPORT_TOLERANCE, `${p.path} class ${k}`)),
    );
  });

  test('streaming: window posteriors are the model on each window alone, the summary their mean', async () => {
    const model = await loadOnnxModel(join(dir, 'export', 'frames.onnx'), { batchSize: 2 });
    const x = Float32Array.from(
      { length: Math.round(3.2 * RATE) },
      (_, i) => 0.3 * Math.sin((2 * Math.PI * 150 * i) / RATE) * (1 + Math.sin(i / 900)),
    );
    const p = await model.predict(x, RATE, { windowSeconds: 1, hopSeconds: 0.5 });
    // Starts 0, 0.5, 1, 1.5, 2 s (each ends before 3.2 s), then one aligned to the end at 2.2 s.
    assert.deepEqual(
      p.windows.map((w) => w.startSeconds),
      [0, 0.5, 1, 1.5, 2, 2.2],
    );
    for (const w of p.windows) {
      const alone = await model.predict(x.subarray(Math.round(w.startSeconds * RATE), Math.round(w.endSeconds * RATE)), RATE);
      w.probs.forEach((v, k) => assert.ok(Math.abs(v - alone.probs[k]) < 1e-6));
    }
    p.probs.forEach((v, k) => assert.ok(Math.abs(v - p.windows.reduce((s, w) => s + w.probs[k], 0) / p.windows.length) < 1e-9));
    await model.close();
  });

  test('a trust.json in the run is summarized into the sidecar; an invalid one aborts the export', async () => {
    const trust = {
      model: { name: 'trust-ser-cnn' },
      classes: ['neutral', 'happy', 'sad', 'angry'],
      accuracy: {
        ua: { value: 0.61 },
        wa: { value: 0.63 },
        macroF1: { value: 0.6 },
        confusion: [
          [1, 0, 0, 0],
          [0, 1, 0, 0],
          [0, 0, 1, 0],
          [0, 0, 0, 1],
        ],
        perClassRecall: [1, 1, 1, 1],
      },
      fairness: {
        gender: {
          groups: [{ name: 'female', n: 10, ua: { value: 0.6, low: 0.5, high: 0.7 } }],
          statisticalParity: { value: 0.12, low: 0.05, high: 0.2 },
        },
      },
      safety: { attacks: [{ method: 'fgsm', snrDb: 30, successRate: 0.4 }] },
      privacy: { genderProbe: { accuracy: 0.8, majority: 0.5 } },
      sustainability: { params: 12345, macsPerSecond: 6.5e6, latencyMs: 3, realTimeFactor: 0.01, peakMemoryMb: 50 },
    };
    writeFileSync(join(frameRun, 'trust.json'), JSON.stringify(trust));
    const r = await exportRun(frameRun, join(dir, 'export', 'trusted.onnx'));
    assert.deepEqual(r.sidecar.trust, {
      ua: 0.61,
      wa: 0.63,
      fairness: { gender: { statisticalParity: 0.12, equalOpportunity: null } },
      attackSuccess: [{ method: 'fgsm', snrDb: 30, successRate: 0.4 }],
      privacy: { genderProbeAccuracy: 0.8, majority: 0.5 },
      macsPerSecond: 6.5e6,
      params: 12345,
      realTimeFactor: 0.01,
    });
    writeFileSync(join(frameRun, 'trust.json'), JSON.stringify({ ...trust, accuracy: { ...trust.accuracy, ua: { value: 3 } } }));
    const outDir = join(dir, 'bad-trust');
    await assert.rejects(exportRun(frameRun, join(outDir, 'm.onnx')), /trust\.json: accuracy\.ua\.value/);
    assert.deepEqual(listing(outDir), []);
    writeFileSync(join(frameRun, 'trust.json'), JSON.stringify(trust));
  });

  test('bad run directories and folds are clear errors that write nothing', async () => {
    const outDir = join(dir, 'nothing');
    const out = join(outDir, 'm.onnx');
    await assert.rejects(exportRun(join(dir, 'no-such-run'), out), /no-such-run: no such run directory/);
    const notRun = join(dir, 'not-a-run');
    mkdirSync(notRun);
    await assert.rejects(exportRun(notRun, out), /not a trustser run directory \(no config\.json\)/);
    const untrained = join(dir, 'untrained');
    mkdirSync(untrained);
    copyFileSync(join(frameRun, 'config.json'), join(untrained, 'config.json'));
    await assert.rejects(exportRun(untrained, out), /untrained: no trained fold .* train the run first/);
    await assert.rejects(exportRun(frameRun, out, { fold: 0 }), /fold 0 is not trained \(trained: 1\)/);
    // A fold whose model.json names a model the registry does not know.
    const unknown = join(dir, 'unknown-model');
    mkdirSync(join(unknown, 'fold-1'), { recursive: true });
    for (const f of ['config.json']) copyFileSync(join(frameRun, f), join(unknown, f));
    for (const f of ['best.safetensors', 'norm.json']) copyFileSync(join(frameRun, 'fold-1', f), join(unknown, 'fold-1', f));
    const info = JSON.parse(readFileSync(join(frameRun, 'fold-1', 'model.json'), 'utf8'));
    writeFileSync(join(unknown, 'fold-1', 'model.json'), JSON.stringify({ ...info, model: { name: 'mystery-net', options: {} } }));
    await assert.rejects(exportRun(unknown, out), /unknown model 'mystery-net'/);
    assert.deepEqual(listing(outDir), []);
  });

  test('a missing or corrupted sidecar and wrong-shaped inputs are clear errors', async () => {
    const good = join(dir, 'export', 'frames.onnx');
    const copy = join(dir, 'copy.onnx');
    copyFileSync(good, copy);
    await assert.rejects(loadOnnxModel(copy), /copy\.onnx\.json: cannot read the model's sidecar \(ENOENT\)/);
    writeFileSync(`${copy}.json`, '{ "format": "trustser-onnx", ');
    await assert.rejects(loadOnnxModel(copy), /copy\.onnx\.json: not valid JSON/);
    const sidecar = JSON.parse(readFileSync(`${good}.json`, 'utf8'));
    writeFileSync(`${copy}.json`, JSON.stringify({ ...sidecar, classes: 'happy' }));
    await assert.rejects(loadOnnxModel(copy), /copy\.onnx\.json: classes: /);
    writeFileSync(`${copy}.json`, JSON.stringify({ ...sidecar, features: { ...sidecar.features, settingsKey: 'logmel@v0:{}' } }));
    await assert.rejects(loadOnnxModel(copy), /no longer computes what the model was trained on/);
    writeFileSync(`${copy}.json`, JSON.stringify({ ...sidecar, outputs: ['probs', 'valence'] }));
    await assert.rejects(loadOnnxModel(copy), /the graph lacks the output\(s\) valence/);
    writeFileSync(copy, 'not an onnx file');
    writeFileSync(`${copy}.json`, JSON.stringify(sidecar));
    await assert.rejects(loadOnnxModel(copy), /copy\.onnx: ONNX Runtime cannot load the model/);
    await assert.rejects(loadOnnxModel(join(dir, 'absent.onnx')), /absent\.onnx: no such model file/);

    const m = await loadOnnxModel(good);
    const wrong = { features: new Float32Array(10 * 63), dims: [1, 10, 63], lengths: BigInt64Array.from([10n]) };
    await assert.rejects(m.runBatch(wrong), /features must be \[batch, time, 64\], got \[1, 10, 63\]/);
    await assert.rejects(m.runBatch({ features: new Float32Array(640), dims: [1, 10, 64], lengths: null }), /the graph needs lengths/);
    await assert.rejects(m.predict(new Float32Array(RATE), RATE, { windowSeconds: -1 }), /window and hop must be positive seconds/);
    await m.close();
  });
});
