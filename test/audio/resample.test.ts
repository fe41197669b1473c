/**
 * Resampler quality, measured with tones: stop-band attenuation (aliasing), pass-band
 * ripple, image rejection, alignment, and exactness of lengths and DC.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RESAMPLER_PASSBAND_EDGE, resample, resampledLength } from '../../src/dsp/index.js';
import { fitSine, rms, tone } from './helpers.js';

/** The module TSDoc states ≥ 79 dB; the issue asks for ≥ 60 dB. */
const MIN_STOPBAND_ATTENUATION_DB = 79;
/** The module TSDoc states < 0.001 dB. */
const MAX_PASSBAND_RIPPLE_DB = 0.001;
/** Central part of the output used for measurements (edges hold the filter's start-up). */
const MEASURE_FROM = 0.2;
const MEASURE_TO = 0.8;

function middle(n: number): [number, number] {
  return [Math.floor(n * MEASURE_FROM), Math.floor(n * MEASURE_TO)];
}

/** Worst attenuation (dB, positive) over tones strictly above the new Nyquist frequency. */
function stopBandAttenuationDb(fromHz: number, toHz: number, stepHz: number): { worstDb: number; atHz: number } {
  const nyquist = toHz / 2;
  let worst = { worstDb: Infinity, atHz: 0 };
  for (let f = nyquist + stepHz / 2; f < fromHz / 2; f += stepHz) {
    const y = resample(tone(f, fromHz, fromHz / 2), fromHz, toHz);
    const [a, b] = middle(y.length);
    // Everything in the output is alias: compare its RMS with the input tone's (1/√2).
    const db = -20 * Math.log10(rms(y, a, b) / Math.SQRT1_2);
    if (db < worst.worstDb) worst = { worstDb: db, atHz: f };
  }
  return worst;
}

/** Largest |gain| in dB over tones from 20 Hz up to 0.9 × the lower Nyquist frequency. */
function passBandRippleDb(fromHz: number, toHz: number, tones: number): number {
  const edge = RESAMPLER_PASSBAND_EDGE * (Math.min(fromHz, toHz) / 2);
  let worst = 0;
  for (let k = 0; k < tones; k++) {
    const f = 20 + ((edge - 20) * k) / (tones - 1);
    const y = resample(tone(f, fromHz, fromHz / 2), fromHz, toHz);
    const [a, b] = middle(y.length);
    worst = Math.max(worst, Math.abs(20 * Math.log10(fitSine(y, f, toHz, a, b).amplitude)));
  }
  return worst;
}

describe('resampler quality (measured)', () => {
  it(`48 kHz → 16 kHz: tones above 8 kHz attenuated ≥ ${MIN_STOPBAND_ATTENUATION_DB} dB`, () => {
    const { worstDb, atHz } = stopBandAttenuationDb(48000, 16000, 250);
    console.log(`48k→16k worst stop-band attenuation ${worstDb.toFixed(1)} dB at ${atHz} Hz`);
    assert.ok(worstDb >= MIN_STOPBAND_ATTENUATION_DB, `${worstDb} dB at ${atHz} Hz`);
  });

  it(`48 kHz → 16 kHz: pass-band ripple up to 7.2 kHz < ${MAX_PASSBAND_RIPPLE_DB} dB`, () => {
    const ripple = passBandRippleDb(48000, 16000, 60);
    console.log(`48k→16k pass-band ripple ${ripple.toExponential(2)} dB`);
    assert.ok(ripple < MAX_PASSBAND_RIPPLE_DB, `${ripple} dB`);
  });

  it('44.1 kHz → 16 kHz: stop band and ripple', () => {
    const { worstDb, atHz } = stopBandAttenuationDb(44100, 16000, 400);
    const ripple = passBandRippleDb(44100, 16000, 25);
    console.log(`44.1k→16k worst stop-band ${worstDb.toFixed(1)} dB at ${atHz} Hz, ripple ${ripple.toExponential(2)} dB`);
    assert.ok(worstDb >= MIN_STOPBAND_ATTENUATION_DB, `${worstDb} dB at ${atHz} Hz`);
    assert.ok(ripple < MAX_PASSBAND_RIPPLE_DB, `${ripple} dB`);
  });

  it('16 kHz → 48 kHz: images of pass-band tones attenuated ≥ 79 dB, ripple small', () => {
    let worstImageDb = Infinity;
    for (const f of [100, 1000, 3000, 5000, 7000, 7200]) {
      const y = resample(tone(f, 16000, 8000), 16000, 48000);
      const [a, b] = middle(y.length);
      const { amplitude, residualRms } = fitSine(y, f, 48000, a, b);
      assert.ok(Math.abs(20 * Math.log10(amplitude)) < MAX_PASSBAND_RIPPLE_DB, `gain at ${f} Hz: ${amplitude}`);
      worstImageDb = Math.min(worstImageDb, -20 * Math.log10(residualRms / Math.SQRT1_2));
    }
    console.log(`16k→48k worst image rejection ${worstImageDb.toFixed(1)} dB`);
    assert.ok(worstImageDb >= MIN_STOPBAND_ATTENUATION_DB, `${worstImageDb} dB`);
  });
});

