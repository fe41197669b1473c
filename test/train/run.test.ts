import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseRunConfig, type RunConfig } from '../../src/train/config.js';
import { trainRun } from '../../src/train/run.js';
import { predictFiles } from '../../src/train/predict.js';
import { packageRoot } from '../../src/util/paths.js';
import { loadSafetensors } from '../../src/torch/safetensors.js';
import { manualSeed } from '../../src/torch/index.js';
import { createModel } from '../../src/models/index.js';
import { tempDir, tone, wavFromFloat } from '../audio/helpers.js';

/** A small, fast run on the synthesized corpus: 6 speakers, 3 folds, 1 dev speaker, one thread. */
function config(extra: Record<string, unknown> = {}): RunConfig {
  return parseRunConfig({
    corpus: { name: 'synthetic', options: { perClassPerSpeaker: 6 } },
    protocol: { kind: 'speaker-kfold', folds: 3, devSpeakers: 1 },
    features: { set: 'logmel', maxFrames: 100 },
    model: { name: 'trust-ser-cnn', options: { hiddenSize: 32 } },
    training: { epochs: 8, batchSize: 16, lr: 3e-3, threads: 1, patience: 10 },
    ...extra,
  });
}

describe('training runs', () => {
  let dir = '';
  let cleanup = () => {};
  let cache = '';
  before(() => {
    ({ dir, cleanup } = tempDir());
    cache = join(dir, 'cache');
  });
  after(() => cleanup());

  test('a run writes config, split, log, checkpoints and metrics, and beats chance', async () => {
    const out = join(dir, 'run');
    const m = await trainRun(config(), out, { cacheDir: cache, workers: 0 });
    for (const f of ['config.json', 'split.json', 'log.jsonl', 'metrics.json', 'fold-0/best.safetensors', 'fold-0/result.json', 'fold-2/norm.json', 'fold-2/model.json']) {
      assert.ok(existsSync(join(out, f)), f);
    }
    assert.equal(m.folds.length, 3);
    assert.ok(m.ua.mean > 0.5, `UA ${m.ua.mean} (chance 0.25)`);
    const log = readFileSync(join(out, 'log.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    assert.equal(log.length, 24);
    // Every utterance is tested exactly once, by a fold that did not train on its speaker.
    const split = JSON.parse(readFileSync(join(out, 'split.json'), 'utf8'));
    const tested = m.folds.length === 3 ? split.folds.flatMap((f: { test: string[] }) => f.test) : [];
    assert.equal(new Set(tested).size, 144);
    // Re-running the finished run is a no-op that returns the same metrics.
    const again = await trainRun(config(), out, { cacheDir: cache, workers: 0 });
    assert.deepEqual(again.folds, m.folds);
  });

  test('predict averages the folds and gives a distribution per file; a bad file names itself', async () => {
    const out = join(dir, 'run');
    const wav = join(dir, 'probe.wav');
    writeFileSync(wav, wavFromFloat(tone(180, 16000, 16000, 0.4), 16000));
    const r = await predictFiles(out, [wav]);
    assert.deepEqual(r.classes, ['neutral', 'happy', 'sad', 'angry']);
    assert.ok(Math.abs(r.predictions[0].probs.reduce((a, b) => a + b, 0) - 1) < 1e-5);
    const bad = join(dir, 'bad.wav');
    writeFileSync(bad, 'RIFF....');
    await assert.rejects(predictFiles(out, [bad]), /bad\.wav/);
    await assert.rejects(predictFiles(join(dir, 'nope'), [wav]), /not a trustser run directory/);
  });

  test('a run directory holding another configuration is refused', async () => {
    await assert.rejects(trainRun(config({ training: { epochs: 5 } }), join(dir, 'run'), { cacheDir: cache, workers: 0 }), /holds a different configuration/);
  });

  test('a split that puts a speaker in train and test is refused before training', async () => {
    const out = join(dir, 'leaky');
    const good = JSON.parse(readFileSync(join(dir, 'run', 'split.json'), 'utf8'));
    good.folds[0].train.push(good.folds[0].test[0]);
    good.folds[0].test = good.folds[0].test.slice(1);
    const manifest = join(dir, 'leaky-split.json');
    writeFileSync(manifest, JSON.stringify(good));
    await assert.rejects(trainRun(config({ protocol: { kind: 'manifest', path: manifest } }), out, { cacheDir: cache, workers: 0 }), /speaker/i);
    assert.equal(existsSync(join(out, 'metrics.json')), false);
    assert.equal(existsSync(join(out, 'fold-0')), false);
  });

  test('a multitask model trains its gender head from the corpus attributes', async () => {
    const out = join(dir, 'multitask');
    const cfg = config({
      model: { name: 'cnn-lstm-att-multitask', options: { convChannels: [4, 8], lstmHidden: 8, denseDim: 8, numRaces: 0 } },
      training: { epochs: 2, batchSize: 16, lr: 3e-3, threads: 1, patience: 10 },
      folds: [0],
    });
    await trainRun(cfg, out, { cacheDir: cache, workers: 0 });
    const { tensors } = await loadSafetensors(join(out, 'fold-0', 'last.safetensors'));
    const trained = tensors.get('gender_head.weight')!.data as Float32Array;
    // The same seed builds the same initial model; the gender head must have moved from it.
    manualSeed(cfg.training.seed * 7919 + 0);
    const fresh = createModel('cnn-lstm-att-multitask', { inputShape: [64], numClasses: 4, ...cfg.model.options });
    const initial = fresh.stateDict().get('gender_head.weight')!.toArray() as Float32Array;
    assert.ok(trained.some((v, i) => Math.abs(v - initial[i]) > 1e-6), 'gender head updated');
    fresh.dispose();
  });

  test('killed mid-fold, the rerun resumes and ends exactly where an uninterrupted run ends', async () => {
    const cfg = config({ training: { epochs: 6, batchSize: 16, lr: 3e-3, threads: 1, patience: 10 }, folds: [0] });
    const cfgPath = join(dir, 'resume.json');
    writeFileSync(cfgPath, JSON.stringify(cfg));
    const killed = join(dir, 'killed');
    const root = packageRoot();
    const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'test', 'helpers', 'cli-entry.ts'), 'train', '--config', cfgPath, '--out', killed, '--workers', '0'],
      { cwd: root, stdio: 'ignore', env: { ...process.env, TRUSTSER_CACHE: cache } });
    const exited = new Promise((r) => child.on('exit', r));
    const logPath = join(killed, 'log.jsonl');
    const deadline = Date.now() + 120_000;
    const epochs = () => (existsSync(logPath) ? readFileSync(logPath, 'utf8').trim().split('\n').filter(Boolean).length : 0);
    while (epochs() < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 25));
    child.kill('SIGKILL');
    await exited;
    const before = epochs();
    assert.ok(before >= 2 && before < 6, `epochs logged before the kill: ${before}`);
    assert.equal(existsSync(join(killed, 'metrics.json')), false);
    const resumed = await trainRun(cfg, killed, { cacheDir: cache, workers: 0 });
    const straight = await trainRun(cfg, join(dir, 'straight'), { cacheDir: cache, workers: 0 });
    const log = readFileSync(logPath, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    assert.deepEqual(log.map((l) => l.epoch), [1, 2, 3, 4, 5, 6].slice(0, log.length), 'no epoch trained twice');
    assert.deepEqual(resumed.folds, straight.folds);
    const a = JSON.parse(readFileSync(join(killed, 'fold-0', 'result.json'), 'utf8'));
    const b = JSON.parse(readFileSync(join(dir, 'straight', 'fold-0', 'result.json'), 'utf8'));
    assert.deepEqual(a.predictions, b.predictions);
  });
});
