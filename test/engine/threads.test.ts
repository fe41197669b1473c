// The addon in several Node environments at once: the main thread and worker threads each load it
// (the service's analysis workers and the feature workers do), and tensors keep working in every
// one of them afterwards (the Tensor class is kept per environment, not per process).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { Piscina } from 'piscina';
import { packageRoot } from '../../src/core/paths.js';
import { tensor } from '../../src/engine/index.js';

test('tensors work on the main thread after worker threads have loaded the addon, and in the workers', async () => {
  assert.deepEqual(Array.from(tensor([1, 2, 3]).toArray() as Float32Array), [1, 2, 3]);
  const pool = new Piscina({
    filename: join(packageRoot(), 'test', 'helpers', 'engine-worker.ts'),
    execArgv: process.execArgv,
    minThreads: 2,
    maxThreads: 2,
  });
  try {
    assert.deepEqual(await Promise.all([pool.run([4, 5]), pool.run([6])]), [[4, 5], [6]]);
  } finally {
    await pool.destroy();
  }
  // The workers loaded the addon after this thread and are gone: this thread's tensors still work.
  const after = tensor([
    [1, 2],
    [3, 4],
  ]);
  assert.deepEqual(after.shape, [2, 2]);
  assert.deepEqual(Array.from(after.toArray() as Float32Array), [1, 2, 3, 4]);
});
