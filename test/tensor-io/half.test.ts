import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { readTensorFile, toStateDict } from '../../src/tensor-io/index.js';
import { widenHalf } from '../../src/tensor-io/raw.js';

const FIXTURES = fileURLToPath(new URL('../fixtures/pth/', import.meta.url));
// As torch reads the fixture script's values back (float16 and bfloat16 round them).
const HALF = [1.0, -2.5, 65504.0, 2 ** -24, -0.0, Infinity, 0.333251953125];
const BFLOAT = [1.0, -2.5, 3.00405527047391e38, 9.183549615799121e-41, -0.0, Infinity, 0.333984375];

function assertValues(got: Float32Array, want: number[]): void {
  assert.equal(got.length, want.length);
  want.forEach((v, i) => assert.ok(Object.is(got[i], Math.fround(v)), `element ${i}: ${got[i]} vs ${v}`));
}

test('half precision: float16 and bfloat16 tensors of a .pth and a safetensors file are read exactly, as float32', () => {
  const pth = readTensorFile(`${FIXTURES}half.pth`);
  assert.equal(pth.format, 'pth');
  const dict = toStateDict(pth.format === 'pth' ? pth.object : null, 'half.pth');
  for (const [name, want] of [
    ['h', HALF],
    ['b', BFLOAT],
  ] as const) {
    const t = dict.get(name)!;
    assert.equal(t.dtype, 'float32');
    assertValues(t.data as Float32Array, want);
  }
  // A strided view of a half storage: columns 1–2 of arange(8).view(2, 4).
  assert.deepEqual(dict.get('view')!.shape, [2, 2]);
  assertValues(dict.get('view')!.data as Float32Array, [1, 2, 5, 6]);
  const st = readTensorFile(`${FIXTURES}half.safetensors`);
  assert.equal(st.format, 'safetensors');
  if (st.format !== 'safetensors') return;
  assertValues(st.tensors.get('h')!.data as Float32Array, HALF);
  assertValues(st.tensors.get('b')!.data as Float32Array, BFLOAT);
});

test('half precision: NaN and subnormals widen exactly; an odd byte count is refused', () => {
  const bytes = new Uint8Array([0x00, 0x7e, 0x01, 0x00, 0xff, 0x83]); // NaN, smallest subnormal, −(1023/1024)·2⁻¹⁴
  const out = widenHalf('float16', bytes);
  assert.ok(Number.isNaN(out[0]));
  assert.equal(out[1], 2 ** -24);
  assert.equal(out[2], -1023 * 2 ** -24);
  assert.throws(() => widenHalf('bfloat16', new Uint8Array(3)), /3 bytes is not a whole number of bfloat16 elements/);
});
