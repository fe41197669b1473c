import { test } from 'node:test';
import assert from 'node:assert/strict';
import { deltas, withDeltas, makeFeatures, type Features } from '../../src/features/index.js';

/** [T, D] ramp: column d is slope[d]·t + d. */
function ramp(T: number, slopes: number[]): Features {
  const m = makeFeatures(T, slopes.length);
  for (let t = 0; t < T; t++) for (let d = 0; d < slopes.length; d++) m.data[t * slopes.length + d] = slopes[d] * t + d;
  return m;
}

test('deltas of a linear ramp equal its slope away from the edges', () => {
  const slopes = [1, -2.5, 0, 0.125];
  for (const n of [1, 2, 3, 4]) {
    const d = deltas(ramp(20, slopes), n);
    assert.equal(d.frames, 20);
    assert.equal(d.dims, 4);
    for (let t = n; t < 20 - n; t++) {
      for (let j = 0; j < 4; j++) assert.ok(Math.abs(d.data[t * 4 + j] - slopes[j]) < 1e-6, `n ${n} t ${t} d ${j}`);
    }
  }
});

test('edges use replicate padding (torchaudio compute_deltas)', () => {
  // N = 2, denom 10. t = 0: (1·(c1 − c0) + 2·(c2 − c0))/10 = (a + 4a)/10 = a/2.
  // t = 1: (1·(c2 − c0) + 2·(c3 − c0))/10 = (2a + 6a)/10 = 0.8a.
  const d = deltas(ramp(10, [2]), 2);
  assert.ok(Math.abs(d.data[0] - 1) < 1e-6);
  assert.ok(Math.abs(d.data[1] - 1.6) < 1e-6);
  assert.ok(Math.abs(d.data[9] - 1) < 1e-6);
  assert.ok(Math.abs(d.data[8] - 1.6) < 1e-6);
  // A single frame has zero delta.
  assert.deepEqual(Array.from(deltas(ramp(1, [3, 4])).data), [0, 0]);
});

test('withDeltas stacks [c, Δ, ΔΔ] per row', () => {
  const m = ramp(12, [1, 3]);
  const s = withDeltas(m);
  assert.equal(s.dims, 6);
  const d1 = deltas(m);
  const d2 = deltas(d1);
  for (let t = 0; t < 12; t++) {
    assert.deepEqual(Array.from(s.data.subarray(t * 6, t * 6 + 6)), [
      ...m.data.subarray(t * 2, t * 2 + 2),
      ...d1.data.subarray(t * 2, t * 2 + 2),
      ...d2.data.subarray(t * 2, t * 2 + 2),
    ]);
  }
  // ΔΔ of a ramp is 0 in the interior.
  assert.ok(Math.abs(s.data[6 * 6 + 4]) < 1e-6);
});

test('bad delta inputs give clear errors', () => {
  assert.throws(() => deltas(ramp(5, [1]), 0), /N must be a positive integer/);
  assert.throws(() => deltas(ramp(5, [1]), 1.5), /N must be a positive integer/);
  assert.throws(() => deltas({ data: new Float32Array(3), channels: 1, frames: 2, dims: 2 }), /data length 3/);
  assert.equal(deltas(makeFeatures(0, 4)).frames, 0);
});
