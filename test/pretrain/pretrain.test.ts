import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeWav16 } from '../../src/audio/index.js';
import { makeRng, packageRoot } from '../../src/core/index.js';
import { loadSafetensorsSync } from '../../src/tensor-io/index.js';
import { backboneSource, loadApc, loadTera } from '../../src/backbones/index.js';
import { listPoolFiles, loadPretrainConfig, parsePretrainConfig, pretrain, PRETRAIN_FILES } from '../../src/pretrain/index.js';
import { trainRun } from '../../src/train/index.js';
import { syntheticRunConfig } from '../helpers/runs.js';

const RATE = 16000;
const RAVDESS = join(packageRoot(), '..', 'shared', 'data', 'ravdess-speech-16k');

/** A 2 s voiced, speech-like signal: a gliding harmonic source under a moving formant, amplitude-modulated, plus noise. */
function speechLike(seed: number): Float32Array {
  const rng = makeRng(seed);
  const f0 = 100 + 80 * rng.next();
  let phase = 0;
  return Float32Array.from({ length: 2 * RATE }, (_, i) => {
    const t = i / RATE;
    phase += (2 * Math.PI * f0 * (1 + 0.2 * Math.sin(2 * Math.PI * 1.5 * t))) / RATE;
    let v = 0;
    for (let h = 1; h <= 12; h++) v += Math.sin(h * phase) / (1 + ((h * f0 - 500 - 300 * Math.sin(3 * t)) / 200) ** 2);
    return 0.1 * v * (0.6 + 0.4 * Math.sin(2 * Math.PI * 4 * t)) + 0.003 * rng.normal();
  });
}

const TINY = {
  apc: { hiddenSize: 8, numLayers: 2, melBins: 16, nFuture: 2 },
  tera: { hiddenSize: 8, numLayers: 1, numHeads: 2, intermediateSize: 16, melBins: 16 },
};

