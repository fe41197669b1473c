import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { trainRun } from '../../src/train/run.js';
import { predictFiles } from '../../src/run/predict.js';
import { packageRoot } from '../../src/core/paths.js';
import { buildProgram } from '../../src/cli/index.js';
import { syntheticRunConfig, syntheticWavs } from '../helpers/runs.js';
import { tempDir } from '../audio/helpers.js';

const root = packageRoot();
function cli(...args: string[]) {
  return spawnSync(process.execPath, ['--import', 'tsx', join(root, 'test', 'helpers', 'cli-entry.ts'), ...args], {
    cwd: root,
    encoding: 'utf8',
  });
}

describe('trustser export and predict --onnx', () => {
  let dir = '';
  let cleanup = () => {};
  let run = '';
  let wavs: string[] = [];
  before(async () => {
    ({ dir, cleanup } = tempDir());
    const cacheDir = join(dir, 'cache');
    run = join(dir, 'run');
    const cfg = syntheticRunConfig({
      corpus: { name: 'synthetic', options: { perClassPerSpeaker: 2 } },
      model: { name: 'cnn-lstm-att', options: { convChannels: [4, 8], lstmHidden: 8, denseDim: 8 } },
      training: { epochs: 1, batchSize: 16, lr: 3e-3, threads: 1 },
      folds: [0],
    });
    await trainRun(cfg, run, { cacheDir, workers: 0 });
    wavs = syntheticWavs(cacheDir, 2, 4);
  });
  after(() => cleanup());

  test('export writes model + sidecar; predict --onnx prints the engine’s probabilities in every format', async () => {
    const out = join(dir, 'shipped', 'ser.onnx');
    const e = cli('export', run, '--out', out, '--fold', '0');
    assert.equal(e.status, 0, e.stderr);
    assert.match(e.stdout, /cnn-lstm-att \(fold 0.*\) → .*ser\.onnx/);
    assert.match(e.stdout, /max \|Δp\| = /);
    assert.ok(existsSync(out) && existsSync(`${out}.json`));

    const engine = await predictFiles(run, wavs, { fold: 0 });
    const j = cli('predict', '--onnx', out, ...wavs, '--format', 'json', '--threads', '1');
    assert.equal(j.status, 0, j.stderr);
    const got = JSON.parse(j.stdout) as {
      classes: string[];
      predictions: { path: string; label: string; probs: number[]; windows: unknown[] }[];
    };
    assert.deepEqual(got.classes, engine.classes);
    got.predictions.forEach((p, i) => {
      assert.equal(p.path, wavs[i]);
      assert.equal(p.label, engine.predictions[i].label);
      p.probs.forEach((v, k) => assert.ok(Math.abs(v - engine.predictions[i].probs[k]) <= 1e-4));
    });

    // CSV with streaming windows: same columns as `predict --model`, one row per file.
    const c = cli('predict', '--onnx', out, wavs[0], '--format', 'csv', '--window', '0.5', '--hop', '0.25');
    assert.equal(c.status, 0, c.stderr);
    const rows = parse(c.stdout) as string[][];
    assert.deepEqual(rows[0], ['path', 'label', ...engine.classes]);
    assert.equal(rows.length, 2);
    assert.ok(Math.abs(rows[1].slice(2).reduce((sum, v) => sum + Number(v), 0) - 1) < 1e-3);
  });

  test('bad arguments are one-line errors that leave no files', async () => {
    const outDir = join(dir, 'none');
    const e = cli('export', join(dir, 'missing-run'), '--out', join(outDir, 'm.onnx'));
    assert.equal(e.status, 1);
    assert.equal(e.stderr.trim().split('\n').length, 1);
    assert.match(e.stderr, /missing-run: no such run directory/);
    assert.equal(existsSync(outDir), false);
    // Argument checks, in-process (they fail before any output).
    const parseArgs = (...args: string[]) => buildProgram().parseAsync(['node', 'trustser', ...args]);
    await assert.rejects(
      parseArgs('predict', '--onnx', 'x.onnx', '--model', run, wavs[0]),
      /give either --model <run-dir> or --onnx <file>/,
    );
    await assert.rejects(parseArgs('predict', wavs[0]), /give either --model <run-dir> or --onnx <file>/);
    await assert.rejects(
      parseArgs('predict', '--onnx', join(dir, 'shipped', 'ser.onnx'), '--fold', '1', wavs[0]),
      /--fold applies to --model run directories/,
    );
    await assert.rejects(
      parseArgs('predict', '--onnx', join(dir, 'shipped', 'ser.onnx'), '--window', 'abc', wavs[0]),
      /option '--window <s>' argument 'abc' is invalid\. expected a number > 0/,
    );
    await assert.rejects(
      parseArgs('export', run, '--out', join(outDir, 'm.onnx'), '--fold', 'x'),
      /option '--fold <k>' argument 'x' is invalid\. expected an integer ≥ 0/,
    );
    assert.equal(existsSync(outDir), false);
  });
});
