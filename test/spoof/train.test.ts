// Fine-tuning AASIST on a tiny spoof set: speaker-disjoint split, checkpoints, resume, reload.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  heldOutTrials,
  loadSpoofManifest,
  loadSpoofModel,
  makeSpoofSet,
  scoreFiles,
  spoofSplit,
  trainSpoofModel,
} from '../../src/spoof/index.js';
import { fixture, type Fixture } from '../data/corpora/helpers.js';
import { trainRun } from '../../src/train/run.js';
import { syntheticRunConfig } from '../helpers/runs.js';
import { exportSpoofModel, loadSpoofSession } from '../../src/runtime/index.js';
import { encodeWav16, loadAudio } from '../../src/audio/index.js';
import { aasistSkip } from '../helpers/aasist.js';

const skip = aasistSkip;
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
      families: ['espeak', 'flite-diphone'],
      voices: { espeak: VOICES },
      renditions: 2,
      channelFraction: 0,
      progress: false,
    });
  });
  after(() => fx.cleanup());

  it('splits every source by speaker', async () => {
    const utts = (await loadSpoofManifest(set)).filter((u) => u.attributes.family !== 'flite-diphone');
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
    const opts = {
      set,
      outDir: out,
      init: 'aasist',
      epochs: 1,
      batchSize: 4,
      cropSamples: 8000,
      folds: 2,
      seed: 2,
      protocol: { kind: 'leave-one-family-out' as const, family: 'flite-diphone' },
    };
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
    // The split left the family out of training and tests on all of it.
    const split = JSON.parse(readFileSync(join(out, 'split.json'), 'utf8'));
    assert.deepEqual(split.protocol, opts.protocol);
    const flite = (await loadSpoofManifest(set)).filter((u) => u.attributes.family === 'flite-diphone').map((u) => u.id);
    assert.equal(flite.length, 32);
    assert.ok(flite.every((id) => split.test.includes(id) && !split.train.includes(id)));
    const held = await heldOutTrials(out);
    assert.deepEqual(
      held.map((u) => u.id),
      split.test,
    );

    const file = [join(set, 'spoof', 'espeak', 'en-us+m1', 'angry-s01-r1.wav')];
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

  it('trains with RawBoost on every crop: recorded in config.json, the weights differ from the plain run with the same seed', async () => {
    const opts = { set, init: 'aasist-l', epochs: 1, batchSize: 4, cropSamples: 8000, folds: 2, seed: 3 };
    const plain = await trainSpoofModel({ ...opts, outDir: join(fx.root, 'plain') });
    const boosted = await trainSpoofModel({ ...opts, outDir: join(fx.root, 'boosted'), rawboost: ['lnl', 'ssi'] });
    assert.deepEqual(JSON.parse(readFileSync(join(fx.root, 'boosted', 'config.json'), 'utf8')).rawboost, ['lnl', 'ssi']);
    assert.equal('rawboost' in JSON.parse(readFileSync(join(fx.root, 'plain', 'config.json'), 'utf8')), false);
    const file = [join(set, 'spoof', 'espeak', 'en-us+m1', 'angry-s01-r1.wav')];
    const [a] = (await scoreFiles(plain.model, file)).scores;
    const [b] = (await scoreFiles(boosted.model, file)).scores;
    plain.model.module.dispose();
    boosted.model.module.dispose();
    assert.ok(Number.isFinite(a.score) && Number.isFinite(b.score));
    assert.notEqual(a.score, b.score);
  });

  it('trains on speech only (vad energy): silence around a clip does not move its score, on the engine and in the exported graph', async () => {
    const out = join(fx.root, 'vad');
    const r = await trainSpoofModel({
      set,
      outDir: out,
      init: 'aasist-l',
      epochs: 1,
      batchSize: 4,
      cropSamples: 8000,
      folds: 2,
      seed: 5,
      vad: 'energy',
    });
    r.model.module.dispose();
    assert.equal(JSON.parse(readFileSync(join(out, 'config.json'), 'utf8')).vad, 'energy');
    const source = join(set, 'spoof', 'espeak', 'en-us+m1', 'angry-s01-r1.wav');
    const x = (await loadAudio(source, { sampleRateHz: 16000 })).samples;
    // 1 s and 2 s of silence before, 1 and 3 s after: both trim to the clip plus the VAD's hangover.
    const pad = (before: number, after: number) => {
      const y = new Float32Array(x.length + (before + after) * 16000);
      y.set(x, before * 16000);
      return y;
    };
    const [short, long] = [pad(1, 1), pad(2, 3)];
    const files = [join(fx.root, 'short.wav'), join(fx.root, 'long.wav')];
    writeFileSync(files[0], encodeWav16(short, 16000));
    writeFileSync(files[1], encodeWav16(long, 16000));
    const m = await loadSpoofModel(out);
    assert.equal(m.vad, 'energy');
    const [a, b] = (await scoreFiles(m, files)).scores;
    m.module.dispose();
    assert.ok(Math.abs(a.score - b.score) < 1e-4, `${a.score} vs ${b.score}`);
    assert.ok(Math.abs(b.seconds - long.length / 16000) < 1e-9 && b.scoredSeconds < b.seconds - 4, JSON.stringify(b));
    // Without the VAD, the same padding moves the score.
    const plain = await loadSpoofModel('aasist-l');
    const [c, d] = (await scoreFiles(plain, files)).scores;
    plain.module.dispose();
    assert.ok(Math.abs(c.score - d.score) > 1e-3);
    // The mode travels in the sidecar, and ONNX Runtime applies it as the engine does.
    const onnx = join(fx.root, 'vad.onnx');
    const exported = await exportSpoofModel(out, onnx);
    assert.equal(exported.sidecar.input.vad, 'energy');
    const session = await loadSpoofSession(onnx);
    const [e, f] = await session.scoreSignals([short, long]);
    await session.close();
    assert.ok(Math.abs(e.score - a.score) < 1e-3 && Math.abs(f.score - b.score) < 1e-3, `${e.score}, ${f.score} vs ${a.score}, ${b.score}`);
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
    const file = [join(set, 'spoof', 'espeak', 'en-gb+f2', 'sad-s02-r1.wav')];
    await assert.rejects(loadSpoofModel(out), /conditioned on emotion \('film'\): give --emotion-model/);
    const m = await loadSpoofModel(out, { emotionRun: ser, paths: file });
    const {
      scores: [s],
    } = await scoreFiles(m, file);
    m.module.dispose();
    assert.ok(Number.isFinite(s.score));
  });

  it('trains AASIST with a wav2vec 2.0 front end from scratch (reproducibly), reloads it from the run, stops when training diverges, and export-spoof names what it cannot export', async () => {
    const out = join(fx.root, 'ssl');
    const sslRun = {
      set,
      outDir: out,
      model: 'aasist-wav2vec' as const,
      init: 'random',
      epochs: 1,
      batchSize: 4,
      cropSamples: 8000,
      folds: 2,
      seed: 4,
    };
    const r = await trainSpoofModel(sslRun);
    const cfg = JSON.parse(readFileSync(join(out, 'config.json'), 'utf8'));
    assert.equal(cfg.model, 'aasist-wav2vec');
    assert.equal(cfg.frontEnd.embedDim, 256);
    const file = [join(set, 'spoof', 'espeak', 'en-us+m1', 'angry-s01-r1.wav')];
    const {
      scores: [trained],
    } = await scoreFiles(r.model, file);
    r.model.module.dispose();
    const reloaded = await loadSpoofModel(out);
    const {
      scores: [again],
    } = await scoreFiles(reloaded, file);
    reloaded.module.dispose();
    assert.ok(Number.isFinite(trained.score) && Math.abs(trained.score - again.score) < 1e-5, `${trained.score} vs ${again.score}`);
    // The seed fixes the random initial weights too: a second run in another folder scores the same.
    const twin = await trainSpoofModel({ ...sslRun, outDir: join(fx.root, 'ssl-twin') });
    const {
      scores: [twinScore],
    } = await scoreFiles(twin.model, file);
    twin.model.module.dispose();
    assert.ok(Math.abs(twinScore.score - trained.score) < 1e-5, `same seed: ${twinScore.score} vs ${trained.score}`);
    await assert.rejects(
      trainSpoofModel({ ...sslRun, outDir: join(fx.root, 'ssl-diverged'), lr: 1e4 }),
      /training diverged in epoch 1 \(\d+ of \d+ steps had a non-finite loss or gradients.*try a lower learning rate/,
    );
    assert.equal(existsSync(join(fx.root, 'ssl-diverged', 'model.safetensors')), false);
    await assert.rejects(
      exportSpoofModel(out, join(fx.root, 'ssl.onnx')),
      /model 'aasist-wav2vec'; export-spoof exports plain AASIST only/,
    );
    assert.equal(existsSync(join(fx.root, 'ssl.onnx')), false);
    await assert.rejects(
      trainSpoofModel({
        set,
        outDir: join(fx.root, 'ssl-film'),
        model: 'aasist-wav2vec',
        init: 'random',
        conditioning: 'film',
        emotionRun: out,
        folds: 2,
      }),
      /--conditioning film works with --model aasist only/,
    );
    await assert.rejects(
      trainSpoofModel({ set, outDir: join(fx.root, 'ssl-short'), model: 'aasist-wav2vec', init: 'random', cropSamples: 1000, folds: 2 }),
      /cropSamples must be at least 2048 for aasist-wav2vec/,
    );
    assert.equal(existsSync(join(fx.root, 'ssl-short')), false);
  });

  it('trains AMSDF (audio view from AASIST, emotion view from a SER run) and scores with the emotion run', async () => {
    const ser = join(fx.root, 'ser-amsdf');
    await trainRun(syntheticRunConfig({ folds: [0], training: { epochs: 2, batchSize: 16, lr: 3e-3, threads: 1 } }), ser, {});
    const out = join(fx.root, 'amsdf');
    await assert.rejects(
      trainSpoofModel({ set, outDir: out, model: 'amsdf', init: 'aasist', folds: 2 }),
      /--model amsdf needs --emotion-model/,
    );
    const r = await trainSpoofModel({
      set,
      outDir: out,
      model: 'amsdf',
      init: 'aasist',
      emotionRun: ser,
      epochs: 1,
      batchSize: 4,
      cropSamples: 16000,
      folds: 2,
      seed: 5,
    });
    r.model.module.dispose();
    const cfg = JSON.parse(readFileSync(join(out, 'config.json'), 'utf8'));
    assert.deepEqual([cfg.model, cfg.emotionNodes], ['amsdf', 16]);
    const file = [join(set, 'spoof', 'espeak', 'en-us+m1', 'angry-s01-r1.wav')];
    await assert.rejects(loadSpoofModel(out), /is an AMSDF model \(its emotion view\): give --emotion-model/);
    const m = await loadSpoofModel(out, { emotionRun: ser, paths: file });
    const {
      scores: [s],
    } = await scoreFiles(m, file);
    m.module.dispose();
    assert.ok(Number.isFinite(s.score));
    await assert.rejects(exportSpoofModel(out, join(fx.root, 'amsdf.onnx')), /model 'amsdf'; export-spoof exports plain AASIST only/);
  });

  it('refuses conditioning without an emotion model, and bad settings, before writing', async () => {
    const out = join(fx.root, 'bad');
    await assert.rejects(trainSpoofModel({ set, outDir: out, init: 'aasist', conditioning: 'film' }), /needs --emotion-model/);
    await assert.rejects(trainSpoofModel({ set, outDir: out, init: 'aasist', cropSamples: 100000 }), /cropSamples must be at most 64600/);
    await assert.rejects(trainSpoofModel({ set, outDir: out, init: 'aasist', epochs: 0 }), /epochs must be a positive integer/);
    await assert.rejects(
      trainSpoofModel({ set, outDir: out, init: 'aasist', folds: 2, vad: 'silero' as 'energy' }),
      /vad must be one of none, energy, got 'silero'/,
    );
    await assert.rejects(
      trainSpoofModel({ set, outDir: out, init: 'aasist', rawboost: ['lnl', 'echo' as 'lnl'] }),
      /rawboost: unknown step 'echo'/,
    );
    assert.equal(existsSync(out), false);
    writeFileSync(join(fx.root, 'not-weights.pth'), 'junk');
    await assert.rejects(trainSpoofModel({ set, outDir: out, init: join(fx.root, 'not-weights.pth'), folds: 2 }), /not-weights\.pth/);
    assert.equal(existsSync(join(out, 'model.safetensors')), false);
  });
});
