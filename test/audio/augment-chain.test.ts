import assert from 'node:assert/strict';
import { test } from 'node:test';
import { augmentSignal, measureSnrDb, type AugmentSpec } from '../../src/audio/index.js';
import { makeRng } from '../../src/core/index.js';
import { tone } from './helpers.js';

const SR = 16000;
const OFF: AugmentSpec = {
  speed: { prob: 0, factor: [0.9, 1.1] },
  reverb: { prob: 0, rt60S: [0.2, 0.8] },
  noise: { prob: 0, snrDb: [5, 30], kinds: ['white'] },
  telephone: { prob: 0 },
  codec: { prob: 0, bitrateKbps: [16, 64] },
  gain: { prob: 0, db: [-12, 12] },
  silence: { prob: 0, maxS: 1 },
};

test('every step off leaves the signal as it is; a step with probability 1 always runs, within its range', async () => {
  const x = tone(300, SR, SR, 0.3);
  const none = await augmentSignal(x, SR, OFF, makeRng(1));
  assert.deepEqual(none.applied, []);
  assert.deepEqual(Array.from(none.samples), Array.from(x));
  for (let seed = 1; seed <= 5; seed++) {
    const n = await augmentSignal(x, SR, { ...OFF, noise: { prob: 1, snrDb: [10, 20], kinds: ['white', 'pink'] } }, makeRng(seed));
    assert.deepEqual(n.applied, ['noise']);
    const snr = measureSnrDb(x, n.samples);
    assert.ok(snr > 9.5 && snr < 20.5, `SNR ${snr} dB`);
    const s = await augmentSignal(x, SR, { ...OFF, speed: { prob: 1, factor: [0.9, 1.1] } }, makeRng(seed));
    assert.ok(s.samples.length >= SR / 1.1 - 2 && s.samples.length <= SR / 0.9 + 2, `${s.samples.length} samples`);
  }
});

test('the chain is reproducible from its seed and differs between seeds; babble without talkers is refused', async () => {
  const x = tone(250, SR, SR, 0.3);
  const spec: AugmentSpec = {
    ...OFF,
    speed: { prob: 0.5, factor: [0.9, 1.1] },
    noise: { prob: 1, snrDb: [5, 30], kinds: ['white'] },
    gain: { prob: 1, db: [-6, 6] },
  };
  const a = await augmentSignal(x, SR, spec, makeRng(7));
  const b = await augmentSignal(x, SR, spec, makeRng(7));
  const c = await augmentSignal(x, SR, spec, makeRng(8));
  assert.deepEqual(Array.from(a.samples), Array.from(b.samples));
  assert.notDeepEqual(Array.from(a.samples.slice(0, 100)), Array.from(c.samples.slice(0, 100)));
  await assert.rejects(
    augmentSignal(x, SR, { ...OFF, noise: { prob: 1, snrDb: [5, 5], kinds: ['babble'] } }, makeRng(1)),
    /babble noise needs other talkers/,
  );
});