describe('trustser pretrain', () => {
  let dir: string;
  let audio: string;
  const cfgOf = (method: 'apc' | 'tera', extra: Record<string, unknown> = {}) =>
    parsePretrainConfig({
      method,
      data: [audio],
      segmentFrames: 100,
      ...TINY,
      training: { epochs: 3, batchSize: 3, lr: 1e-2, threads: 1 },
      ...extra,
    });

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'trustser-pretrain-'));
    audio = join(dir, 'audio');
    mkdirSync(join(audio, 'sub'), { recursive: true });
    for (let i = 0; i < 6; i++) writeFileSync(join(audio, i < 3 ? '' : 'sub', `u${i}.wav`), encodeWav16(speechLike(i), RATE));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  for (const method of ['apc', 'tera'] as const) {
    test(`${method}: the loss falls, the run folder holds its record, and the result is a backbone by path`, async () => {
      const out = join(dir, `run-${method}`);
      // TERA's loss moves slowly (small initial weights) and with the random alterations: 12 epochs, compared 3 against 3.
      const epochs = method === 'apc' ? 3 : 12;
      const r = await pretrain(cfgOf(method, { training: { epochs, batchSize: 3, lr: method === 'apc' ? 1e-2 : 3e-3, threads: 1 } }), out);
      assert.equal(r.pool.files, 6);
      assert.equal(r.pool.segments, 12); // 2 s files in 1 s segments
      assert.equal(r.history.length, epochs);
      const mean = (h: typeof r.history) => h.reduce((s, e) => s + e.loss, 0) / h.length;
      const span = method === 'apc' ? 1 : 3;
      assert.ok(
        mean(r.history.slice(-span)) < mean(r.history.slice(0, span)),
        `loss ${r.history.map((h) => h.loss.toFixed(3)).join(' → ')}`,
      );
      assert.ok(r.history.every((h) => h.framesPerSecond > 0));
      for (const f of Object.values(PRETRAIN_FILES)) assert.ok(existsSync(join(out, f)), f);
      assert.equal(readFileSync(join(out, PRETRAIN_FILES.losses), 'utf8').trim().split('\n').length, epochs);
      assert.match(readFileSync(join(out, PRETRAIN_FILES.curve), 'utf8'), /^<svg[\s\S]*pre-training loss/);
      assert.equal(readdirSync(out).filter((f) => f.includes('.tmp')).length, 0);

      // The folder loads as the backbone, with the weights of the last epoch.
      const net = method === 'apc' ? loadApc(out).model : loadTera(out).model;
      const { tensors } = loadSafetensorsSync(join(out, PRETRAIN_FILES.checkpoint));
      for (const [k, t] of net.stateDict()) assert.deepEqual(t.toArray(), tensors.get(`model/${k}`)!.data, k);
      net.dispose();
      const b = await backboneSource(method).load({ weights: out });
      const h = await b.hiddenStates(speechLike(9));
      assert.equal(h.layers.length, TINY[method].numLayers + 1);
      assert.equal(h.layerDims.at(-1), 8);
      assert.ok(h.layers.every((l) => l.every(Number.isFinite)));
      assert.throws(() => (method === 'apc' ? loadTera(out) : loadApc(out)), new RegExp(`load it as '${method}'`));
    });
  }

  test('a pre-trained APC trains the Trust-SER downstream as `--backbone apc --weights RUN`', async () => {
    const cfg = syntheticRunConfig({
      features: { set: 'apc', overrides: { weights: join(dir, 'run-apc') } },
      training: { epochs: 2, batchSize: 16, lr: 3e-3, threads: 1 },
      folds: [0],
    });
    const m = await trainRun(cfg, join(dir, 'downstream'), { cacheDir: null, workers: 0 });
    assert.equal(m.folds.length, 1);
    assert.ok(m.folds[0].ua >= 0 && m.folds[0].ua <= 1);
  });

  test('killed with SIGKILL, the resumed run equals an uninterrupted one bit for bit', async () => {
    const cfg = cfgOf('tera', { training: { epochs: 4, batchSize: 3, lr: 1e-2, threads: 1 } });
    const cfgPath = join(dir, 'tera.json');
    writeFileSync(cfgPath, JSON.stringify(cfg));
    const whole = join(dir, 'whole');
    await pretrain(cfg, whole);
    const killed = join(dir, 'killed');
    const root = packageRoot();
    const done = () =>
      existsSync(join(killed, PRETRAIN_FILES.losses))
        ? readFileSync(join(killed, PRETRAIN_FILES.losses), 'utf8').trim().split('\n').length
        : 0;
    let kills = 0;
    for (let attempt = 0; attempt < 8 && done() < 4; attempt++) {
      const child = spawn(
        process.execPath,
        ['--import', 'tsx', join(root, 'test', 'helpers', 'cli-entry.ts'), 'pretrain', '--config', cfgPath, '--out', killed],
        {
          cwd: root,
          stdio: 'ignore',
        },
      );
      const exited = new Promise((r) => child.on('exit', r));
      const start = done();
      const deadline = Date.now() + 120_000;
      while (done() === start && child.exitCode === null && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
      if (child.exitCode === null && done() < 3) {
        child.kill('SIGKILL');
        kills++;
      }
      await exited;
    }
    assert.ok(kills >= 1, 'the run was interrupted at least once');
    assert.equal(done(), 4);
    const backbone = PRETRAIN_FILES.backbone;
    assert.ok(Buffer.compare(readFileSync(join(whole, backbone)), readFileSync(join(killed, backbone))) === 0, 'the networks differ');
    // Weights and optimizer state too (the history's timings differ, of course).
    const state = (d: string) => loadSafetensorsSync(join(d, PRETRAIN_FILES.checkpoint)).tensors;
    assert.deepEqual(state(killed), state(whole));
    const losses = (d: string) =>
      readFileSync(join(d, PRETRAIN_FILES.losses), 'utf8')
        .split('\n')
        .map((l) => (l ? JSON.parse(l).loss : null));
    assert.deepEqual(losses(killed), losses(whole));
    assert.equal(readdirSync(killed).filter((f) => f.includes('.tmp')).length, 0);
  });

  test('bad input: a clear error naming it, and no run folder', async () => {
    const out = join(dir, 'bad');
    await assert.rejects(
      pretrain(parsePretrainConfig({ method: 'apc', data: [join(dir, 'nowhere')] }), out),
      /nowhere: no such file or directory/,
    );
    const broken = join(dir, 'broken');
    mkdirSync(broken);
    writeFileSync(join(broken, 'a.wav'), encodeWav16(speechLike(1), RATE));
    writeFileSync(join(broken, 'b.wav'), 'RIFF not really');
    await assert.rejects(pretrain(cfgOf('apc', { data: [broken] }), out), /1 of 2 files cannot be read:\n.*b\.wav/);
    assert.equal(existsSync(out), false);
    assert.throws(
      () => parsePretrainConfig({ method: 'apc', data: [audio], apc: { hiddenSize: 0 } }, 'p.yaml'),
      /^Error: p\.yaml: apc\.hiddenSize/,
    );
    assert.throws(() => parsePretrainConfig({ method: 'bert', data: [audio] }, 'p.yaml'), /p\.yaml: method/);
    assert.throws(() => parsePretrainConfig({ method: 'tera' }, 'p.yaml'), /name some audio/);
    assert.throws(
      () => parsePretrainConfig({ method: 'tera', data: [audio], tera: { hiddenSize: 10, numHeads: 4 } }),
      /numHeads must divide/,
    );
    // A folder holding another run is refused before anything is touched.
    const other = join(dir, 'run-apc');
    const before = readFileSync(join(other, PRETRAIN_FILES.checkpoint));
    await assert.rejects(pretrain(cfgOf('apc', { fraction: 0.5 }), other), /another configuration/);
    assert.ok(Buffer.compare(before, readFileSync(join(other, PRETRAIN_FILES.checkpoint))) === 0);
  });

  test('the command: flags into the config, a JSON result; bad flags fail with one line and write nothing', () => {
    const cli = (...args: string[]) =>
      spawnSync(process.execPath, ['--import', 'tsx', join(packageRoot(), 'test', 'helpers', 'cli-entry.ts'), 'pretrain', ...args], {
        cwd: packageRoot(),
        encoding: 'utf8',
      });
    const out = join(dir, 'cli');
    const flags = ['--data', audio, '--epochs', '1', '--batch-size', '4', '--threads', '1', '--fraction', '0.5'];
    const r = cli('--method', 'apc', ...flags, '--out', out, '--json');
    assert.equal(r.status, 0, r.stderr);
    const result = JSON.parse(r.stdout) as { pool: { files: number }; history: unknown[]; backbone: string };
    assert.deepEqual([result.pool.files, result.history.length], [3, 1]);
    const cfg = JSON.parse(readFileSync(join(out, PRETRAIN_FILES.config), 'utf8'));
    assert.deepEqual([cfg.method, cfg.fraction, cfg.training.epochs, cfg.training.batchSize, cfg.apc.hiddenSize], ['apc', 0.5, 1, 4, 256]);
    for (const [args, message] of [
      [['--method', 'bert', ...flags], /--method.*bert/],
      [['--method', 'apc', '--corpus', 'ravdess', '--epochs', '1'], /--corpus ravdess: expected NAME:FOLDER/],
      [['--method', 'tera', '--epochs', '1'], /name some audio/],
      [['--method', 'apc', '--data', join(dir, 'nowhere')], /nowhere: no such file or directory/],
    ] as [string[], RegExp][]) {
      const bad = join(dir, 'cli-bad');
      const e = cli(...args, '--out', bad);
      assert.notEqual(e.status, 0);
      assert.match(e.stderr, message);
      assert.equal(existsSync(bad), false);
    }
  });

  test('the pool: corpus speakers chosen or left out, and a seeded fraction of the files', async (t) => {
    const half = await listPoolFiles(cfgOf('apc', { fraction: 0.5 }));
    assert.equal(half.length, 3);
    assert.deepEqual(await listPoolFiles(cfgOf('apc', { fraction: 0.5 })), half);
    if (!existsSync(RAVDESS)) {
      t.skip(`${RAVDESS} not found: the corpus part needs the shared RAVDESS copy`);
      return;
    }
    const only = await listPoolFiles(
      parsePretrainConfig({ method: 'apc', corpora: [{ name: 'ravdess', root: RAVDESS, speakers: ['ravdess:01'] }] }),
    );
    assert.equal(only.length, 60);
    assert.ok(only.every((f) => f.includes('Actor_01')));
    const rest = await listPoolFiles(
      parsePretrainConfig({ method: 'apc', data: [audio], corpora: [{ name: 'ravdess', root: RAVDESS, excludeSpeakers: ['ravdess:01'] }] }),
    );
    assert.equal(rest.length, 1380 + 6);
    assert.ok(!rest.some((f) => f.includes('Actor_01')));
    await assert.rejects(
      listPoolFiles(parsePretrainConfig({ method: 'apc', corpora: [{ name: 'ravdess', root: RAVDESS, speakers: ['01'] }] })),
      /ravdess has no speaker '01' \(speakers look like 'ravdess:/,
    );
  });

  test('every shipped pre-training config is valid and finds its audio beside the project', async (t) => {
    const configs = join(packageRoot(), 'configs', 'pretrain');
    const files = readdirSync(configs).filter((f) => f.endsWith('.yaml'));
    assert.ok(files.length >= 2);
    for (const f of files) {
      const c = loadPretrainConfig(join(configs, f));
      if (!existsSync(RAVDESS)) continue;
      for (const d of [...c.data, ...c.corpora.map((x) => x.root)]) assert.ok(existsSync(d), `${f}: ${d}`);
    }
    if (!existsSync(RAVDESS)) t.skip(`${RAVDESS} not found: the configs' folders were not checked`);
    assert.throws(() => loadPretrainConfig(join(dir, 'none.yaml')), /none\.yaml: cannot read the config/);
    writeFileSync(join(dir, 'typo.yaml'), 'method: apc\ndata: [a]\ntraning: { epochs: 2 }\n');
    assert.throws(() => loadPretrainConfig(join(dir, 'typo.yaml')), /typo\.yaml: .*traning/);
  });
});
