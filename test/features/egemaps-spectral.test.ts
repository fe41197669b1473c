// egemaps-ts spectral, energy and temporal descriptors on signals with known properties.
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { computeEgemapsLlds } from '../../src/features/egemaps/index.js';
import { differentiate, harmonicTone, normalizePeak, onePole, whiteNoise } from '../fixtures/egemaps/synth.js';
import { egemapsLookup } from '../fixtures/egemaps/synth.js';

const FS = 16000;

const features = (x: Float32Array) => egemapsLookup(x, FS);

/** Mean of a contour over frames [from, to). */
function meanOf(v: Float32Array, from: number, to: number): number {
  let s = 0;
  for (let i = from; i < to; i++) s += v[i];
  return s / (to - from);
}

const noise = whiteNoise(FS, 1, 21);
/** Noise tilted down (two one-pole low-passes, ≈ −12 dB/octave above ~270 Hz). */
const dark = normalizePeak(onePole(onePole(noise, 0.9), 0.9));
/** Noise tilted up (two first differences, +12 dB/octave). */
const bright = normalizePeak(differentiate(differentiate(noise)));

describe('egemaps-ts spectral balance', () => {
  it('alpha ratio, Hammarberg index and slopes have the right sign on tilted (unvoiced) noise', () => {
    const d = features(dark);
    const b = features(bright);
    assert.equal(d('voicedFraction'), 0);
    assert.ok(d('alphaRatioUV_mean') < -10, `dark alpha ${d('alphaRatioUV_mean')}`);
    assert.ok(b('alphaRatioUV_mean') > 10, `bright alpha ${b('alphaRatioUV_mean')}`);
    assert.ok(d('hammarbergIndexUV_mean') > 10, `dark Hammarberg ${d('hammarbergIndexUV_mean')}`);
    assert.ok(b('hammarbergIndexUV_mean') < -10, `bright Hammarberg ${b('hammarbergIndexUV_mean')}`);
    assert.ok(d('slopeUV500to1500_mean') < 0 && b('slopeUV500to1500_mean') > 0);
    assert.ok(b('slopeUV0to500_mean') > 0);
    // MFCC 1 weights low bands positively.
    assert.ok(d('mfcc1_mean') > 0 && b('mfcc1_mean') < 0);
  });

  it('alpha ratio and Hammarberg index order voiced sounds by spectral tilt', () => {
    const steep = features(normalizePeak(harmonicTone(FS, 150, 1, 40, 2)));
    const flat = features(normalizePeak(harmonicTone(FS, 150, 1, 40, 0)));
    assert.ok(steep('voicedFraction') > 0.9 && flat('voicedFraction') > 0.9);
    assert.ok(steep('alphaRatioV_mean') < flat('alphaRatioV_mean') - 10);
    assert.ok(steep('hammarbergIndexV_mean') > flat('hammarbergIndexV_mean') + 10);
    assert.ok(steep('slopeV500to1500_mean') < flat('slopeV500to1500_mean'));
    // Flat harmonic spectrum: 27 harmonics in 1–5 kHz (1050…4950 Hz) vs 6 in 50–1000 Hz → +6.5 dB.
    assert.ok(Math.abs(flat('alphaRatioV_mean') - 10 * Math.log10(27 / 6)) < 0.2, `flat alpha ${flat('alphaRatioV_mean')}`);
    // Equal-amplitude harmonics: the strongest peaks of both Hammarberg bands are equal.
    assert.ok(Math.abs(flat('hammarbergIndexV_mean')) < 0.5, `flat Hammarberg ${flat('hammarbergIndexV_mean')}`);
  });
});

describe('egemaps-ts loudness and energy', () => {
  it('loudness scales with (power)^0.3: doubling the amplitude multiplies it by 4^0.3', () => {
    const x = normalizePeak(harmonicTone(FS, 200, 1, 20), 0.25);
    const x2 = x.map((v) => 2 * v);
    const l1 = features(x)('loudness_mean');
    const l2 = features(x2)('loudness_mean');
    assert.ok(Math.abs(l2 / l1 - 4 ** 0.3) < 1e-3, `ratio ${l2 / l1}`);
  });

  it('RMS energy of a sine reads 20·log10(A/√2) dB', () => {
    const a = 0.3;
    const x = Float32Array.from({ length: FS }, (_, i) => a * Math.sin((2 * Math.PI * 440 * i) / FS));
    const l = computeEgemapsLlds(x, FS);
    const mid = meanOf(l.energyDb, 5, l.framing.frameCount - 5);
    assert.ok(Math.abs(mid - 20 * Math.log10(a / Math.SQRT2)) < 0.1, `energy ${mid}`);
  });

  it('counts loudness peaks of a 4 Hz amplitude-modulated sound', () => {
    const x = normalizePeak(harmonicTone(FS, 150, 2, 20).map((v, i) => v * (0.05 + Math.sin((Math.PI * 4 * i) / FS) ** 2)));
    const p = features(x)('loudnessPeaksPerSec');
    assert.ok(Math.abs(p - 4) <= 0.5, `peaks/s ${p}`);
  });

  it('spectral flux is ~0 for a stationary tone and larger for noise', () => {
    const tone = features(normalizePeak(harmonicTone(FS, 200, 1, 20)))('spectralFlux_mean');
    const nz = features(normalizePeak(noise))('spectralFlux_mean');
    assert.ok(tone < 0.005, `tone flux ${tone}`);
    assert.ok(nz > 10 * tone && nz < 2, `noise flux ${nz}`);
  });
});

describe('egemaps-ts voiced/unvoiced segments', () => {
  it('measures segment rates and lengths of tone bursts separated by silence', () => {
    // 0.2 s silence, then 3 × (0.3 s tone, 0.2 s silence): duration 1.7 s.
    const burst = harmonicTone(FS, 150, 0.3, 10);
    const gap = new Float64Array(Math.round(0.2 * FS));
    const parts = [gap, burst, gap, burst, gap, burst, gap];
    const y = new Float64Array(parts.reduce((n, p) => n + p.length, 0));
    let off = 0;
    for (const p of parts) {
      y.set(p, off);
      off += p.length;
    }
    const get = features(normalizePeak(y));
    const durationS = y.length / FS;
    assert.ok(Math.abs(get('voicedSegmentsPerSec') - 3 / durationS) < 1e-6);
    assert.ok(Math.abs(get('unvoicedSegmentsPerSec') - 2 / durationS) < 1e-6);
    // Each voiced run spans the burst ± less than one 60 ms pitch window.
    assert.ok(Math.abs(get('voicedSegmentLengthMeanSec') - 0.3) < 0.06, `voiced ${get('voicedSegmentLengthMeanSec')}`);
    assert.ok(Math.abs(get('unvoicedSegmentLengthMeanSec') - 0.2) < 0.06, `unvoiced ${get('unvoicedSegmentLengthMeanSec')}`);
    assert.ok(get('voicedSegmentLengthStdSec') < 0.011 && get('unvoicedSegmentLengthStdSec') < 0.011);
    assert.ok(Math.abs(get('voicedFraction') - 0.9 / durationS) < 0.05);
  });
});
