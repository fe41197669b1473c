import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { removeStaleTemps, writeFileAtomicSync } from '../../src/core/index.js';
import { tempDir } from '../audio/helpers.js';

/** A process id that no process has (above Linux's pid_max ceiling of 2^22). */
const DEAD_PID = 2 ** 22 + 5;
const HOST = createHash('sha256').update(hostname()).digest('hex').slice(0, 8);
const OTHER_HOST = HOST === '00000000' ? '11111111' : '00000000';

test('removeStaleTemps removes dead writes of this host only: another host’s write may be alive', () => {
  const { dir, cleanup } = tempDir();
  try {
    const mine = `.a.json.${HOST}.${DEAD_PID}.0123456789ab.tmp`;
    const untagged = `.b.json.${DEAD_PID}.0123456789ab.tmp`;
    const otherHost = `.c.json.${OTHER_HOST}.${DEAD_PID}.0123456789ab.tmp`;
    const live = `.d.json.${HOST}.${process.pid}.0123456789ab.tmp`;
    for (const f of [mine, untagged, otherHost, live, 'keep.json']) writeFileSync(join(dir, f), 'x');
    const removed = removeStaleTemps(dir).map((p) => p.slice(dir.length + 1));
    assert.deepEqual(removed.sort(), [mine, untagged].sort());
    assert.deepEqual(readdirSync(dir).sort(), [otherHost, live, 'keep.json'].sort());
  } finally {
    cleanup();
  }
});

test('an atomic write leaves only the target, its temporary name tagged with this host', () => {
  const { dir, cleanup } = tempDir();
  try {
    writeFileAtomicSync(join(dir, 'out.json'), '{"a":1}');
    assert.deepEqual(readdirSync(dir), ['out.json']);
    assert.equal(readFileSync(join(dir, 'out.json'), 'utf8'), '{"a":1}');
  } finally {
    cleanup();
  }
});
