import { test } from 'node:test';
import assert from 'node:assert/strict';
import { segmentAt, segmentCount, segmentFrames, segmentUtterances, makeFeatures, type Features } from '../../src/features/index.js';

/** [T, D] with value 100·t + d + 1 (never 0, so padding is recognisable). */
function numbered(T: number, D: number): Features {
  const m = makeFeatures(T, D);
  for (let t = 0; t < T; t++) for (let d = 0; d < D; d++) m.data[t * D + d] = 100 * t + d + 1;
  return m;
}

test('non-overlapping segments with a zero-padded last segment (seed layout)', () => {
  const s = segmentFrames(numbered(7, 2), { segmentFrames: 3 });
  assert.equal(s.count, 3); // ⌈7/3⌉
  assert.equal(s.channels, 1);
  assert.equal(s.frames, 3);
  assert.equal(s.dims, 2);
  assert.equal(s.data.length, 3 * 1 * 3 * 2);
  assert.deepEqual(Array.from(s.startFrame), [0, 3, 6]);
  assert.deepEqual(Array.from(s.validFrames), [3, 3, 1]);
  assert.deepEqual(Array.from(segmentAt(s, 1).data), [301, 302, 401, 402, 501, 502]);
  assert.deepEqual(Array.from(segmentAt(s, 2).data), [601, 602, 0, 0, 0, 0]);
  assert.deepEqual(Array.from(s.segmentsPerUtterance), [3]);
  assert.deepEqual(Array.from(s.utterance), [0, 0, 0]);
});

test('an utterance shorter than one segment gives one padded segment; exact multiples are not padded', () => {
  const short = segmentFrames(numbered(2, 1), { segmentFrames: 5 });
  assert.equal(short.count, 1);
  assert.deepEqual(Array.from(short.data), [1, 101, 0, 0, 0]);
  const exact = segmentFrames(numbered(6, 1), { segmentFrames: 3 });
  assert.equal(exact.count, 2);
  assert.deepEqual(Array.from(exact.validFrames), [3, 3]);
  assert.equal(segmentFrames(makeFeatures(0, 4), { segmentFrames: 3 }).count, 0);
});

test('overlapping segments (hop < S) and padLast: false', () => {
  const s = segmentFrames(numbered(11, 1), { segmentFrames: 4, hopFrames: 2 });
  assert.equal(s.count, segmentCount(11, { segmentFrames: 4, hopFrames: 2 }));
  assert.deepEqual(Array.from(s.startFrame), [0, 2, 4, 6, 8]);
  assert.deepEqual(Array.from(s.validFrames), [4, 4, 4, 4, 3]);
  assert.deepEqual(Array.from(segmentAt(s, 4).data), [801, 901, 1001, 0]);
  const full = segmentFrames(numbered(11, 1), { segmentFrames: 4, hopFrames: 2, padLast: false });
  assert.deepEqual(Array.from(full.startFrame), [0, 2, 4, 6]);
  assert.equal(segmentFrames(numbered(3, 1), { segmentFrames: 4, padLast: false }).count, 0);
});

test('several [C, T, D] utterances: [N, C, S, D] layout and utterance ↔ segment mapping', () => {
  const mk = (T: number, base: number) => {
    const data = new Float32Array(2 * T * 3);
    for (let c = 0; c < 2; c++)
      for (let t = 0; t < T; t++) for (let d = 0; d < 3; d++) data[(c * T + t) * 3 + d] = base + 1000 * c + 10 * t + d;
    return { channels: 2, frames: T, dims: 3, data };
  };
  const s = segmentUtterances([mk(5, 1), mk(2, 50000), mk(9, 90000)], { segmentFrames: 4 });
  assert.deepEqual(Array.from(s.segmentsPerUtterance), [2, 1, 3]);
  assert.deepEqual(Array.from(s.firstSegment), [0, 2, 3, 6]);
  assert.deepEqual(Array.from(s.utterance), [0, 0, 1, 2, 2, 2]);
  assert.equal(s.count, 6);
  assert.equal(s.data.length, 6 * 2 * 4 * 3);
  // Segment 1 = utterance 0 frames 4..7 (only frame 4 real), channel 1 starts at 1001 + 40.
  const seg1 = segmentAt(s, 1);
  assert.equal(seg1.channels, 2);
  assert.deepEqual(Array.from(seg1.data.subarray(0, 6)), [41, 42, 43, 0, 0, 0]);
  assert.deepEqual(Array.from(seg1.data.subarray(12, 18)), [1041, 1042, 1043, 0, 0, 0]);
  // Segment 4 = utterance 2 frames 4..7.
  assert.equal(segmentAt(s, 4).data[0], 90000 + 40);
});

test('bad segmenting inputs give clear errors', () => {
  assert.throws(() => segmentFrames(numbered(4, 1), { segmentFrames: 0 }), /segmentFrames must be a positive integer/);
  assert.throws(() => segmentFrames(numbered(4, 1), { segmentFrames: 2, hopFrames: -1 }), /hopFrames must be a positive integer/);
  assert.throws(() => segmentFrames({ data: new Float32Array(5), channels: 1, frames: 2, dims: 2 }), /data length 5/);
  assert.throws(
    () => segmentUtterances([numbered(4, 1), numbered(4, 2)], { segmentFrames: 2 }),
    /utterance 1 has 1 channels × 2 dims, expected 1 × 1/,
  );
  assert.throws(() => segmentAt(segmentFrames(numbered(4, 1), { segmentFrames: 2 }), 2), /outside \[0, 2\)/);
});
