import assert from 'node:assert/strict';
import { test } from 'node:test';
import { getFeatureSet } from '../../src/features/index.js';
import { makeRng } from '../../src/core/index.js';
import { tone } from '../audio/helpers.js';

const SR = 16000;

test("fused sets ('a+b') concatenate the parts' vectors; part options are spelled part.option", async () => {
  const x = tone(200, SR, SR, 0.3);
  const fused = getFeatureSet('egemaps-ts+mel-functionals', { 'mel-functionals.activityDb': 30 });
  const a = await getFeatureSet('egemaps-ts').compute(x);
  const b = await getFeatureSet('mel-functionals', { activityDb: 30 }).compute(x);
  const f = await fused.compute(x);
  assert.equal(fused.kind, 'vector');
  assert.deepEqual(Array.from(f.data), [...a.data, ...b.data]);
  assert.equal(fused.featureNames!().length, f.dims);
  assert.notEqual(fused.settingsKey(), getFeatureSet('egemaps-ts+mel-functionals').settingsKey());
  assert.throws(() => getFeatureSet('egemaps-ts+logmel'), /only utterance-vector sets can be fused, 'logmel' gives frames/);
  assert.throws(() => getFeatureSet('egemaps-ts+mel-functionals', { activityDb: 30 }), /fused sets take options as 'part.option'/);
  assert.throws(
    () => getFeatureSet('egemaps-ts+mel-functionalz'),
    /unknown feature set 'mel-functionalz' \(did you mean 'mel-functionals'/,
  );
});

test('vad: a set computed on the speech region only is independent of the silence around it', async () => {
  const speech = tone(220, SR, SR, 0.3);
  const padded = new Float32Array(3 * SR);
  padded.set(speech, SR); // 1 s of digital silence before and after
  const plain = getFeatureSet('mel-functionals');
  const trimmed = getFeatureSet('mel-functionals', { vad: 'energy' });
  assert.notEqual(trimmed.settingsKey(), plain.settingsKey());
  assert.equal(getFeatureSet('mel-functionals', { vad: 'none' }).settingsKey(), plain.settingsKey());
  const frames = getFeatureSet('logmel', { vad: 'energy' });
  const f = await frames.compute(padded);
  const g = await getFeatureSet('logmel').compute(padded);
  assert.ok(f.frames < g.frames / 2 && f.frames >= 100, `${f.frames} of ${g.frames} frames kept`);
  // A silent signal has no speech region: it is used whole rather than emptied.
  assert.equal((await frames.compute(new Float32Array(SR))).frames, (await getFeatureSet('logmel').compute(new Float32Array(SR))).frames);
  assert.throws(() => getFeatureSet('logmel', { vad: 'webrtc' }), /option 'vad' must be one of none, energy, silero/);
});

test('utteranceNorm: each dim centred (and scaled) over the utterance; frame sets only', async () => {
  // A tone in noise: every mel band has energy well above the log floor.
  const rng = makeRng(1);
  const x = tone(300, SR, SR, 0.3).map((v) => v + 0.05 * rng.normal());
  const plain = await getFeatureSet('logmel').compute(x);
  const mean = await getFeatureSet('logmel', { utteranceNorm: 'mean' }).compute(x);
  const mv = await getFeatureSet('logmel', { utteranceNorm: 'mean-var' }).compute(x);
  for (const d of [0, 10, 63]) {
    const col = (f: typeof plain) => Array.from({ length: f.frames }, (_, t) => f.data[t * f.dims + d]);
    const avg = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length;
    assert.ok(Math.abs(avg(col(mean))) < 1e-3);
    assert.ok(Math.abs(col(mean)[5] - (col(plain)[5] - avg(col(plain)))) < 1e-3);
    const sd = Math.sqrt(avg(col(mv).map((v) => v * v)));
    assert.ok(Math.abs(sd - 1) < 1e-3 || sd < 1e-3, `dim ${d}: std ${sd}`);
  }
  // A gain change is a constant offset of log-mel: mean normalization removes it.
  const louder = await getFeatureSet('logmel', { utteranceNorm: 'mean' }).compute(x.map((v) => v * 4));
  assert.ok(louder.data.every((v, i) => Math.abs(v - mean.data[i]) < 1e-2));
  assert.throws(() => getFeatureSet('egemaps-ts', { utteranceNorm: 'mean' }), /utteranceNorm applies to frame features/);
  assert.throws(() => getFeatureSet('logmel', { utteranceNorm: 'yes' }), /option 'utteranceNorm' must be one of none, mean, mean-var/);
});
