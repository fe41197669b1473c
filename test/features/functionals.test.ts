import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  activeFrames,
  DEFAULT_ACTIVITY_DB,
  EGEMAPS_MEL_SET,
  frameFunctionals,
  FUNCTIONAL_NAMES,
  MEL_FUNCTIONALS_SET,
} from '../../src/features/functionals.js';
import { getFeatureSet, type Features } from '../../src/features/index.js';
import { EGEMAPS_FEATURE_NAMES } from '../../src/features/egemaps/index.js';
import { tone } from '../audio/helpers.js';

const SR = 16000;

test('frameFunctionals: mean, std, percentiles and slope of each dim over the chosen rows', () => {
  // dim 0 rises 2 per frame; dim 1 is constant 5; row 4 is left out.
  const m: Features = { channels: 1, frames: 5, dims: 2, data: Float32Array.from([0, 5, 2, 5, 4, 5, 6, 5, 100, 5]) };
  const f = frameFunctionals(m, [0, 1, 2, 3], 100);
  const k = FUNCTIONAL_NAMES.length;
  assert.equal(f.length, 2 * k);
  const d0 = Array.from(f.subarray(0, k));
  // values 0, 2, 4, 6: mean 3, population std √5, p10 = 0.6, p50 = 3, p90 = 5.4, slope 2 per frame = 200 per second
  const want = [3, Math.sqrt(5), 0.6, 3, 5.4, 200];
  d0.forEach((v, i) => assert.ok(Math.abs(v - want[i]) < 1e-4, `${FUNCTIONAL_NAMES[i]}: ${v} vs ${want[i]}`));
  assert.deepEqual(Array.from(f.subarray(k)), [5, 0, 5, 5, 5, 0]);
});

test('activeFrames leaves out frames far below the loudest one', () => {
  const lm: Features = {
    channels: 1,
    frames: 4,
    dims: 1,
    data: Float32Array.from([Math.log(1), Math.log(1e-3), Math.log(1e-5), Math.log(0.5)]),
  };
  assert.deepEqual(activeFrames(lm, 40), [0, 1, 3]); // 1e-5 is 50 dB down
  assert.deepEqual(activeFrames(lm, 20), [0, 1, 2, 3], 'fewer than MIN_ACTIVE_FRAMES active: every frame');
});

test('mel-functionals ignore leading silence: padding a tone with silence barely changes them', () => {
  const set = getFeatureSet(MEL_FUNCTIONALS_SET);
  const x = tone(220, SR, SR, 0.3);
  const padded = new Float32Array(2 * SR);
  padded.set(x, SR);
  const a = set.compute(x) as Features,
    b = set.compute(padded) as Features;
  const names = set.featureNames!();
  assert.equal(a.dims, names.length);
  assert.equal(a.dims, (64 + 3 * 40) * FUNCTIONAL_NAMES.length);
  const mean0 = names.indexOf('logmel10_mean');
  assert.ok(Math.abs(a.data[mean0] - b.data[mean0]) < 0.5, `${a.data[mean0]} vs ${b.data[mean0]}`);
  // Without the activity gate the silent second would pull the mean down by tens of nats.
  const ungated = getFeatureSet(MEL_FUNCTIONALS_SET, { activityDb: 1000 }).compute(padded) as Features;
  assert.ok(a.data[mean0] - ungated.data[mean0] > 3, `${a.data[mean0]} vs ungated ${ungated.data[mean0]}`);
});

test('mel-functionals summarize exactly the registered logmel and mfcc-delta sets', () => {
  const x = tone(180, SR, SR, 0.3);
  const lm = getFeatureSet('logmel').compute(x) as Features;
  const mf = getFeatureSet('mfcc-delta').compute(x) as Features;
  const rows = activeFrames(lm, DEFAULT_ACTIVITY_DB);
  const want = [...frameFunctionals(lm, rows, 100), ...frameFunctionals(mf, rows, 100)];
  assert.deepEqual(Array.from((getFeatureSet(MEL_FUNCTIONALS_SET).compute(x) as Features).data), want);
});

test('egemaps-mel is egemaps-ts followed by mel-functionals, with names and a settings key', async () => {
  const x = tone(180, SR, SR, 0.3);
  const fused = getFeatureSet(EGEMAPS_MEL_SET);
  const f = await fused.compute(x);
  const mel = await getFeatureSet(MEL_FUNCTIONALS_SET).compute(x);
  const ege = await getFeatureSet('egemaps-ts').compute(x);
  assert.equal(f.dims, ege.dims + mel.dims);
  assert.deepEqual(Array.from(f.data), [...ege.data, ...mel.data]);
  assert.deepEqual(fused.featureNames!().slice(0, EGEMAPS_FEATURE_NAMES.length), EGEMAPS_FEATURE_NAMES);
  assert.ok(f.data.every(Number.isFinite));
  assert.notEqual(getFeatureSet(EGEMAPS_MEL_SET, { activityDb: 30 }).settingsKey(), fused.settingsKey());
});

test('bad options of the functional sets name the option', () => {
  assert.throws(
    () => getFeatureSet(MEL_FUNCTIONALS_SET, { nMels: 40 }),
    /mel-functionals': unknown option 'nMels' \(accepted: activityDb, sampleRateHz\)/,
  );
  assert.throws(() => getFeatureSet(EGEMAPS_MEL_SET, { activityDb: -3 }), /egemaps-mel': option 'activityDb' must be a positive number/);
});
