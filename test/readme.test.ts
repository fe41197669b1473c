// The README's library example runs as written: file → features → trained model → audit.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { packageRoot } from '../src/core/index.js';
import { tempDir, tone, wavFromFloat } from './audio/helpers.js';

const root = packageRoot();

/** The first ```ts block under the README heading `heading`. */
function readmeBlock(heading: string): string {
  const text = readFileSync(join(root, 'README.md'), 'utf8');
  const at = text.indexOf(`\n## ${heading}\n`);
  assert.ok(at >= 0, `README has a '## ${heading}' section`);
  const m = /```ts\n([\s\S]*?)```/.exec(text.slice(at));
  assert.ok(m, `a ts block under '## ${heading}'`);
  return m[1];
}

test("the README's library example runs as written and audits what it trained", () => {
  const { dir, cleanup } = tempDir();
  try {
    // As a user of the package would run it, with 'trustser' meaning this checkout's sources.
    const code = readmeBlock('The library').replaceAll("from 'trustser'", `from '${pathToFileURL(join(root, 'src', 'index.ts')).href}'`);
    writeFileSync(join(dir, 'example.mts'), code);
    writeFileSync(join(dir, 'clip.wav'), wavFromFloat(tone(200, 16000, 16000, 0.4), 16000));
    const tsx = pathToFileURL(join(root, 'node_modules', 'tsx', 'dist', 'loader.mjs')).href;
    const r = spawnSync(process.execPath, ['--import', tsx, 'example.mts'], {
      cwd: dir,
      encoding: 'utf8',
      env: { ...process.env, TRUSTSER_CACHE: join(dir, 'cache') },
    });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^logmel: frames at 100 frames\/s → \[1, 101, 64\]$/m);
    assert.match(r.stdout, /^UA \d+\.\d % ± \d+\.\d over 3 held-out folds$/m);
    assert.match(r.stdout, /neutral: '0\.\d\d'/);
    assert.match(r.stdout, /^audited: gender, speaker; trust\.html written$/m);
    for (const f of ['config.json', 'metrics.json', 'trust.json', 'trust.html']) assert.ok(existsSync(join(dir, 'runs', 'example', f)), f);
  } finally {
    cleanup();
  }
});
