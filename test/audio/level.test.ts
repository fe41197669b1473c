// Active speech level and level normalization (src/audio/level.ts), and the levelNorm option of
// every feature set.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { activeLevelDbfs, normalizeActiveLevel, TARGET_ACTIVE_LEVEL_DBFS } from '../../src/audio/pure.js';
import { getFeatureSet } from '../../src/features/index.js';
import { tone } from './helpers.js';

const RATE = 16000;

test('the active level of a tone is its RMS in dBFS; pauses do not lower it', () => {
  const x = tone(200, RATE, RATE, 0.5);
  const rmsDb = 20 * Math.log10(0.5 / Math.SQRT2);
  assert.ok(Math.abs(activeLevelDbfs(x, RATE) - rmsDb) < 0.05, `${activeLevelDbfs(x, RATE)} vs ${rmsDb}`);
  const withPause = new Float32Array(3 * RATE);
  withPause.set(x, RATE);
  assert.ok(Math.abs(activeLevelDbfs(withPause, RATE) - rmsDb) < 0.1, 'two seconds of silence around it change nothing');
  assert.equal(activeLevelDbfs(new Float32Array(RATE), RATE), Number.NEGATIVE_INFINITY);
});

test('normalization brings any level to the target and leaves digital silence alone', () => {
  for (const amp of [0.001, 0.05, 0.9]) {
    const y = normalizeActiveLevel(tone(300, RATE, RATE, amp), RATE);
    assert.ok(Math.abs(activeLevelDbfs(y, RATE) - TARGET_ACTIVE_LEVEL_DBFS) < 1e-3, `amplitude ${amp}`);
  }
  const silence = new Float32Array(100);
  const out = normalizeActiveLevel(silence, RATE);
  assert.deepEqual(out, silence);
  assert.notEqual(out, silence, 'a new array');
});

test('levelNorm makes features independent of the recording level; a bad value is refused', async () => {
  const x = tone(180, RATE, RATE, 0.3).map((v, i) => v * (1 + 0.5 * Math.sin(i / 900)));
  const quiet = x.map((v) => v * 0.01);
  const plain = getFeatureSet('logmel');
  const norm = getFeatureSet('logmel', { levelNorm: 'active-rms' });
  assert.notEqual(norm.settingsKey(), plain.settingsKey());
  assert.equal(norm.options.levelNorm, 'active-rms');
  const [a, b] = [await norm.compute(x), await norm.compute(quiet)];
  let worst = 0;
  for (let i = 0; i < a.data.length; i++) worst = Math.max(worst, Math.abs(a.data[i] - b.data[i]));
  assert.ok(worst < 1e-3, `log-mel differs by ${worst} between levels 40 dB apart`);
  const [c, d] = [await plain.compute(x), await plain.compute(quiet)];
  assert.ok(Math.abs(c.data[0] - d.data[0]) > 1, 'without it the level shows');
  assert.throws(() => getFeatureSet('logmel', { levelNorm: 'peak' }), /option 'levelNorm' must be one of none, active-rms, got "peak"/);
  assert.equal(getFeatureSet('egemaps-mel+speech-embedding-stats', { levelNorm: 'active-rms' }).options.levelNorm, 'active-rms');
});

test('dcRemoval makes features independent of a constant offset, before the VAD and the level see the signal', async () => {
  const x = tone(180, RATE, RATE, 0.3).map((v, i) => v * (1 + 0.5 * Math.sin(i / 900)));
  const shifted = x.map((v) => v + 0.05);
  const plain = getFeatureSet('logmel');
  const centred = getFeatureSet('logmel', { dcRemoval: 'mean' });
  assert.notEqual(centred.settingsKey(), plain.settingsKey());
  assert.equal(centred.options.dcRemoval, 'mean');
  const gap = async (s: typeof plain) => {
    const [a, b] = [await s.compute(x), await s.compute(shifted)];
    let worst = 0;
    for (let i = 0; i < a.data.length; i++) worst = Math.max(worst, Math.abs(a.data[i] - b.data[i]));
    return worst;
  };
  assert.ok((await gap(centred)) < 1e-3, 'centred: the offset does not show');
  assert.ok((await gap(plain)) > 1, 'without it the offset moves the lowest bins');
  // With the level normalization after it, the offset does not inflate the measured level either.
  assert.ok((await gap(getFeatureSet('logmel', { dcRemoval: 'mean', levelNorm: 'active-rms' }))) < 1e-3);
  assert.throws(() => getFeatureSet('logmel', { dcRemoval: 'highpass' }), /option 'dcRemoval' must be one of none, mean, got "highpass"/);
  assert.equal(getFeatureSet('egemaps-mel+speech-embedding-stats', { dcRemoval: 'mean' }).options.dcRemoval, 'mean');
});
