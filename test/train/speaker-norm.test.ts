import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fitSpeakerNormalizers, MIN_SPEAKER_UTTERANCES, speakerNormalize } from '../../src/features/speaker-norm.js';
import { parseRunConfig } from '../../src/run/config.js';
import { trainRun } from '../../src/train/index.js';
import type { FoldResult } from '../../src/run/index.js';
import { enrollAll, loadFold, predictFiles } from '../../src/run/index.js';
import { exportRun } from '../../src/runtime/index.js';
import { emotionEmbeddings } from '../../src/spoof/model.js';
import { loadAudio } from '../../src/audio/index.js';
import { writeSyntheticCorpus } from '../../src/data/index.js';
import { packageRoot } from '../../src/core/paths.js';
import { temperatureScaleRow } from '../../src/metrics/index.js';
import { tempDir } from '../audio/helpers.js';

/** The calibrated posteriors of a fold's test predictions (result.json keeps the raw ones and the temperature). */
const calibratedProbs = (r: FoldResult) => r.predictions.map((p) => temperatureScaleRow(p.probs, r.temperature ?? 1));

const vec = (...v: number[]) => ({ data: Float32Array.from(v), channels: 1, frames: 1, dims: v.length });

test("speakerNormalize standardizes each dim with the speaker's own utterances", () => {
  const utts = [
    ...[1, 2, 3, 4].map((v, i) => ({ id: `a${i}`, speaker: 'a', f: vec(v, 10 * v) })),
    ...[101, 103, 105, 107].map((v, i) => ({ id: `b${i}`, speaker: 'b', f: vec(v, 7) })),
  ];
  const out = speakerNormalize(utts, new Map(utts.map((u) => [u.id, u.f])));
  for (const s of ['a', 'b']) {
    const rows = utts.filter((u) => u.speaker === s).map((u) => Array.from(out.get(u.id)!.data));
    const mean = (k: number) => rows.reduce((t, r) => t + r[k], 0) / rows.length;
    assert.ok(Math.abs(mean(0)) < 1e-6, `${s}: mean ${mean(0)}`);
    const sd = Math.sqrt(rows.reduce((t, r) => t + r[0] ** 2, 0) / rows.length);
    assert.ok(Math.abs(sd - 1) < 1e-5, `${s}: std ${sd}`);
  }
  // Speaker b's first utterance is the lowest of b, whatever a's values are.
  assert.ok(out.get('b0')!.data[0] < -1.3);
  // A constant dim stays centred (0), not blown up.
  assert.deepEqual(
    Array.from(
      utts.filter((u) => u.speaker === 'b'),
      (u) => out.get(u.id)!.data[1],
    ),
    [0, 0, 0, 0],
  );
});

test('speaker normalization refuses speakers with too few utterances, naming them', () => {
  const items = [
    ...Array.from({ length: MIN_SPEAKER_UTTERANCES }, (_, i) => ({ speaker: 'ok', features: vec(i) })),
    { speaker: 'lonely', features: vec(1) },
  ];
  assert.throws(
    () => fitSpeakerNormalizers(items),
    new RegExp(`at least ${MIN_SPEAKER_UTTERANCES} utterances per speaker; too few for: lonely \\(1\\)`),
  );
});

