import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync, existsSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { nn, manualSeed, loadModule, saveModule, tensor, tidy, toRaw, fromRaw, loadPthInto } from '../../src/engine/index.js';

function model() {
  return new nn.Sequential(new nn.Conv1d(2, 4, 3), new nn.BatchNorm1d(4), nn.ReLU(), nn.Flatten(), new nn.Linear(4 * 6, 3));
}

test('a module state dict survives a safetensors round trip exactly', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'trustser-ser-'));
  try {
    manualSeed(1);
    const a = model();
    // Move the batch-norm running statistics away from their initial values.
    tidy(() =>
      a.forward(
        tensor(
          new Float32Array(2 * 2 * 8).map((_, i) => Math.sin(i)),
          [2, 2, 8],
        ),
      ),
    );
    manualSeed(2);
    const b = model();
    const path = join(dir, 'm.safetensors');
    await saveModule(a, path, { note: 'test' });
    const meta = await loadModule(b, path);
    assert.equal(meta.note, 'test');
    const sa = a.stateDict(),
      sb = b.stateDict();
    assert.deepEqual([...sa.keys()], [...sb.keys()]);
    for (const [k, t] of sa) assert.ok(t.equal(sb.get(k)!), k);
    assert.equal(sb.get('1.num_batches_tracked')!.item(), 1);
    assert.deepEqual(readdirSync(dir), ['m.safetensors']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('loading a checkpoint of another architecture names the file and key, and changes nothing', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'trustser-ser-'));
  try {
    const small = new nn.Linear(3, 2);
    const path = join(dir, 'small.safetensors');
    await saveModule(small, path);
    const big = new nn.Linear(4, 2);
    const before = big.weight.toArray();
    await assert.rejects(
      loadModule(big, path),
      (e: Error) => e.message.includes(path) && e.message.includes("'weight'") && /shape/.test(e.message),
    );
    assert.deepEqual(big.weight.toArray(), before);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a corrupt checkpoint file gives an error naming it', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'trustser-ser-'));
  try {
    const path = join(dir, 'bad.safetensors');
    writeFileSync(path, new Uint8Array([1, 2, 3]));
    await assert.rejects(loadModule(new nn.Linear(1, 1), path), (e: Error) => e.message.includes('bad.safetensors'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('saving into a missing directory fails and leaves no partial file', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'trustser-ser-'));
  try {
    const path = join(dir, 'missing', 'm.safetensors');
    await assert.rejects(saveModule(new nn.Linear(2, 2), path));
    assert.equal(existsSync(join(dir, 'missing')), false);
    assert.deepEqual(readdirSync(dir), []);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('toRaw/fromRaw keep dtype, shape and values', () => {
  tidy(() => {
    for (const dtype of ['float32', 'float64', 'int64', 'int32', 'bool'] as const) {
      const t = tensor(
        [
          [1, 0, 3],
          [4, 5, 0],
        ],
        undefined,
        dtype,
      );
      const r = toRaw(t);
      assert.equal(r.dtype, dtype);
      assert.deepEqual(r.shape, [2, 3]);
      assert.ok(fromRaw(r).equal(t), dtype);
    }
  });
});

const AASIST = join(import.meta.dirname, '..', '..', '..', 'shared', 'models', 'aasist', 'AASIST.pth');
test('loadPthInto copies published .pth weights into a module (AASIST first batch norm)', {
  skip: existsSync(AASIST) ? false : '../shared not present',
}, () => {
  const bn = new nn.BatchNorm2d(1);
  loadPthInto(bn, AASIST, { strict: false, rename: (k) => (k.startsWith('first_bn.') ? k.slice('first_bn.'.length) : null) });
  assert.equal(bn.stateDict().get('num_batches_tracked')!.item(), 106757);
  assert.notEqual(bn.runningVar!.item(), 1);
});
