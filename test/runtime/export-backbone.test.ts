import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { predictFiles } from '../../src/run/predict.js';
import { EXPORT_TOLERANCE, exportRun } from '../../src/runtime/export/index.js';
import { predictFilesOnnx, readSidecar } from '../../src/runtime/index.js';
import { trainRun } from '../../src/train/run.js';
import { tempDir } from '../audio/helpers.js';
import { syntheticRunConfig, syntheticWavs } from '../helpers/runs.js';

const TRAIN = { epochs: 2, batchSize: 16, lr: 3e-3, threads: 1 };

describe('exporting runs on the speech-embedding backbone', () => {
  let dir = '';
  let cleanup = () => {};
  let wavs: string[] = [];
  const cacheDir = () => join(dir, 'cache');
  before(() => {
    ({ dir, cleanup } = tempDir());
  });
  after(() => cleanup());

  for (const [name, extra] of [
    [
      'a linear model on fused vectors (egemaps + every backbone layer)',
      {
        model: { name: 'logreg' },
        features: { set: 'egemaps-ts+speech-embedding-stats', overrides: { 'speech-embedding-stats.layers': 'all' } },
      },
    ],
    [
      "Trust-SER's downstream on the backbone's frames",
      { model: { name: 'trust-ser-cnn', options: { hiddenSize: 16 } }, features: { set: 'speech-embedding', maxFrames: 100 } },
    ],
  ] as const) {
    test(`${name}: ONNX Runtime predicts files as the engine does`, async () => {
      const run = join(dir, name.split(' ')[1]);
      await trainRun(
        syntheticRunConfig({ corpus: { name: 'synthetic', options: { perClassPerSpeaker: 2 } }, training: TRAIN, folds: [0], ...extra }),
        run,
        {
          cacheDir: cacheDir(),
          workers: 0,
        },
      );
      wavs = syntheticWavs(cacheDir(), 2, 4);
      const out = join(dir, `${name.split(' ')[1]}.onnx`);
      await exportRun(run, out);
      const s = readSidecar(out);
      assert.equal(s.features.set, extra.features.set);
      assert.ok(s.verification.maxAbsDiff <= EXPORT_TOLERANCE);
      const engine = await predictFiles(run, wavs, { fold: 0 });
      const onnx = await predictFilesOnnx(out, wavs, { intraOpThreads: 1 });
      onnx.predictions.forEach((p, i) =>
        p.probs.forEach((v, k) => assert.ok(Math.abs(v - engine.predictions[i].probs[k]) <= EXPORT_TOLERANCE, `${p.path} class ${k}`)),
      );
    });
  }
});
