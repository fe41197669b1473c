// What the CLI says when something is wrong: every cause of an error (not its first line), flag
// values checked before any work, run configs that refuse unknown keys with the closest valid
// name, validation before the first byte of a run folder is written, and batch commands that
// finish the good files, list the bad ones with their reasons and exit non-zero.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { errorLines } from '../../src/cli/index.js';
import { packageRoot } from '../../src/core/paths.js';
import { trainRun } from '../../src/train/run.js';
import { syntheticRunConfig } from '../helpers/runs.js';
import { tempDir, tone, wavFromFloat } from '../audio/helpers.js';

const root = packageRoot();

describe('CLI errors and batches', () => {
  let dir = '';
  let cleanup = () => {};
  let cache = '';
  const cli = (...args: string[]) =>
    spawnSync(process.execPath, ['--import', 'tsx', join(root, 'test', 'helpers', 'cli-entry.ts'), ...args], {
      cwd: root,
      encoding: 'utf8',
      env: { ...process.env, TRUSTSER_CACHE: cache },
    });
  const quick = ['--corpus', 'synthetic', '--folds', '3', '--epochs', '1', '--workers', '0'];
  before(() => {
    ({ dir, cleanup } = tempDir());
    cache = join(dir, 'cache');
  });
  after(() => cleanup());

  test('errorLines keeps every line, the aggregated errors and the causes', () => {
    const e = new Error('outer failed:\n  first reason\n  second reason', {
      cause: new AggregateError([new Error('a'), new Error('b\nb2')], 'inner'),
    });
    assert.deepEqual(errorLines(e), [
      'outer failed:',
      '  first reason',
      '  second reason',
      '  caused by: inner',
      '    a',
      '    b',
      '    b2',
    ]);
    assert.deepEqual(errorLines('plain'), ['plain']);
  });

  test('a config with several wrong fields names every one; an unknown key names the closest valid key; nothing is written', () => {
    const cfg = join(dir, 'bad.yaml');
    writeFileSync(
      cfg,
      [
        'corpus: { name: ravdes, root: /nowhere }',
        'protocol: { kind: speaker-kfold, folds: 6 }',
        'features: { set: logmell }',
        'model: { name: mlp, options: { hidden: 3 } }',
        'training: { learningrate: 0.1, epochs: -1 }',
      ].join('\n'),
    );
    const out = join(dir, 'never');
    const r = cli('train', '--config', cfg, '--out', out);
    assert.equal(r.status, 1);
    const lines = r.stderr.trim().split('\n');
    assert.match(lines[0], /^trustser: .*bad\.yaml: /);
    for (const want of [
      /training\.epochs: Too small: expected number to be >=1/,
      /training\.learningrate: unknown key 'learningrate' \(did you mean 'lr'\?\)/,
      /corpus\.name: unknown corpus 'ravdes' \(did you mean 'ravdess'\?/,
      /features\.set: unknown feature set 'logmell' \(did you mean 'logmel'\?/,
      /model\.options\.hidden: unknown key 'hidden' \(did you mean 'hiddenDims'\?\)/,
    ])
      assert.ok(
        lines.some((l) => want.test(l)),
        `${want} in:\n${r.stderr}`,
      );
    assert.equal(existsSync(out), false);
  });

  test('a bad flag value is refused before any work: --workers abc, an unknown feature set from the command line', () => {
    const out = join(dir, 'never2');
    const a = cli('train', ...quick, '--model', 'mlp', '--features', 'egemaps-ts', '--workers', 'abc', '--out', out);
    assert.equal(a.status, 1);
    assert.match(a.stderr, /^trustser: option '--workers <n>' argument 'abc' is invalid\. expected an integer ≥ 0\n/);
    const b = cli('train', ...quick, '--model', 'mlp', '--features', 'egemaps', '--out', out);
    assert.equal(b.status, 1);
    assert.match(b.stderr, /features\.set: unknown feature set 'egemaps' \(did you mean 'egemaps-ts'\?/);
    assert.doesNotMatch(b.stderr, /could not be read/);
    assert.equal(existsSync(out), false);
  });

  test('--backbone without its weights, or with --features, is refused before the run folder exists', () => {
    const out = join(dir, 'never3');
    const a = cli('train', ...quick, '--model', 'trust-ser-cnn', '--backbone', 'wav2vec2', '--out', out);
    assert.equal(a.status, 1);
    assert.match(a.stderr, /features\.overrides: backbone 'wav2vec2' needs its weights: pass a checkpoint file or Hugging Face folder/);
    const b = cli('train', ...quick, '--backbone', 'hubert', '--weights', join(dir, 'no-such-model'), '--out', out);
    assert.equal(b.status, 1);
    assert.match(b.stderr, /no-such-model: no such file or folder/);
    const c = cli('train', ...quick, '--backbone', 'wav2vec2', '--features', 'logmel', '--out', out);
    assert.equal(c.status, 1);
    assert.match(c.stderr, /--backbone and --features both name the feature set/);
    assert.equal(existsSync(out), false);
  });

  test('a model that cannot take the features fails before the run folder exists; the corrected re-run into it is not refused', () => {
    const out = join(dir, 'fixme');
    const bad = cli('train', ...quick, '--model', 'mlp', '--features', 'logmel', '--out', out);
    assert.equal(bad.status, 1);
    assert.match(
      bad.stderr,
      /features\.set: model 'mlp' takes vector features, but 'logmel' gives frames \(sets that fit: apc-stats, compare-ts, egemaps-mel, egemaps-ts, hubert-stats, mel-functionals, speech-embedding-stats, tera-stats, wav2vec2-stats, wavlm-stats, whisper-stats\)/,
    );
    assert.equal(existsSync(out), false, 'nothing written');
    const good = cli('train', ...quick, '--model', 'mlp', '--features', 'egemaps-ts', '--out', out, '--json');
    assert.equal(good.status, 0, good.stderr);
    assert.equal(JSON.parse(good.stdout).folds.length, 3);
  });

  test('a training corpus with an unreadable file names the file and its reason, and writes no run folder', () => {
    const corpus = join(dir, 'corpus');
    mkdirSync(corpus, { recursive: true });
    const rows = ['path,speaker,label'];
    for (let s = 0; s < 6; s++) {
      for (const [k, e] of ['happy', 'sad'].entries()) {
        const f = `s${s}-${e}.wav`;
        writeFileSync(join(corpus, f), wavFromFloat(tone(150 + 80 * k + 5 * s, 16000, 8000, 0.4), 16000));
        rows.push(`${f},spk${s},${e}`);
      }
    }
    writeFileSync(join(corpus, 's3-sad.wav'), 'RIFF----WAVEnope');
    writeFileSync(join(corpus, 'list.csv'), `${rows.join('\n')}\n`);
    const out = join(dir, 'unreadable');
    const r = cli(
      'train',
      '--corpus',
      'manifest',
      '--data',
      join(corpus, 'list.csv'),
      '--model',
      'logreg',
      '--features',
      'egemaps-ts',
      '--folds',
      '3',
      '--epochs',
      '1',
      '--workers',
      '0',
      '--out',
      out,
    );
    assert.equal(r.status, 1);
    assert.match(r.stderr, /1 file\(s\) could not be read for training:\n {2}.*s3-sad\.wav: \S/);
    assert.equal(existsSync(out), false);
  });

  test('predict and features extract finish the good files, list each bad one with its reason, and exit 1', async () => {
    const run = join(dir, 'run');
    await trainRun(syntheticRunConfig({ folds: [0], training: { epochs: 1, batchSize: 16, lr: 3e-3, threads: 1 } }), run, {
      cacheDir: cache,
      workers: 0,
    });
    const files = join(dir, 'files');
    mkdirSync(files, { recursive: true });
    const good = join(files, 'a-good.wav');
    writeFileSync(good, wavFromFloat(tone(200, 16000, 16000, 0.4), 16000));
    writeFileSync(join(files, 'b-truncated.wav'), wavFromFloat(tone(200, 16000, 16000, 0.4), 16000).subarray(0, 30));
    writeFileSync(join(files, 'c-text.flac'), 'not audio');
    const p = cli('predict', '--model', run, '--format', 'csv', files);
    assert.equal(p.status, 1);
    assert.match(p.stdout, /^path,label,neutral,happy,sad,angry\n.*a-good\.wav,/);
    assert.equal(p.stdout.trim().split('\n').length, 2, 'the good file is predicted');
    assert.match(p.stderr, /^trustser: 2 of 3 file\(s\) failed prediction:\n {2}.*b-truncated\.wav: .+\n {2}.*c-text\.flac: .+\n/);

    const out = join(dir, 'feats.safetensors');
    const f = cli('features', 'extract', '--set', 'logmel', '--in', files, '--out', out, '--no-cache', '--workers', '0');
    assert.equal(f.status, 1);
    assert.ok(existsSync(out), 'the good file is in the output');
    assert.match(
      f.stderr,
      /2 of 3 file\(s\) failed feature extraction \(the others are in the output\):\n {2}.*b-truncated\.wav: .+\n {2}.*c-text\.flac: /,
    );
  });
});
