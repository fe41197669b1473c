// Fine-tuning AASIST on a tiny spoof set: speaker-disjoint split, checkpoints, resume, reload.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../../src/core/paths.js';
import { loadSpoofManifest, loadSpoofModel, makeSpoofSet, scoreFiles, spoofSplit, trainSpoofModel } from '../../src/spoof/index.js';
import { fixture, type Fixture } from '../data/corpora/helpers.js';
import { trainRun } from '../../src/train/run.js';
import { syntheticRunConfig } from '../helpers/runs.js';

const AASIST_DIR = join(packageRoot(), '..', 'shared', 'models', 'aasist');
const skip = existsSync(join(AASIST_DIR, 'AASIST.pth')) ? false : `AASIST weights not found in ${AASIST_DIR} (shared models absent)`;
const VOICES = [
  { name: 'en-us+m1', gender: 'male' as const },
  { name: 'en-gb+f2', gender: 'female' as const },
];

describe('spoof train', { skip }, () => {
  let fx: Fixture;
  let set: string;
  before(async () => {
    fx = fixture('spoof-train');
    fx.wav('ravdess/Actor_01/03-01-05-01-01-01-01.wav', 24000);
    fx.wav('ravdess/Actor_02/03-01-04-01-02-01-02.wav', 24000);
    set = join(fx.root, 'set');
    await makeSpoofSet({
      outDir: set,
      ravdessRoot: join(fx.root, 'ravdess'),
      librispeechRoot: null,
      voices: VOICES,
      codecFraction: 0,
      progress: false,
    });
  });
  after(() => fx.cleanup());

  it('splits every source by speaker', async () => {
    const utts = await loadSpoofManifest(set);
    const { train, test } = spoofSplit(utts, 2, 0, 1);
    const speakerOf = new Map(utts.map((u) => [u.id, u.speaker]));
    const trainSpk = new Set(train.map((id) => speakerOf.get(id)));
    for (const id of test) assert.ok(!trainSpk.has(speakerOf.get(id)), `${id}'s speaker is also in training`);
    // one actor and one voice on each side
    assert.equal(new Set(test.map((id) => speakerOf.get(id))).size, 2);
    assert.throws(() => spoofSplit(utts, 3, 0, 1), /has 2 speaker\(s\), fewer than the 3 folds/);
  });

  it('trains, writes its checkpoints, resumes as a no-op when finished, and reloads for scoring', async () => {
    const out = join(fx.root, 'run');
    const opts = { set, outDir: out, init: 'aasist', epochs: 1, batchSize: 4, cropSamples: 8000, folds: 2, seed: 2 };
    const r = await trainSpoofModel(opts);
    r.model.module.dispose();
    for (const f of ['config.json', 'split.json', 'log.jsonl', 'checkpoint.safetensors', 'model.safetensors'])
      assert.ok(existsSync(join(out, f)), f);
    const log = readFileSync(join(out, 'log.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    assert.equal(log.length, 1);
    assert.ok(Number.isFinite(log[0].trainLoss) && log[0].trials === 17, JSON.stringify(log[0]));

    // A finished run is not trained again.
    (await trainSpoofModel(opts)).model.module.dispose();
    assert.equal(readFileSync(join(out, 'log.jsonl'), 'utf8').trim().split('\n').length, 1);
    // Other settings in the same folder are refused.
    await assert.rejects(trainSpoofModel({ ...opts, lr: 1e-3 }), /holds a run with other settings/);

    // The fine-tuned model differs from the published one on the same file.
    const file = [join(set, 'spoof', 'en-us+m1', 'angry-s01-t1.wav')];
    const tuned = await loadSpoofModel(out);
    const published = await loadSpoofModel('aasist');
    const {
      scores: [a],
    } = await scoreFiles(tuned, file);
    const {
      scores: [b],
    } = await scoreFiles(published, file);
    tuned.module.dispose();
    published.module.dispose();
    assert.notEqual(a.score, b.score);
  });

  it('trains an emotion-conditioned (FiLM) model whose scores need the emotion run', async () => {
    const ser = join(fx.root, 'ser');
    await trainRun(syntheticRunConfig({ folds: [0], training: { epochs: 2, batchSize: 16, lr: 3e-3, threads: 1 } }), ser, {});
    const out = join(fx.root, 'film');
    const r = await trainSpoofModel({
      set,
      outDir: out,
      init: 'aasist',
      conditioning: 'film',
      emotionRun: ser,
      epochs: 1,
      batchSize: 4,
      cropSamples: 8000,
      folds: 2,
      seed: 2,
    });
    assert.equal(r.model.conditioning, 'film');
    r.model.module.dispose();
    const file = [join(set, 'spoof', 'en-gb+f2', 'sad-s02-t1.wav')];
    await assert.rejects(loadSpoofModel(out), /conditioned on emotion \('film'\): give --emotion-model/);
    const m = await loadSpoofModel(out, { emotionRun: ser, paths: file });
    const {
      scores: [s],
    } = await scoreFiles(m, file);
    m.module.dispose();
    assert.ok(Number.isFinite(s.score));
  });

  it('refuses conditioning without an emotion model, and bad settings, before writing', async () => {
    const out = join(fx.root, 'bad');
    await assert.rejects(trainSpoofModel({ set, outDir: out, init: 'aasist', conditioning: 'film' }), /needs --emotion-model/);
    await assert.rejects(trainSpoofModel({ set, outDir: out, init: 'aasist', cropSamples: 100000 }), /cropSamples must be at most 64600/);
    await assert.rejects(trainSpoofModel({ set, outDir: out, init: 'aasist', epochs: 0 }), /epochs must be a positive integer/);
    assert.equal(existsSync(out), false);
    writeFileSync(join(fx.root, 'not-weights.pth'), 'junk');
    await assert.rejects(trainSpoofModel({ set, outDir: out, init: join(fx.root, 'not-weights.pth'), folds: 2 }), /not-weights\.pth/);
    assert.equal(existsSync(join(out, 'model.safetensors')), false);
  });
});
