import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkBlock, makeBatch, windowsOf } from '../../src/runtime/inputs.js';
import type { Sidecar } from '../../src/runtime/sidecar.js';

/** The parts of a sidecar the batching reads. */
function sidecar(input: Partial<Sidecar['input']>): Sidecar {
  return {
    input: { minFrames: 1, lengths: true, normalization: 'in-graph', ...input },
    features: { maxFrames: 100 },
  } as unknown as Sidecar;
}

test('windows step by the hop and the last one ends at the signal end', () => {
  // 32 samples, windows of 10 every 5: starts 0, 5, 10, 15 (15 + 10 < 32), 20 (30 < 32), then 22 aligned to the end.
  assert.deepEqual(
    windowsOf(32, 10, 5).map((w) => [w.start, w.end]),
    [
      [0, 10],
      [5, 15],
      [10, 20],
      [15, 25],
      [20, 30],
      [22, 32],
    ],
  );
  assert.deepEqual(windowsOf(10, 10, 5), [{ start: 0, end: 10 }]);
  assert.deepEqual(windowsOf(7, 10, 5), [{ start: 0, end: 7 }]);
  assert.deepEqual(
    windowsOf(20, 10, 10).map((w) => w.start),
    [0, 10],
  );
});

test('frame batches are zero-padded to the longest block with its lengths', () => {
  const s = sidecar({ kind: 'frames', features: ['batch', 'time', 2] });
  const b = makeBatch(s, [
    { channels: 1, frames: 2, dims: 2, data: Float32Array.from([1, 2, 3, 4]) },
    { channels: 1, frames: 3, dims: 2, data: Float32Array.from([5, 6, 7, 8, 9, 10]) },
  ]);
  assert.deepEqual(b.dims, [2, 3, 2]);
  assert.deepEqual(Array.from(b.features), [1, 2, 3, 4, 0, 0, 5, 6, 7, 8, 9, 10]);
  assert.deepEqual(Array.from(b.lengths!), [2n, 3n]);
});

test('image batches hold each utterance’s segments, the last zero-padded', () => {
  // One channel, D = 1, segments of 2 frames every 2: 5 frames → 3 segments [1,2] [3,4] [5,0]; 2 frames → 1 segment.
  const s = sidecar({ kind: 'image', features: ['batch', 'segments', 1, 2, 1], segment: { frames: 2, hop: 2 } });
  const b = makeBatch(s, [
    { channels: 1, frames: 5, dims: 1, data: Float32Array.from([1, 2, 3, 4, 5]) },
    { channels: 1, frames: 2, dims: 1, data: Float32Array.from([6, 7]) },
  ]);
  assert.deepEqual(b.dims, [2, 3, 1, 2, 1]);
  assert.deepEqual(Array.from(b.features), [1, 2, 3, 4, 5, 0, 6, 7, 0, 0, 0, 0]);
  assert.deepEqual(Array.from(b.lengths!), [5n, 2n]);
});

test('blocks of the wrong width, channels or length are refused by name', () => {
  const s = sidecar({ kind: 'frames', features: ['batch', 'time', 4], minFrames: 8 });
  assert.throws(
    () => checkBlock(s, { channels: 1, frames: 10, dims: 3, data: new Float32Array(30) }, 'a.wav'),
    /^Error: a\.wav: features are \[1 × 10 × 3\], the model takes 1 channel\(s\) of 4 dims$/,
  );
  assert.throws(
    () => checkBlock(s, { channels: 1, frames: 5, dims: 4, data: new Float32Array(20) }, 'b.wav'),
    /b\.wav: 5 feature frames, the model needs ≥ 8; the audio is too short/,
  );
  const v = sidecar({ kind: 'vector', features: ['batch', 4], lengths: false });
  assert.throws(
    () => checkBlock(v, { channels: 1, frames: 3, dims: 4, data: new Float32Array(12) }, 'c.wav'),
    /c\.wav: the model takes one feature vector per utterance, got 3 frames/,
  );
  const l = sidecar({ kind: 'layers', features: ['batch', 2, 'time', 4] });
  assert.throws(
    () => checkBlock(l, { channels: 3, frames: 5, dims: 4, data: new Float32Array(60) }, 'd.wav'),
    /^Error: d\.wav: features are \[3 × 5 × 4\], the model takes 2 channel\(s\) of 4 dims$/,
  );
});

test('backbone layers are batched [N, L, T, D], each layer of each utterance zero-padded to the longest', () => {
  const s = sidecar({ kind: 'layers', features: ['batch', 2, 'time', 1] });
  const b = makeBatch(s, [
    { channels: 2, frames: 3, dims: 1, data: Float32Array.from([1, 2, 3, 4, 5, 6]) },
    { channels: 2, frames: 1, dims: 1, data: Float32Array.from([7, 8]) },
  ]);
  assert.deepEqual(b.dims, [2, 2, 3, 1]);
  assert.deepEqual(Array.from(b.features), [1, 2, 3, 4, 5, 6, 7, 0, 0, 8, 0, 0]);
  assert.deepEqual(Array.from(b.lengths!), [3n, 1n]);
});
