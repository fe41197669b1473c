import assert from 'node:assert/strict';
import { test } from 'node:test';
import { makeRng } from '../../src/core/index.js';
import { specAugment, type Features } from '../../src/features/index.js';

test('SpecAugment zeroes whole bands of dims and runs of frames in every channel, within the widths, reproducibly', () => {
  const f: Features = { channels: 2, frames: 50, dims: 20, data: new Float32Array(2 * 50 * 20).fill(1) };
  const o = { freqMasks: 1, maxFreqWidth: 5, timeMasks: 1, maxTimeWidth: 10 };
  const a = specAugment(f, o, makeRng(3));
  assert.deepEqual(Array.from(a.data), Array.from(specAugment(f, o, makeRng(3)).data));
  assert.ok(
    f.data.every((v) => v === 1),
    'the input is not modified',
  );
  const zeroDims = [...Array(20).keys()].filter((d) => [...Array(50).keys()].every((t) => a.data[t * 20 + d] === 0));
  const zeroFrames = [...Array(50).keys()].filter((t) => [...Array(20).keys()].every((d) => a.data[t * 20 + d] === 0));
  assert.ok(zeroDims.length <= 5 && zeroFrames.length <= 10);
  // The second channel is masked the same way.
  for (let i = 0; i < 1000; i++) assert.equal(a.data[i], a.data[1000 + i]);
  // Over many draws both kinds of mask occur.
  let freq = 0,
    time = 0;
  for (let s = 0; s < 50; s++) {
    const b = specAugment(f, o, makeRng(s));
    if ([...Array(20).keys()].some((d) => [...Array(50).keys()].every((t) => b.data[t * 20 + d] === 0))) freq++;
    if ([...Array(50).keys()].some((t) => [...Array(20).keys()].every((d) => b.data[t * 20 + d] === 0))) time++;
  }
  assert.ok(freq > 30 && time > 30, `${freq} frequency and ${time} time masks in 50 draws`);
});
