// How the commands that take audio folders or CSV manifests read them: `--columns` maps the
// manifest's own column names, `--no-recurse` keeps to the top folder, and bad values are refused
// with `trustser: <message>` before any work (train: `--columns` only with a manifest corpus).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { packageRoot } from '../../src/core/paths.js';
import { loadSafetensorsSync } from '../../src/tensor-io/index.js';
import { trainRun } from '../../src/train/run.js';
import { tempDir, tone, wavFromFloat } from '../audio/helpers.js';
import { syntheticRunConfig } from '../helpers/runs.js';

const root = packageRoot();
/** Sample rate of the test clips (Hz). */
const RATE_HZ = 16000;

describe('CLI inputs: --columns and --no-recurse', () => {
  let dir = '';
  let cleanup = () => {};
  const cli = (...args: string[]) =>
    spawnSync(process.execPath, ['--import', 'tsx', join(root, 'test', 'helpers', 'cli-entry.ts'), ...args], {
      cwd: root,
      encoding: 'utf8',
      env: { ...process.env, TRUSTSER_CACHE: join(dir, 'cache') },
    });
  const wav = (rel: string) => {
    const p = join(dir, rel);
    mkdirSync(join(p, '..'), { recursive: true });
    writeFileSync(p, wavFromFloat(tone(220, RATE_HZ, RATE_HZ / 2, 0.4), RATE_HZ));
    return p;
  };
  before(() => {
    ({ dir, cleanup } = tempDir());
    wav('folder/top.wav');
    wav('folder/sub/deep.wav');
    wav('lists/clips/a.wav');
    wav('lists/clips/b.wav');
    writeFileSync(join(dir, 'lists/m.csv'), 'file,name,emotion,actor\nclips/a.wav,first,happy,s1\nclips/b.wav,second,sad,s2\n');
  });
  after(() => cleanup());

  test('features extract: mapped manifest columns give the ids; --no-recurse lists the top folder only', () => {
    const out = join(dir, 'feats.safetensors');
    const base = ['features', 'extract', '--set', 'logmel', '--no-cache', '--workers', '0', '--json'];
    const m = cli(...base, '--in', join(dir, 'lists/m.csv'), '--columns', 'path=file,id=name', '--out', out);
    assert.equal(m.status, 0, m.stderr);
    assert.equal(JSON.parse(m.stdout).files, 2);
    assert.deepEqual([...loadSafetensorsSync(out).tensors.keys()].sort(), ['first', 'second']);

    const all = cli(...base, '--in', join(dir, 'folder'), '--out', out);
    assert.equal(all.status, 0, all.stderr);
    assert.equal(JSON.parse(all.stdout).files, 2);
    const top = cli(...base, '--in', join(dir, 'folder'), '--no-recurse', '--out', out);
    assert.equal(top.status, 0, top.stderr);
    assert.equal(JSON.parse(top.stdout).files, 1);
    assert.deepEqual([...loadSafetensorsSync(out).tensors.keys()], ['top.wav']);
  });

  test('bad --columns values are refused before any work, naming the bad part, the file or the column', () => {
    const out = join(dir, 'never.safetensors');
    const ex = (...args: string[]) => cli('features', 'extract', '--set', 'logmel', '--no-cache', '--workers', '0', '--out', out, ...args);
    const syntax = ex('--in', join(dir, 'lists/m.csv'), '--columns', 'path=file,name');
    assert.equal(syntax.status, 1);
    assert.match(
      syntax.stderr,
      /^trustser: option '--columns <mapping>' argument 'path=file,name' is invalid\. 'name': expected name=column/,
    );
    const unknown = ex('--in', join(dir, 'lists/m.csv'), '--columns', 'file=path');
    assert.equal(unknown.status, 1);
    assert.match(unknown.stderr, /^trustser: .*m\.csv: unknown column 'file' in the mapping \(accepted: path, id\)/);
    const missing = ex('--in', join(dir, 'lists/m.csv'), '--columns', 'path=audio');
    assert.match(
      missing.stderr,
      /^trustser: .*m\.csv: column 'audio' \(mapped to 'path'\) is not in the manifest \(columns: file, name, emotion, actor\)/,
    );
    const folder = ex('--in', join(dir, 'folder'), '--columns', 'path=file');
    assert.match(folder.stderr, /^trustser: .*folder: a column mapping applies to CSV manifests, not to folders/);
    assert.equal(existsSync(out), false, 'nothing written');

    const predict = cli('predict', '--model', join(dir, 'no-run'), '--columns', 'path=file', join(dir, 'folder'));
    assert.equal(predict.status, 1);
    assert.match(predict.stderr, /^trustser: a column mapping applies to CSV manifests, and none of .*folder is a \.csv file/);
    const analyze = cli('analyze', '--emotion-model', join(dir, 'no-run'), '--columns', 'path=file', join(dir, 'folder'));
    assert.equal(analyze.status, 1);
    assert.match(analyze.stderr, /^trustser: a column mapping applies to CSV manifests/);
    const badAnalyze = cli('analyze', '--emotion-model', join(dir, 'no-run'), '--columns', '=x', join(dir, 'lists/m.csv'));
    assert.match(
      badAnalyze.stderr,
      /^trustser: option '--columns <mapping>' argument '=x' is invalid\. '=x': the name before '=' is empty/,
    );
  });

  test('train: --columns reaches the manifest corpus and is refused for other corpora; no run folder is written', () => {
    const out = join(dir, 'run-never');
    const quick = ['--model', 'mlp', '--features', 'egemaps-ts', '--folds', '2', '--epochs', '1', '--workers', '0', '--out', out];
    const synth = cli('train', '--corpus', 'synthetic', '--columns', 'path=file', ...quick);
    assert.equal(synth.status, 1);
    assert.match(synth.stderr, /^trustser: --columns applies to CSV manifests only \(--corpus manifest\), not to the 'synthetic' corpus/);
    const manifest = join(dir, 'lists/m.csv');
    const wrong = cli('train', '--corpus', 'csv', '--data', manifest, '--columns', 'path=file,label=emotion,speaker=talker', ...quick);
    assert.equal(wrong.status, 1);
    assert.match(wrong.stderr, /m\.csv:1: field 'talker': missing column \(option 'columns' maps 'speaker' to it/);
    const unknown = cli('train', '--corpus', 'manifest', '--data', manifest, '--columns', 'path=file,mood=emotion', ...quick);
    assert.match(unknown.stderr, /manifest: option 'columns': unknown column 'mood' in the mapping \(accepted: id, path, label, speaker/);
    // With the right mapping the manifest is listed and training goes on to the split (two speakers are too few for it).
    const mapped = cli('train', '--corpus', 'manifest', '--data', manifest, '--columns', 'path=file,label=emotion,speaker=actor', ...quick);
    assert.equal(mapped.status, 1);
    assert.match(mapped.stderr, /speaker\(s\) remain outside the test set, too few for 2 dev speaker\(s\)/);
    // Without the mapping the file's own names are not found: proof the flag is what made them readable.
    const unmapped = cli('train', '--corpus', 'manifest', '--data', manifest, ...quick);
    assert.match(unmapped.stderr, /m\.csv:1: field 'path': missing column/);
    assert.equal(existsSync(out), false);
  });

  test('predict reads a mapped manifest and a folder without recursion', async () => {
    const run = join(dir, 'run');
    await trainRun(syntheticRunConfig({ folds: [0], training: { epochs: 1, batchSize: 16, lr: 3e-3, threads: 1 } }), run, {
      cacheDir: join(dir, 'cache'),
      workers: 0,
    });
    const m = cli('predict', '--model', run, '--format', 'json', '--columns', 'path=file', join(dir, 'lists/m.csv'));
    assert.equal(m.status, 0, m.stderr);
    assert.deepEqual(
      JSON.parse(m.stdout).predictions.map((p: { path: string }) => p.path),
      [join(dir, 'lists/clips/a.wav'), join(dir, 'lists/clips/b.wav')],
    );
    const top = cli('predict', '--model', run, '--format', 'json', '--no-recurse', join(dir, 'folder'));
    assert.equal(top.status, 0, top.stderr);
    assert.deepEqual(
      JSON.parse(top.stdout).predictions.map((p: { path: string }) => p.path),
      [join(dir, 'folder/top.wav')],
    );
  });
});
