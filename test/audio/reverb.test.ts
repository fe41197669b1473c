/**
 * Synthetic reverberation: the RIR's measured RT60 (Schroeder integration, T20/T30) matches
 * the requested one, convolution is correct, and the output is reproducible.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { measureRt60, meanPower, reverberate, syntheticRir } from '../../src/audio/index.js';
import { makeRng } from '../../src/core/index.js';
import { convolve } from '../../src/dsp/convolve.js';
import { tone } from './helpers.js';

const RT60_TOLERANCE = 0.1; // relative, as the issue asks
const DOCUMENTED_RT60_ERROR = 0.01; // relative, as syntheticRir's TSDoc states
const RT60S = [0.1, 0.2, 0.3, 0.5, 0.8, 1.2, 2.0];
const SEEDS = [1, 2, 3, 4, 5];

describe('synthetic RIR', () => {
  for (const fs of [16000, 48000]) {
    it(`measured T20 and T30 within 10 % of the requested RT60 at ${fs} Hz`, () => {
      let worst = 0;
      for (const rt60 of RT60S) {
        for (const seed of SEEDS) {
          const rir = syntheticRir(fs, rt60, makeRng(seed));
          assert.equal(rir.length, Math.ceil(1.5 * rt60 * fs));
          assert.ok(Math.abs(meanPower(rir) * rir.length - 1) < 1e-5, 'unit energy');
          const { t20S, t30S } = measureRt60(rir, fs);
          for (const [name, t] of [
            ['T20', t20S],
            ['T30', t30S],
          ] as const) {
            const err = Math.abs(t - rt60) / rt60;
            worst = Math.max(worst, err);
            assert.ok(err < RT60_TOLERANCE, `RT60 ${rt60} s seed ${seed}: ${name} = ${t} s (${(err * 100).toFixed(1)} %)`);
          }
        }
      }
      console.log(`${fs} Hz: worst relative RT60 error over ${RT60S.length * SEEDS.length} RIRs: ${(worst * 100).toFixed(2)} %`);
      assert.ok(worst < DOCUMENTED_RT60_ERROR, `worst ${worst} exceeds the 1 % stated in syntheticRir's TSDoc`);
    });
  }

  it('measureRt60 recovers an exact exponential decay', () => {
    const fs = 16000;
    const h = Float64Array.from({ length: fs }, (_, i) => 10 ** ((-3 * i) / (0.4 * fs)));
    const { t20S, t30S } = measureRt60(h, fs);
    // A deterministic decay has a slightly curved EDC only through truncation: tiny error.
    assert.ok(Math.abs(t20S - 0.4) < 0.004 && Math.abs(t30S - 0.4) < 0.004, `${t20S}, ${t30S}`);
  });

  it('T30 is NaN when the decay never reaches −35 dB', () => {
    const h = Float64Array.from({ length: 100 }, (_, i) => 10 ** (-i / 200));
    assert.ok(Number.isNaN(measureRt60(h, 16000).t30S));
  });

  it('rejects out-of-range RT60', () => {
    assert.throws(() => syntheticRir(16000, 0, makeRng(1)), RangeError);
    assert.throws(() => syntheticRir(16000, 20, makeRng(1)), RangeError);
  });
});

describe('reverberate', () => {
  it('keeps length and RMS, is deterministic per seed', () => {
    const x = tone(300, 16000, 16000, 0.3);
    const y = reverberate(x, 16000, 0.5, makeRng(7));
    assert.equal(y.length, x.length);
    assert.ok(Math.abs(meanPower(y) / meanPower(x) - 1) < 1e-5);
    assert.deepEqual(reverberate(x, 16000, 0.5, makeRng(7)), y);
    assert.notDeepEqual(reverberate(x, 16000, 0.5, makeRng(8)), y);
  });

  it('equals direct convolution with the same RIR (then RMS-matched)', () => {
    const x = tone(500, 8000, 3000, 0.5);
    const rir = syntheticRir(8000, 0.1, makeRng(3));
    const y = reverberate(x, 8000, 0.1, makeRng(3));
    const direct = new Float64Array(x.length);
    for (let i = 0; i < x.length; i++) for (let k = 0; k <= i && k < rir.length; k++) direct[i] += x[i - k] * rir[k];
    const g = Math.sqrt(meanPower(x) / meanPower(direct));
    for (let i = 0; i < x.length; i++) assert.ok(Math.abs(y[i] - g * direct[i]) < 1e-5, `sample ${i}`);
  });

  it('an impulse comes out as the RIR, so its decay has the requested RT60', () => {
    const fs = 16000;
    const x = new Float32Array(fs * 2);
    x[0] = 1;
    const y = reverberate(x, fs, 0.6, makeRng(21));
    const { t30S } = measureRt60(y, fs);
    assert.ok(Math.abs(t30S - 0.6) / 0.6 < RT60_TOLERANCE, `T30 ${t30S}`);
  });

  it('FFT convolution matches the definition', () => {
    const a = [1, 2, 3, -1];
    const b = [0.5, -2, 4];
    const expected = [0.5, -1, 1.5, 1.5, 14, -4];
    const got = convolve(a, b);
    assert.equal(got.length, expected.length);
    expected.forEach((v, i) => assert.ok(Math.abs(got[i] - v) < 1e-12, `index ${i}: ${got[i]}`));
  });
});