describe('a speaker-normalized run', () => {
  let dir = '';
  let cleanup = () => {};
  const out = () => join(dir, 'run');
  const root = packageRoot();
  const cli = (...args: string[]) =>
    spawnSync(process.execPath, ['--import', 'tsx', join(root, 'test', 'helpers', 'cli-entry.ts'), ...args], {
      cwd: root,
      encoding: 'utf8',
      env: { ...process.env, TRUSTSER_CACHE: join(dir, 'cache') },
    });
  const cfg = () =>
    parseRunConfig({
      corpus: { name: 'synthetic', options: { perClassPerSpeaker: 4 } },
      protocol: { kind: 'speaker-kfold', folds: 3, devSpeakers: 1 },
      features: { set: 'mel-functionals', speakerNorm: true },
      model: { name: 'logreg' },
      training: { epochs: 30, batchSize: 16, lr: 1e-2, threads: 1 },
    });
  before(async () => {
    ({ dir, cleanup } = tempDir());
    await trainRun(cfg(), out(), { cacheDir: join(dir, 'cache'), workers: 0 });
  });
  after(() => cleanup());

  test('learns, and its predictor reproduces the test predictions once the test speakers are enrolled', async () => {
    const m = JSON.parse(readFileSync(join(out(), 'metrics.json'), 'utf8')) as { ua: { mean: number } };
    assert.ok(m.ua.mean > 0.5, `UA ${m.ua.mean} (chance 0.25)`);
    const r = JSON.parse(readFileSync(join(out(), 'fold-1', 'result.json'), 'utf8')) as FoldResult;
    const fp = await loadFold(out(), 1);
    const signals = await Promise.all(r.predictions.map(async (p) => (await loadAudio(p.path, { sampleRateHz: fp.sampleRateHz })).samples));
    const speakers = r.predictions.map((p) => p.speaker);
    assert.equal(fp.speakerNorm, true);
    await assert.rejects(fp.predict(signals), /normalizes features per speaker \(features.speakerNorm\); give each signal's speaker/);
    await assert.rejects(fp.predict(signals, speakers), /speaker '.+' is not enrolled/);
    await enrollAll(fp, signals, speakers);
    const probs = await fp.predict(signals, speakers);
    const want = calibratedProbs(r);
    probs.forEach((p, i) =>
      p.forEach((v, c) => assert.ok(Math.abs(v - want[i][c]) < 1e-4, `utterance ${i} class ${c}: ${v} vs ${want[i][c]}`)),
    );
    fp.dispose();
  });

  test('predictFiles enrolls the files by speaker and refuses a speaker with too few files', async () => {
    const r = JSON.parse(readFileSync(join(out(), 'fold-0', 'result.json'), 'utf8')) as FoldResult;
    const speaker = r.predictions[0].speaker;
    const files = r.predictions.filter((p) => p.speaker === speaker).map((p) => p.path);
    const got = await predictFiles(out(), files, { fold: 0 });
    const calibrated = calibratedProbs(r);
    const want = new Map(r.predictions.map((p, i) => [p.path, calibrated[i]]));
    got.predictions.forEach((p) => p.probs.forEach((v, c) => assert.ok(Math.abs(v - want.get(p.path)![c]) < 1e-4)));
    await assert.rejects(
      predictFiles(out(), files.slice(0, 2), { fold: 0 }),
      /at least 4 utterances per speaker; too few for: speaker \(2\)/,
    );
  });

  test('spoof emotion conditioning refuses the run (it has no enrollment)', async () => {
    await assert.rejects(
      emotionEmbeddings(out(), []),
      /emotion conditioning of the spoof model cannot use this run: it normalizes features per speaker/,
    );
  });

  test('ONNX export is refused with a reason, and writes nothing', async () => {
    const target = join(dir, 'model.onnx');
    await assert.rejects(exportRun(out(), target), /ONNX export cannot use this run: it normalizes features per speaker/);
    assert.equal(existsSync(target), false);
    assert.equal(existsSync(`${target}.json`), false);
  });

  test('trustser train --speaker-norm --weight-decay writes them into the run config; a bad value writes nothing', () => {
    const run = join(dir, 'cli-run');
    const args = [
      'train',
      '--corpus',
      'synthetic',
      '--model',
      'logreg',
      '--features',
      'mel-functionals',
      '--folds',
      '3',
      '--epochs',
      '2',
      '--workers',
      '0',
      '--out',
      run,
    ];
    const bad = cli(...args, '--weight-decay', 'lots');
    assert.notEqual(bad.status, 0);
    assert.match(bad.stderr, /option '--weight-decay <x>' argument 'lots' is invalid\. expected a number ≥ 0/);
    assert.equal(existsSync(run), false);
    const ok = cli(...args, '--speaker-norm', '--weight-decay', '0.3');
    assert.equal(ok.status, 0, ok.stderr);
    const saved = JSON.parse(readFileSync(join(run, 'config.json'), 'utf8')) as {
      features: { speakerNorm: boolean };
      training: { weightDecay: number };
    };
    assert.equal(saved.features.speakerNorm, true);
    assert.equal(saved.training.weightDecay, 0.3);
    assert.match(ok.stderr, /features normalized per speaker \(6 speakers\)/);
    const shown = cli('evaluate', run);
    assert.equal(shown.status, 0, shown.stderr);
    assert.match(shown.stdout, /normalized per speaker with each test speaker's unlabelled utterances/);
  });

  test('the CLI groups files by folder with --speaker-by dir, and rejects other values', () => {
    const bad = cli('predict', '--model', out(), '--speaker-by', 'voice', dir);
    assert.notEqual(bad.status, 0);
    assert.match(bad.stderr, /option '--speaker-by <how>' argument 'voice' is invalid\. expected one of all, dir/);
    // The synthetic corpus keeps every file in one folder: copy the test files into a folder per speaker.
    const r = JSON.parse(readFileSync(join(out(), 'fold-0', 'result.json'), 'utf8')) as FoldResult;
    const want = new Map<string, number[]>();
    const calibrated = calibratedProbs(r);
    for (const [i, p] of r.predictions.entries()) {
      const copy = join(dir, 'by-speaker', p.speaker, basename(p.path));
      mkdirSync(dirname(copy), { recursive: true });
      copyFileSync(p.path, copy);
      want.set(copy, calibrated[i]);
    }
    const ok = cli('predict', '--model', out(), '--fold', '0', '--speaker-by', 'dir', '--format', 'json', join(dir, 'by-speaker'));
    assert.equal(ok.status, 0, ok.stderr);
    const got = JSON.parse(ok.stdout) as { predictions: { path: string; probs: number[] }[] };
    assert.equal(got.predictions.length, r.predictions.length);
    got.predictions.forEach((p) => p.probs.forEach((v, c) => assert.ok(Math.abs(v - want.get(resolve(p.path))![c]) < 1e-3, p.path)));
  });
});

test('a speaker-normalized run warns about a speaker who carries a single emotion', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const utts = writeSyntheticCorpus(join(dir, 'syn'), { speakers: 4, perClassPerSpeaker: 4 });
    // spk0's happy utterances become speaker 'solo', who then only ever sounds happy.
    const rows = utts.map((u) => [
      u.path,
      u.labels.emotion,
      u.speaker === 'synthetic:spk0' && u.labels.emotion === 'happy' ? 'solo' : u.speaker,
    ]);
    writeFileSync(join(dir, 'm.csv'), ['path,label,speaker', ...rows.map((r) => r.join(','))].join('\n'));
    const lines: string[] = [];
    await trainRun(
      parseRunConfig({
        corpus: { name: 'manifest', root: join(dir, 'm.csv') },
        protocol: { kind: 'speaker-kfold', folds: 2, devSpeakers: 1 },
        features: { set: 'mel-functionals', speakerNorm: true },
        model: { name: 'logreg' },
        training: { epochs: 2, threads: 1 },
        folds: [0],
      }),
      join(dir, 'run'),
      { cacheDir: join(dir, 'cache'), workers: 0, log: (l) => lines.push(l) },
    );
    const w = lines.filter((l) => l.startsWith('warning:'));
    assert.equal(w.length, 1, w.join('\n'));
    assert.match(w[0], /speaker 'manifest:solo': all 4 utterance\(s\) are labelled 'happy'/);
  } finally {
    cleanup();
  }
});
