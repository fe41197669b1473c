// spoof train with a dev fold: dev side off the training side, best dev-EER epoch kept, calibration.json fitted on it and used by default.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  calibrationFor,
  loadSpoofModel,
  makeSpoofSet,
  readCalibration,
  readScores,
  scoreFiles,
  trainSpoofModel,
} from '../../src/spoof/index.js';
import { exportSpoofModel } from '../../src/runtime/index.js';
import { fixture, type Fixture } from '../data/corpora/helpers.js';
import { aasistSkip } from '../helpers/aasist.js';

const skip = aasistSkip;

describe('spoof train --dev-fold', { skip }, () => {
  let fx: Fixture;
  let set: string;
  before(async () => {
    fx = fixture('spoof-train-dev');
    for (const a of ['01', '02', '03']) for (const e of ['05', '04']) fx.wav(`ravdess/Actor_${a}/03-01-${e}-01-01-01-${a}.wav`, 24000);
    set = join(fx.root, 'set');
    await makeSpoofSet({
      outDir: set,
      ravdessRoot: join(fx.root, 'ravdess'),
      librispeechRoot: null,
      families: ['espeak', 'flite-diphone'],
      voices: {
        espeak: [
          { name: 'en-us+m1', gender: 'male' },
          { name: 'en-gb+f2', gender: 'female' },
          { name: 'en-us+m3', gender: 'male' },
        ],
      },
      renditions: 1,
      channelFraction: 0,
      progress: false,
    });
  });
  after(() => fx.cleanup());

  it('keeps the best dev epoch, fits calibration.json on its dev scores, and scoring/export use it by default', async () => {
    const out = join(fx.root, 'run');
    const opts = {
      set,
      outDir: out,
      init: 'aasist-l',
      epochs: 2,
      batchSize: 4,
      cropSamples: 8000,
      folds: 3,
      testFold: 0,
      devFold: 1,
      seed: 4,
    };
    const r = await trainSpoofModel(opts);
    const split = JSON.parse(readFileSync(join(out, 'split.json'), 'utf8')) as { train: string[]; dev: string[]; test: string[] };
    assert.ok(split.dev.length > 0);
    for (const id of split.dev) assert.ok(!split.train.includes(id) && !split.test.includes(id), id);
    const log = readFileSync(join(out, 'log.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { epoch: number; devEer: number });
    assert.equal(log.length, 2);
    assert.ok(log.every((h) => h.devEer >= 0 && h.devEer <= 1));
    const best = log.reduce((a, h) => (h.devEer < a.devEer ? h : a));
    assert.deepEqual([r.dev?.epoch, r.dev?.eer], [best.epoch, best.devEer]);
    const config = JSON.parse(readFileSync(join(out, 'config.json'), 'utf8'));
    assert.equal(config.devFold, 1);

    // model.safetensors is the kept epoch: it reproduces that epoch's dev scores.
    const devScores = readScores(join(out, 'dev-scores.csv'));
    assert.equal(devScores.length, split.dev.length);
    r.model.module.dispose();
    const reloaded = await loadSpoofModel(out);
    const { scores } = await scoreFiles(reloaded, [devScores[0].path]);
    reloaded.module.dispose();
    assert.ok(Math.abs(scores[0].score - devScores[0].score) < 1e-4, `${scores[0].score} vs ${devScores[0].score}`);

    const cal = readCalibration(join(out, 'calibration.json'));
    assert.equal(cal.dev.bonafide + cal.dev.spoof, split.dev.length);
    assert.ok(Math.abs(cal.dev.eer - best.devEer) < 1e-9);
    assert.deepEqual(calibrationFor(out), cal);
    assert.equal(calibrationFor('aasist'), undefined);
    const exported = await exportSpoofModel(out, join(fx.root, 'cm.onnx'), { calibration: calibrationFor(out) });
    assert.deepEqual(exported.sidecar.calibration, cal);

    // A finished run resumes as a no-op and chooses the same epoch.
    const again = await trainSpoofModel(opts);
    again.model.module.dispose();
    assert.equal(again.dev?.epoch, best.epoch);
    assert.equal(readFileSync(join(out, 'log.jsonl'), 'utf8').trim().split('\n').length, 2);
  });

  it('refuses a dev fold that is the test fold or out of range, before writing', async () => {
    const out = join(fx.root, 'bad');
    const base = { set, outDir: out, init: 'aasist-l', folds: 3, testFold: 0 };
    await assert.rejects(trainSpoofModel({ ...base, devFold: 0 }), /devFold 0 is the test fold/);
    await assert.rejects(trainSpoofModel({ ...base, devFold: 3 }), /devFold 3 outside 0\.\.2/);
    assert.equal(existsSync(out), false);
  });
});
