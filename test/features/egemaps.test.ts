// egemaps-ts: API contract, feature list / docs consistency, registry, input validation,
// silence handling, determinism and the small numeric building blocks (functionals, LPC, roots).
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import {
  computeEgemaps,
  computeEgemapsLlds,
  EGEMAPS_FEATURE_NAMES,
  EGEMAPS_FEATURES,
  makeEgemapsFeatureSet,
  renderEgemapsTable,
} from '../../src/features/egemaps/index.js';
import { levinsonDurbin, polynomialRoots } from '../../src/features/egemaps/formants.js';
import {
  coefficientOfVariation,
  contourSlopes,
  countPeaks,
  percentile,
  runs,
  sma3,
  stddev,
} from '../../src/features/egemaps/functionals.js';
import { getFeatureSet, listFeatureSets } from '../../src/features/registry.js';
import { normalizePeak, vowel, whiteNoise } from '../fixtures/egemaps/synth.js';

const FS = 16000;
const DOC = new URL('../../docs/egemaps-ts.md', import.meta.url);

function testVowel(durationS = 0.6): Float32Array {
  return normalizePeak(vowel({ sampleRateHz: FS, durationS, f0Hz: 120, formantsHz: [700, 1220, 2600], bandwidthsHz: [80, 90, 120] }));
}

function value(r: { names: string[]; values: Float32Array }, name: string): number {
  const i = r.names.indexOf(name);
  assert.ok(i >= 0, `feature ${name} exists`);
  return r.values[i];
}

