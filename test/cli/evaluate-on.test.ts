// `trustser evaluate RUN --on TARGET`: a trained run measured on another corpus through the CLI,
// and the refusals of bad flags before any work.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { packageRoot } from '../../src/core/paths.js';
import { writeSyntheticCorpus } from '../../src/data/index.js';
import { trainRun } from '../../src/train/run.js';
import { tempDir } from '../audio/helpers.js';
import { syntheticRunConfig } from '../helpers/runs.js';

const root = packageRoot();

describe('CLI evaluate --on', () => {
  let dir = '';
  let cleanup = () => {};
  const cli = (...args: string[]) =>
    spawnSync(process.execPath, ['--import', 'tsx', join(root, 'test', 'helpers', 'cli-entry.ts'), ...args], {
      cwd: root,
      encoding: 'utf8',
      env: { ...process.env, TRUSTSER_CACHE: join(dir, 'cache') },
    });
  before(async () => {
    ({ dir, cleanup } = tempDir());
    await trainRun(syntheticRunConfig({ folds: [0] }), join(dir, 'run'), { cacheDir: join(dir, 'cache'), workers: 0 });
    const target = writeSyntheticCorpus(join(dir, 'target'), { seed: 5, speakers: 2, perClassPerSpeaker: 3 });
    const rows = target.map((u) => `${u.path},${u.labels.emotion === 'angry' ? 'anger' : u.labels.emotion},${u.speaker}`);
    writeFileSync(join(dir, 'target.csv'), ['file,emotion,actor', ...rows].join('\n'));
  });
  after(() => cleanup());

  test('a manifest with its own column and class names: metrics, chance and the evaluation file', () => {
    const r = cli(
      'evaluate',
      join(dir, 'run'),
      '--on',
      join(dir, 'target.csv'),
      '--columns',
      'path=file,label=emotion,speaker=actor',
      '--map',
      'anger=angry',
    );
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /manifest \(.*target\.csv\): 24 utterances, 4 shared classes \(chance UA 25\.0 %\)/);
    assert.match(r.stdout, /UA \d+\.\d %/);
    assert.ok(existsSync(join(dir, 'run', 'evaluations', 'manifest.json')));
    const j = cli(
      'evaluate',
      join(dir, 'run'),
      '--on',
      join(dir, 'target.csv'),
      '--columns',
      'path=file,label=emotion,speaker=actor',
      '--json',
    );
    assert.equal(j.status, 0, j.stderr);
    // Without the mapping 'anger' is unknown to the run: its 6 utterances are left out, 3 classes remain.
    const e = JSON.parse(j.stdout);
    assert.deepEqual(e.leftOut, { anger: 6 });
    assert.equal(e.metrics.n, 18);
    assert.equal(e.classes.length, 3);
  });

  test('bad flags are refused with one clear line, before anything is read or written', () => {
    const run = join(dir, 'run');
    const cases: [string[], RegExp][] = [
      [['--on', 'tess'], /^trustser: --data: the 'tess' corpus needs its folder \(--data DIR\)/],
      [['--map', 'anger'], /^trustser: option '--map <target=run,...>' argument 'anger' is invalid\. 'anger': expected target=run/],
      [['--target-norm'], /^trustser: --target-norm needs --on/],
      [['--on', join(dir, 'target.csv'), '--data', dir], /^trustser: --data: --on .* is a manifest/],
      [['--on', 'nosuchcorpus', '--data', dir], /^trustser: unknown corpus 'nosuchcorpus'/],
    ];
    for (const [args, re] of cases) {
      const r = cli('evaluate', run, ...args);
      assert.equal(r.status, 1, args.join(' '));
      assert.match(r.stderr, re, args.join(' '));
    }
  });
});
