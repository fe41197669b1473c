import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../../src/core/paths.js';
import { runDemo } from '../../src/cli/demo.js';
import { tempDir } from '../audio/helpers.js';

const root = packageRoot();
const tsx = ['--import', 'tsx', join(root, 'test', 'helpers', 'cli-entry.ts')];
function cli(...args: string[]) {
  return spawnSync(process.execPath, [...tsx, ...args], { cwd: root, encoding: 'utf8' });
}

test('--version prints the package version', () => {
  const r = cli('--version');
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout.trim(), JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).version);
});

test('--help lists the commands', () => {
  const r = cli('--help');
  assert.equal(r.status, 0, r.stderr);
  for (const c of ['demo', 'info']) assert.match(r.stdout, new RegExp(`^\\s+${c}\\b`, 'm'));
});

test('an unknown command fails with a non-zero exit code and a message', () => {
  const r = cli('no-such-command');
  assert.notEqual(r.status, 0);
  assert.match(r.stderr, /unknown command 'no-such-command'/);
});

test('info --json reports the libtorch version', () => {
  const r = cli('info', '--json');
  assert.equal(r.status, 0, r.stderr);
  const info = JSON.parse(r.stdout);
  assert.match(info.libtorch, /^\d+\.\d+/);
  assert.ok(info.threads >= 1);
});

test('the demo trains on held-out speakers and predicts files (synthesized corpus)', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const r = await runDemo({ data: null, out: join(dir, 'demo'), epochs: 40 });
    assert.equal(r.corpus, 'synthetic');
    // Chance is 25 %; the synthetic classes differ in F0, level and tilt, so a working pipeline separates them.
    assert.ok(r.metrics.ua.mean > 0.6, `UA ${r.metrics.ua.mean}`);
    assert.equal(r.predictions.length, 4);
    for (const p of r.predictions) assert.ok(r.metrics.classes.includes(p.label) && r.metrics.classes.includes(p.truth));
  } finally {
    cleanup();
  }
});

test('a missing libtorch is reported in one line naming the fix', () => {
  const r = spawnSync(process.execPath, [join(root, 'native', 'torch-paths.cjs'), 'check'], {
    encoding: 'utf8',
    env: { ...process.env, LIBTORCH: '/nonexistent/libtorch' },
  });
  assert.equal(r.status, 1);
  const lines = r.stderr.trim().split('\n');
  assert.equal(lines.length, 1);
  assert.match(lines[0], /libtorch-dev.*LIBTORCH|LIBTORCH.*libtorch-dev/);
});