describe('egemaps-ts: feature list and documentation', () => {
  it('has unique names, and every feature has a unit and a definition', () => {
    assert.equal(new Set(EGEMAPS_FEATURE_NAMES).size, EGEMAPS_FEATURE_NAMES.length);
    assert.deepEqual(
      [...EGEMAPS_FEATURE_NAMES],
      EGEMAPS_FEATURES.map((f) => f.name),
    );
    for (const f of EGEMAPS_FEATURES) {
      assert.match(f.name, /^[A-Za-z0-9_.]+$/, f.name);
      assert.ok(f.unit.length > 0, `${f.name} unit`);
      assert.ok(f.definition.length > 10, `${f.name} definition`);
    }
    assert.equal(EGEMAPS_FEATURES.length, 85);
  });

  it('docs/egemaps-ts.md embeds exactly the generated feature table', () => {
    const doc = readFileSync(DOC, 'utf8');
    const m = /<!-- egemaps-table:start -->\n([\s\S]*?)\n<!-- egemaps-table:end -->/.exec(doc);
    assert.ok(m, 'doc has the table markers');
    assert.equal(m[1], renderEgemapsTable(), 'regenerate the table with renderEgemapsTable()');
    const docNames = [...m[1].matchAll(/^\| \d+ \| `([^`]+)` \|/gm)].map((x) => x[1]);
    assert.deepEqual(docNames, [...EGEMAPS_FEATURE_NAMES]);
  });
});

describe('egemaps-ts: computeEgemaps contract', () => {
  it('returns the fixed names and finite values, deterministically', () => {
    const x = testVowel();
    const a = computeEgemaps(x, FS, { strict: true });
    const b = computeEgemaps(x, FS, { strict: true });
    assert.deepEqual(a.names, [...EGEMAPS_FEATURE_NAMES]);
    assert.equal(a.values.length, a.names.length);
    for (let i = 0; i < a.values.length; i++) assert.ok(Number.isFinite(a.values[i]), `${a.names[i]} finite`);
    assert.deepEqual(a.values, b.values);
    assert.ok(value(a, 'voicedFraction') > 0.9);
  });

  it('is registered as feature set egemaps-ts returning [1, D] frames', async () => {
    assert.ok(listFeatureSets().includes('egemaps-ts'));
    const set = getFeatureSet('egemaps-ts');
    assert.equal(set.sampleRateHz, 16000);
    const out = await set.compute(testVowel(0.3));
    assert.equal(out.channels, 1);
    assert.equal(out.frames, 1);
    assert.equal(out.dims, EGEMAPS_FEATURES.length);
    assert.deepEqual(set.featureNames?.(), [...EGEMAPS_FEATURE_NAMES]);
    assert.match(set.settingsKey(), /^egemaps-ts\/v\d+\/sr=16000\//);
    const at8k = getFeatureSet('egemaps-ts', { sampleRateHz: 8000 });
    assert.equal(at8k.sampleRateHz, 8000);
    assert.notEqual(at8k.settingsKey(), set.settingsKey());
    assert.throws(() => getFeatureSet('egemaps-ts', { nMels: 40 }), /unknown option 'nMels'/);
    assert.throws(() => makeEgemapsFeatureSet(4000), /sampleRateHz/);
  });

  it('rejects short, non-finite, mistyped input and too low sample rates with clear errors', () => {
    assert.throws(() => computeEgemaps(new Float32Array(0), FS), { name: 'RangeError', message: /too short.*0\.1 s/ });
    assert.throws(() => computeEgemaps(new Float32Array(1599), FS), { name: 'RangeError', message: /too short/ });
    const bad = testVowel(0.3);
    bad[1234] = NaN;
    assert.throws(() => computeEgemaps(bad, FS), { name: 'RangeError', message: /sample 1234 is not finite/ });
    assert.throws(() => computeEgemaps([0, 1] as unknown as Float32Array, FS), { name: 'TypeError' });
    assert.throws(() => computeEgemaps(testVowel(0.3), 4000), { name: 'RangeError', message: /sampleRateHz/ });
    // Exactly the minimum length works.
    const r = computeEgemaps(testVowel(0.1), FS, { strict: true });
    assert.ok(r.values.every(Number.isFinite));
  });

  it('gives finite output with voiced features at 0 for digital silence and faint noise', () => {
    for (const x of [new Float32Array(FS), Float32Array.from(whiteNoise(FS, 1e-5, 3))]) {
      const r = computeEgemaps(x, FS, { strict: true });
      assert.ok(r.values.every(Number.isFinite));
      assert.equal(value(r, 'voicedFraction'), 0);
      for (const n of [
        'F0semitoneFrom27.5Hz_mean',
        'jitterLocal_mean',
        'shimmerLocalDb_mean',
        'HNRdB_mean',
        'F1frequencyHz_mean',
        'voicedSegmentsPerSec',
      ]) {
        assert.equal(value(r, n), 0, n);
      }
    }
    const silent = computeEgemaps(new Float32Array(FS), FS, { strict: true });
    assert.equal(value(silent, 'energyRmsDb_mean'), -100);
    assert.equal(value(silent, 'loudness_mean'), 0);
  });

  it('works at other sample rates (8, 22.05, 44.1 kHz) with consistent F0', () => {
    for (const fs of [8000, 22050, 44100]) {
      const x = normalizePeak(
        vowel({ sampleRateHz: fs, durationS: 0.5, f0Hz: 150, formantsHz: [700, 1220, 2600], bandwidthsHz: [80, 90, 120] }),
      );
      const r = computeEgemaps(x, fs, { strict: true });
      assert.ok(r.values.every(Number.isFinite), `finite at ${fs}`);
      assert.ok(Math.abs(value(r, 'F0Hz_mean') - 150) < 1.5, `F0 at ${fs}: ${value(r, 'F0Hz_mean')}`);
    }
  });

  it('exposes raw LLDs aligned to 10 ms frames', () => {
    const x = testVowel(0.5);
    const l = computeEgemapsLlds(x, FS);
    assert.equal(l.framing.hopSamples, 160);
    assert.equal(l.framing.nFft, 512);
    assert.equal(l.framing.frameCount, Math.floor(x.length / 160) + 1);
    for (const c of [l.energyDb, l.pitch.f0Hz, l.spectral.loudness, l.formantHz[0], l.mfcc[3], l.voiceQuality.jitterLocal]) {
      assert.equal(c.length, l.framing.frameCount);
    }
  });
});

describe('egemaps-ts: functionals', () => {
  it('percentiles, std and coefficient of variation', () => {
    assert.equal(percentile([1, 2, 3, 4, 5], 50), 3);
    assert.equal(percentile([10, 0], 20), 2);
    assert.equal(percentile([], 80), 0);
    assert.equal(stddev([2, 4, 4, 4, 5, 5, 7, 9]), 2);
    assert.equal(coefficientOfVariation([2, 4, 4, 4, 5, 5, 7, 9]), 0.4);
    assert.equal(coefficientOfVariation([0, 0]), 0);
  });

  it('runs, nz-smoothing and rising/falling slopes', () => {
    assert.deepEqual(runs([0, 1, 1, 0, 1]), [
      { start: 1, end: 3 },
      { start: 4, end: 5 },
    ]);
    assert.deepEqual(runs([0, 1, 1, 0, 1], 0), [
      { start: 0, end: 1 },
      { start: 3, end: 4 },
    ]);
    const s = sma3(Float32Array.from([3, 6, NaN, 1, 2, 3]));
    assert.deepEqual(Array.from(s), [4.5, 4.5, NaN, 1.5, 2, 2.5]);
    // 0 → 2 over 2 frames (10 ms each) = 100 /s rising, then 2 → 1 in one frame = 100 /s falling.
    const sl = contourSlopes([0, 1, 2, 1, NaN, 5, 5, 6], 0.01);
    assert.deepEqual(
      sl.rising.map((v) => Math.round(v)),
      [100, 50],
    );
    assert.deepEqual(
      sl.falling.map((v) => Math.round(v)),
      [100],
    );
  });

  it('counts peaks with hysteresis', () => {
    assert.equal(countPeaks([0, 1, 0, 1, 0, 1, 0], 0.5), 3);
    assert.equal(countPeaks([0, 1, 0.8, 1, 0], 0.5), 1);
    assert.equal(countPeaks([0, 0.1, 0, 0.1], 0.5), 0);
    assert.equal(countPeaks([0, 1, 2], 0.5), 1);
  });
});

describe('egemaps-ts: LPC and polynomial roots', () => {
  it('Durand–Kerner finds the roots of a known polynomial', () => {
    // (z − 0.5)(z + 0.3)(z² − 2·0.9·cos(0.7)·z + 0.81)
    const c1 = -2 * 0.9 * Math.cos(0.7);
    const quad = [1, c1, 0.81];
    const lin = [1, -0.2, -0.15]; // (z − 0.5)(z + 0.3)
    const p = [0, 0, 0, 0, 0];
    for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) p[i + j] += quad[i] * lin[j];
    const r = polynomialRoots(p);
    const found = Array.from({ length: 4 }, (_, i) => [r[2 * i], r[2 * i + 1]]).sort((a, b) => a[0] - b[0] || a[1] - b[1]);
    const expected = [
      [-0.3, 0],
      [0.5, 0],
      [0.9 * Math.cos(0.7), -0.9 * Math.sin(0.7)],
      [0.9 * Math.cos(0.7), 0.9 * Math.sin(0.7)],
    ].sort((a, b) => a[0] - b[0] || a[1] - b[1]);
    for (let i = 0; i < 4; i++) {
      assert.ok(Math.hypot(found[i][0] - expected[i][0], found[i][1] - expected[i][1]) < 1e-9, `root ${i}`);
    }
  });

  it('Levinson–Durbin recovers an AR(2) process from its exact autocorrelation', () => {
    // x[n] = 1.2·x[n−1] − 0.5·x[n−2] + e[n]: r(1) = a1·r(0)/(1 − a2), r(2) = a1·r(1) + a2·r(0).
    const a1 = 1.2;
    const a2 = -0.5;
    const r0 = 1;
    const r1 = (a1 * r0) / (1 - a2);
    const r2 = a1 * r1 + a2 * r0;
    const lpc = levinsonDurbin([r0, r1, r2], 2);
    assert.ok(lpc);
    assert.ok(Math.abs(lpc.a[1] + a1) < 1e-12 && Math.abs(lpc.a[2] + a2) < 1e-12);
    assert.equal(levinsonDurbin([0, 0, 0], 2), null);
  });
});