describe('resampler behaviour', () => {
  it('output length is ⌈n · to / from⌉', () => {
    for (const [n, from, to] of [
      [48000, 48000, 16000],
      [1001, 48000, 16000],
      [44100, 44100, 16000],
      [12345, 22050, 16000],
      [7, 8000, 16000],
      [1, 16000, 44100],
    ]) {
      const expected = Math.ceil((n * to) / from);
      assert.equal(resampledLength(n, from, to), expected);
      assert.equal(resample(new Float32Array(n), from, to).length, expected);
    }
    assert.equal(resample(new Float32Array(0), 48000, 16000).length, 0);
  });

  it('same rate returns an equal copy', () => {
    const x = tone(100, 16000, 100);
    const y = resample(x, 16000, 16000);
    assert.notEqual(y, x);
    assert.deepEqual(y, x);
  });

  it('is zero-phase: a resampled tone matches the tone sampled at the new rate', () => {
    for (const [from, to] of [
      [48000, 16000],
      [44100, 16000],
      [16000, 22050],
      [8000, 16000],
    ]) {
      const y = resample(tone(1000, from, from, 0.5, 0.3), from, to);
      const ref = tone(1000, to, y.length, 0.5, 0.3);
      const [a, b] = middle(y.length);
      let maxErr = 0;
      for (let i = a; i < b; i++) maxErr = Math.max(maxErr, Math.abs(y[i] - ref[i]));
      assert.ok(maxErr < 1e-4, `${from}→${to}: max error ${maxErr}`);
    }
  });

  it('keeps DC exactly away from the edges', () => {
    const x = new Float32Array(4800).fill(0.25);
    const y = resample(x, 48000, 16000);
    const [a, b] = middle(y.length);
    for (let i = a; i < b; i++) assert.ok(Math.abs(y[i] - 0.25) < 1e-6, `sample ${i}: ${y[i]}`);
  });

  it('handles ratios with more phases than the table holds (16 001 Hz → 16 000 Hz)', () => {
    const y = resample(tone(1000, 16001, 16001, 0.5), 16001, 16000);
    assert.equal(y.length, 16000);
    const ref = tone(1000, 16000, 16000, 0.5);
    const [a, b] = middle(y.length);
    let maxErr = 0;
    for (let i = a; i < b; i++) maxErr = Math.max(maxErr, Math.abs(y[i] - ref[i]));
    assert.ok(maxErr < 1e-4, `max error ${maxErr}`);
  });

  it('rejects non-integer or non-positive rates', () => {
    assert.throws(() => resample(new Float32Array(4), 0, 16000), RangeError);
    assert.throws(() => resample(new Float32Array(4), 16000, 22050.5), RangeError);
  });

  it('is fast enough for corpora: 60 s at 48 kHz → 16 kHz well under 5 s', () => {
    const x = tone(440, 48000, 48000 * 60, 0.5);
    const t0 = performance.now();
    resample(x, 48000, 16000);
    const ms = performance.now() - t0;
    console.log(`60 s of 48 kHz audio resampled to 16 kHz in ${ms.toFixed(0)} ms`);
    assert.ok(ms < 5000, `${ms} ms`);
  });
});
