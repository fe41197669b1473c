import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { loadAudio } from '../../src/audio/index.js';
import { attackSuccess, fgsm, measuredSnrDb, pgd, predictWave } from '../../src/audit/safety.js';
import { syntheticRunConfig } from '../helpers/runs.js';
import { trainRun } from '../../src/train/index.js';
import { enrollAll, loadFold, readFoldResult, type TrainedFold, type WaveformClassifier } from '../../src/run/index.js';
import { noGrad, tensor, tidy } from '../../src/engine/index.js';
import { tempDir } from '../audio/helpers.js';

describe('waveform attacks on a trained run', () => {
  let dir = '';
  let cleanup = () => {};
  let fold: TrainedFold;
  let clf: { classify: WaveformClassifier };
  let utts: { samples: Float32Array; label: number; probs: number[] }[] = [];
  before(async () => {
    ({ dir, cleanup } = tempDir());
    const cfg = syntheticRunConfig({ folds: [0] });
    const out = join(dir, 'run');
    await trainRun(cfg, out, { cacheDir: join(dir, 'cache'), workers: 0 });
    fold = await loadFold(out, 0);
    const wave = fold.waveform();
    clf = { classify: (w) => wave.classify(w) };
    const result = readFoldResult(out, 0);
    utts = await Promise.all(
      result.predictions.map(async (p) => ({ samples: (await loadAudio(p.path)).samples, label: p.truth, probs: p.probs })),
    );
  });
  after(() => {
    fold?.dispose();
    cleanup();
  });

  test('the differentiable pipeline reproduces the trained model’s test posteriors', () => {
    for (const u of utts.slice(0, 12)) {
      const probs = noGrad(() =>
        tidy(() =>
          Array.from(
            clf
              .classify(tensor(u.samples, [1, u.samples.length]))
              .softmax(-1)
              .toArray() as Float32Array,
          ),
        ),
      );
      probs.forEach((p, k) => assert.ok(Math.abs(p - u.probs[k]) < 1e-3, `class ${k}: ${p} vs ${u.probs[k]}`));
    }
  });

  test('FGSM and PGD perturbations have exactly the target SNR', () => {
    for (const snr of [45, 30]) {
      for (const u of utts.slice(0, 4)) {
        assert.ok(Math.abs(measuredSnrDb(u.samples, fgsm(clf.classify, u.samples, u.label, snr)) - snr) < 0.1);
        assert.ok(Math.abs(measuredSnrDb(u.samples, pgd(clf.classify, u.samples, u.label, snr, { steps: 3 })) - snr) < 0.1);
      }
    }
  });

  test('attack success grows with attack strength, and PGD is at least as strong as FGSM', () => {
    const rates = [50, 30, 10].map((snr) => attackSuccess(clf.classify, utts, 'fgsm', snr));
    for (const r of rates) assert.ok(r.attacked > 0 && r.maxSnrErrorDb < 0.1);
    assert.ok(
      rates[0].successRate <= rates[1].successRate && rates[1].successRate <= rates[2].successRate,
      rates.map((r) => r.successRate).join(' ≤ '),
    );
    assert.ok(rates[2].successRate > rates[0].successRate, 'a 10 dB attack flips more than a 50 dB one');
    const p = attackSuccess(clf.classify, utts.slice(0, 16), 'pgd', 20, { steps: 5 });
    const f = attackSuccess(clf.classify, utts.slice(0, 16), 'fgsm', 20);
    assert.ok(p.successRate >= f.successRate, `PGD ${p.successRate} vs FGSM ${f.successRate}`);
    assert.equal(predictWave(clf.classify, utts[0].samples), predictWave(clf.classify, utts[0].samples));
  });
});

describe('the differentiable pipeline of a speaker-normalized run', () => {
  let dir = '';
  let cleanup = () => {};
  before(() => ({ dir, cleanup } = tempDir()));
  after(() => cleanup());

  test("reproduces the test posteriors with each speaker's enrolled statistics, and refuses to guess them", async () => {
    const out = join(dir, 'run');
    await trainRun(syntheticRunConfig({ folds: [0], features: { set: 'logmel', maxFrames: 100, speakerNorm: true } }), out, {
      cacheDir: join(dir, 'cache'),
      workers: 0,
    });
    const result = readFoldResult(out, 0);
    const signals = await Promise.all(result.predictions.map(async (p) => (await loadAudio(p.path)).samples));
    const speakers = result.predictions.map((p) => p.speaker);
    const fp = await loadFold(out, 0);
    try {
      const c = fp.waveform();
      const wave = (i: number) => tensor(signals[i], [1, signals[i].length]);
      assert.equal(fp.speakerNorm, true);
      assert.throws(() => c.classify(wave(0)), /normalizes features per speaker \(features\.speakerNorm\); give each signal's speaker/);
      assert.throws(() => c.classify(wave(0), speakers[0]), /speaker '.*' is not enrolled/);
      // The waveform model uses the statistics the fold's enrollment fitted (no second loader, no copies).
      await enrollAll(fp, signals, speakers);
      for (const i of [0, 1, signals.length - 2, signals.length - 1]) {
        const probs = noGrad(() => tidy(() => Array.from(c.classify(wave(i), speakers[i]).softmax(-1).toArray() as Float32Array)));
        probs.forEach((p, k) =>
          assert.ok(
            Math.abs(p - result.predictions[i].probs[k]) < 1e-3,
            `utterance ${i} class ${k}: ${p} vs ${result.predictions[i].probs[k]}`,
          ),
        );
      }
    } finally {
      fp.dispose();
    }
  });
});
