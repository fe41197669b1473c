import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseRunConfig, type RunConfig } from '../../src/run/config.js';
import { trainRun } from '../../src/train/run.js';
import { predictFiles } from '../../src/run/predict.js';
import { packageRoot } from '../../src/core/paths.js';
import { loadSafetensors } from '../../src/tensor-io/safetensors.js';
import { manualSeed } from '../../src/engine/index.js';
import { createModel } from '../../src/models/index.js';
import { makeRng } from '../../src/core/index.js';
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
    for (const f of [
      'config.json',
      'split.json',
      'log.jsonl',
      'metrics.json',
      'fold-0/best.safetensors',
      'fold-0/result.json',
      'fold-2/norm.json',
      'fold-2/model.json',
    ]) {
      assert.ok(existsSync(join(out, f)), f);
    }
    assert.equal(m.folds.length, 3);
    assert.ok(m.ua.mean > 0.5, `UA ${m.ua.mean} (chance 0.25)`);
    const log = readFileSync(join(out, 'log.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    assert.equal(log.length, 24);
    // Every utterance is tested exactly once, by a fold that did not train on its speaker.
    const split = JSON.parse(readFileSync(join(out, 'split.json'), 'utf8'));
    const tested = m.folds.length === 3 ? split.folds.flatMap((f: { test: string[] }) => f.test) : [];
    assert.equal(new Set(tested).size, 144);
    // Re-running the finished run is a no-op that returns the same metrics.
    const again = await trainRun(config(), out, { cacheDir: cache, workers: 0 });
    assert.deepEqual(again.folds, m.folds);
  });

  test('predict averages the folds and gives a distribution per file; a bad file is listed with its reason and the rest is predicted', async () => {
    const out = join(dir, 'run');
    const wav = join(dir, 'probe.wav');
    writeFileSync(wav, wavFromFloat(tone(180, 16000, 16000, 0.4), 16000));
    const r = await predictFiles(out, [wav]);
    assert.deepEqual(r.classes, ['neutral', 'happy', 'sad', 'angry']);
    assert.ok(Math.abs(r.predictions[0].probs.reduce((a, b) => a + b, 0) - 1) < 1e-5);
    const bad = join(dir, 'bad.wav');
    writeFileSync(bad, 'RIFF....');
    const silent = join(dir, 'silent.wav');
    writeFileSync(silent, wavFromFloat(new Float32Array(16000), 16000));
    const mixed = await predictFiles(out, [bad, wav, silent]);
    assert.deepEqual(
      mixed.predictions.map((p) => p.path),
      [wav, silent],
    );
    assert.deepEqual(mixed.predictions[0].probs, r.predictions[0].probs, 'the good file is predicted as on its own');
    assert.equal(mixed.predictions[1].label, 'no-speech');
    assert.match(mixed.predictions[1].noSpeech ?? '', /digital silence/);
    assert.equal(mixed.failed.length, 1);
    assert.equal(mixed.failed[0].path, bad);
    assert.match(mixed.failed[0].reason, /bad\.wav: /);
    await assert.rejects(predictFiles(join(dir, 'nope'), [wav]), /not a trustser run directory/);
  });

  test('a fold interrupted under the older checkpoint layout (state.json) says how to recover', async () => {
    const cfg = config({ training: { epochs: 2, batchSize: 16, lr: 3e-3, threads: 1, patience: 10 }, folds: [0] });
    const out = join(dir, 'legacy');
    mkdirSync(join(out, 'fold-0'), { recursive: true });
    writeFileSync(join(out, 'fold-0', 'state.json'), '{"epoch":1}');
    await assert.rejects(
      trainRun(cfg, out, { cacheDir: cache, workers: 0 }),
      /fold-0: this fold was interrupted under an older trustser .*; delete the folder to train the fold again/,
    );
  });

  test('a run directory holding another configuration is refused', async () => {
    await assert.rejects(
      trainRun(config({ training: { epochs: 5 } }), join(dir, 'run'), { cacheDir: cache, workers: 0 }),
      /holds a different configuration/,
    );
  });

  test('a diverging run stops with the fold, the epoch and the skipped steps, and writes no best weights', async () => {
    const out = join(dir, 'diverged');
    await assert.rejects(
      trainRun(config({ training: { epochs: 3, batchSize: 16, lr: 1e30, threads: 1 } }), out, { cacheDir: cache, workers: 0 }),
      /fold 0: training diverged in epoch 1 \(\d+ of \d+ steps had a non-finite loss or gradients.*try a lower learning rate/,
    );
    assert.deepEqual(
      readdirSync(out, { recursive: true }).filter((f) => String(f).endsWith('best.safetensors')),
      [],
    );
  });

  test('a split that puts a speaker in train and test is refused before training', async () => {
    const out = join(dir, 'leaky');
    const good = JSON.parse(readFileSync(join(dir, 'run', 'split.json'), 'utf8'));
    good.folds[0].train.push(good.folds[0].test[0]);
    good.folds[0].test = good.folds[0].test.slice(1);
    const manifest = join(dir, 'leaky-split.json');
    writeFileSync(manifest, JSON.stringify(good));
    await assert.rejects(
      trainRun(config({ protocol: { kind: 'manifest', path: manifest } }), out, { cacheDir: cache, workers: 0 }),
      /speaker/i,
    );
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
    const { tensors } = await loadSafetensors(join(out, 'fold-0', 'checkpoint.safetensors'));
    const trained = tensors.get('model/gender_head.weight')!.data as Float32Array;
    // The same seed builds the same initial model; the gender head must have moved from it.
    manualSeed(cfg.training.seed * 7919 + 0);
    const fresh = createModel('cnn-lstm-att-multitask', { inputShape: [64], numClasses: 4, ...cfg.model.options });
    const initial = fresh.stateDict().get('gender_head.weight')!.toArray() as Float32Array;
    assert.ok(
      trained.some((v, i) => Math.abs(v - initial[i]) > 1e-6),
      'gender head updated',
    );
    fresh.dispose();
  });

  test('killed with SIGKILL again and again, the resumed run equals an uninterrupted one bit for bit; no epoch is lost or doubled; no temp file is left', async (t) => {
    const cfg = config({ training: { epochs: 6, batchSize: 16, lr: 3e-3, threads: 1, patience: 10 }, folds: [0, 1] });
    const cfgPath = join(dir, 'resume.json');
    writeFileSync(cfgPath, JSON.stringify(cfg));
    const killed = join(dir, 'killed');
    const root = packageRoot();
    const logPath = join(killed, 'log.jsonl');
    const epochs = () => (existsSync(logPath) ? readFileSync(logPath, 'utf8').trim().split('\n').filter(Boolean).length : 0);
    const rng = makeRng(7);
    let kills = 0;
    for (let attempt = 0; attempt < 12 && kills < 8 && !existsSync(join(killed, 'metrics.json')); attempt++) {
      const child = spawn(
        process.execPath,
        ['--import', 'tsx', join(root, 'test', 'helpers', 'cli-entry.ts'), 'train', '--config', cfgPath, '--out', killed, '--workers', '0'],
        { cwd: root, stdio: 'ignore', env: { ...process.env, TRUSTSER_CACHE: cache } },
      );
      const exited = new Promise((r) => child.on('exit', r));
      // Kill soon after an epoch ends: while its files are being written, or early in the next epoch.
      const start = epochs();
      const deadline = Date.now() + 120_000;
      while (epochs() === start && child.exitCode === null && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
      await new Promise((r) => setTimeout(r, rng.int(30)));
      if (child.exitCode === null) {
        child.kill('SIGKILL');
        kills++;
      }
      await exited;
    }
    t.diagnostic(`killed ${kills} times`);
    assert.ok(kills >= 6, `killed ${kills} times`);
    // A temp file of a write the kill interrupted (the PID of no live process) is cleaned up on resume.
    const orphan = join(killed, 'fold-0', `.checkpoint.safetensors.${2 ** 22 + 1}.0123456789ab.tmp`);
    writeFileSync(orphan, 'partial');
    const resumed = await trainRun(cfg, killed, { cacheDir: cache, workers: 0 });
    const straightDir = join(dir, 'straight');
    const straight = await trainRun(cfg, straightDir, { cacheDir: cache, workers: 0 });
    assert.deepEqual(resumed.folds, straight.folds);
    const strip = (path: string) =>
      readFileSync(path, 'utf8')
        .trim()
        .split('\n')
        .map((l) => {
          const { seconds: _, ...rest } = JSON.parse(l) as Record<string, unknown>;
          return rest;
        });
    assert.deepEqual(strip(logPath), strip(join(straightDir, 'log.jsonl')), 'the same epochs with the same losses, each once');
    for (const k of [0, 1]) {
      const a = readFileSync(join(killed, `fold-${k}`, 'best.safetensors'));
      const b = readFileSync(join(straightDir, `fold-${k}`, 'best.safetensors'));
      assert.ok(a.equals(b), `fold ${k}: best weights bit-identical`);
      assert.deepEqual(
        JSON.parse(readFileSync(join(killed, `fold-${k}`, 'result.json'), 'utf8')).predictions,
        JSON.parse(readFileSync(join(straightDir, `fold-${k}`, 'result.json'), 'utf8')).predictions,
      );
    }
    const temps = readdirSync(killed, { recursive: true })
      .map(String)
      .filter((f) => f.endsWith('.tmp'));
    assert.deepEqual(temps, [], 'no temporary file is left');
  });
});
