/**
 * RawBoost: the band-stop FIR design, each operation's defining property (linear and
 * non-linear convolutive noise, impulsive signal-dependent noise, stationary noise at an SNR in
 * range), seeded reproducibility and refused settings.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RAWBOOST_DEFAULTS, bandStopFir, measureSnrDb, rawBoost, type RawBoostStep } from '../../src/audio/index.js';
import { makeRng } from '../../src/core/index.js';

const FS = 16000;

/** |H(f)| of an FIR filter at one frequency (Hz). */
function gainAt(h: ArrayLike<number>, f: number): number {
  const w = (2 * Math.PI * f) / FS;
  let re = 0,
    im = 0;
  for (let n = 0; n < h.length; n++) {
    re += h[n] * Math.cos(w * n);
    im -= h[n] * Math.sin(w * n);
  }
  return Math.hypot(re, im);
}

/** Amplitude of `x` at one frequency (Hz): its Hann-windowed DFT there (the window keeps edge transients from leaking). */
function toneEnergy(x: ArrayLike<number>, f: number): number {
  const hann = Float64Array.from({ length: x.length }, (_, i) => x[i] * (0.5 - 0.5 * Math.cos((2 * Math.PI * i) / (x.length - 1))));
  return gainAt(hann, f) / x.length;
}

function tone(f: number, n: number, amp: number): Float32Array {
  return Float32Array.from({ length: n }, (_, i) => amp * Math.sin((2 * Math.PI * f * i) / FS));
}

describe('bandStopFir', () => {
  it('passes 0 Hz at unit gain, stops its band and is linear-phase', () => {
    const h = bandStopFir(101, 2000, 4000, FS);
    assert.ok(Math.abs(h.reduce((a, b) => a + b, 0) - 1) < 1e-12);
    for (let n = 0; n < h.length; n++) assert.ok(Math.abs(h[n] - h[h.length - 1 - n]) < 1e-15, `tap ${n} not symmetric`);
    assert.ok(gainAt(h, 3000) < 10 ** (-40 / 20), `3 kHz gain ${gainAt(h, 3000)}`);
    for (const f of [300, 1000, 5500, 7000]) assert.ok(Math.abs(gainAt(h, f) - 1) < 0.02, `${f} Hz gain ${gainAt(h, f)}`);
  });

  it('refuses an even length or band edges outside (0, Nyquist]', () => {
    assert.throws(() => bandStopFir(100, 2000, 4000, FS), /odd integer/);
    assert.throws(() => bandStopFir(101, 4000, 2000, FS), /lowHz < highHz/);
    assert.throws(() => bandStopFir(101, 2000, 9000, FS), /8000 Hz/);
    assert.throws(() => bandStopFir(101, 0, 2000, FS), /0 < lowHz/);
  });
});

describe('rawBoost', () => {
  const n = FS;
  it('lnl adds harmonics of a tone only through its non-linear terms', () => {
    const x = tone(500, n, 0.8);
    const harmonics = (y: Float32Array) => toneEnergy(y, 1000) + toneEnergy(y, 1500);
    const linear = rawBoost(x, FS, makeRng(3), ['lnl'], { ...RAWBOOST_DEFAULTS, orders: 1 });
    const nonLinear = rawBoost(x, FS, makeRng(3), ['lnl']);
    assert.ok(harmonics(linear) < 1e-4 * toneEnergy(linear, 500), 'a linear filter made harmonics');
    assert.ok(harmonics(nonLinear) > 1e-3 * toneEnergy(nonLinear, 500), 'x², x³ … added no harmonics');
    // Linear with orders 1: scaling the input scales the output (no renormalisation below a peak of 1).
    const half = rawBoost(
      x.map((v) => v / 2),
      FS,
      makeRng(3),
      ['lnl'],
      { ...RAWBOOST_DEFAULTS, orders: 1 },
    );
    const peak = linear.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
    if (peak < 1) for (let i = 0; i < n; i += 97) assert.ok(Math.abs(half[i] - linear[i] / 2) < 1e-6);
    for (const y of [linear, nonLinear]) {
      assert.ok(Math.abs(y.reduce((a, b) => a + b, 0) / n) < 1e-6, 'mean not removed');
      assert.ok(
        y.every((v) => Math.abs(v) <= 1 + 1e-6),
        'peak above 1',
      );
    }
  });

  it('isd changes at most 10 % of the samples, each by at most twice itself', () => {
    const x = tone(220, n, 0.3);
    for (let seed = 1; seed <= 5; seed++) {
      const y = rawBoost(x, FS, makeRng(seed), ['isd']);
      let changed = 0;
      for (let i = 0; i < n; i++) {
        if (y[i] === x[i]) continue;
        changed++;
        assert.ok(Math.abs(y[i] - x[i]) <= RAWBOOST_DEFAULTS.impulseGain * Math.abs(x[i]) + 1e-7, `sample ${i}`);
      }
      assert.ok(changed <= 0.1 * n, `${changed} samples changed`);
    }
  });

  it('ssi adds noise at an SNR inside its range, spread over the range', () => {
    const x = tone(300, n, 0.5);
    const snrs = [1, 2, 3, 4, 5, 6, 7, 8].map((seed) => measureSnrDb(x, rawBoost(x, FS, makeRng(seed), ['ssi'])));
    for (const s of snrs) assert.ok(s >= 10 - 0.01 && s <= 40 + 0.01, `SNR ${s} dB`);
    assert.ok(Math.max(...snrs) - Math.min(...snrs) > 5, `SNRs ${snrs.map((s) => s.toFixed(1)).join(', ')}`);
  });

  it('is reproducible from the random state, keeps the length, and a full series changes the signal', () => {
    const x = tone(440, n, 0.5);
    const a = rawBoost(x, FS, makeRng(9));
    assert.deepEqual(a, rawBoost(x, FS, makeRng(9)));
    assert.notDeepEqual(a, rawBoost(x, FS, makeRng(10)));
    assert.equal(a.length, n);
    assert.ok(a.every(Number.isFinite));
    assert.equal(rawBoost(new Float32Array(0), FS, makeRng(1)).length, 0);
    // At 8 kHz the notch centres above Nyquist are clipped to it, not refused.
    assert.ok(rawBoost(x.subarray(0, 8000), 8000, makeRng(2)).every(Number.isFinite));
  });

  it('refuses unknown or repeated steps, inverted ranges and a bad sample rate', () => {
    const x = tone(440, 1000, 0.5);
    assert.throws(() => rawBoost(x, FS, makeRng(1), ['lnl', 'echo' as RawBoostStep]), /unknown step 'echo'/);
    assert.throws(() => rawBoost(x, FS, makeRng(1), ['isd', 'isd']), /repeated/);
    assert.throws(() => rawBoost(x, FS, makeRng(1), ['ssi'], { ...RAWBOOST_DEFAULTS, minSnrDb: 50 }), /minSnrDb ≤ maxSnrDb/);
    assert.throws(() => rawBoost(x, FS, makeRng(1), ['lnl'], { ...RAWBOOST_DEFAULTS, bands: 0 }), /bands must be a positive integer/);
    assert.throws(() => rawBoost(x, FS, makeRng(1), ['isd'], { ...RAWBOOST_DEFAULTS, maxImpulsePercent: 200 }), /maxImpulsePercent/);
    assert.throws(() => rawBoost(x, Number.NaN, makeRng(1)), /sampleRateHz/);
  });
});
