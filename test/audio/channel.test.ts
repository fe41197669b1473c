/**
 * Channel shifts (the robustness test conditions): telephone band, µ-law, pink noise, DC
 * offset, silence padding, clipping gain, and the platform-independent registry.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  CHANNEL_SHIFTS,
  DC_OFFSET_FULL_SCALE,
  SILENCE_FLOOR_DBFS,
  addDcOffset,
  applyGainDb,
  applyGainDbClipped,
  getChannelShift,
  listChannelShifts,
  meanPower,
  measureSnrDb,
  mulawDecode,
  mulawEncode,
  padSilence,
  pinkNoise,
  reverberate,
  telephoneBand,
  type ShiftContext,
} from '../../src/audio/pure.js';
import { makeRng } from '../../src/core/index.js';
import { RealFft, makeWindow } from '../../src/dsp/index.js';
import { fitSine, rms, tone } from './helpers.js';

const FS = 16000;
const db = (ratio: number): number => 20 * Math.log10(ratio);

/** A speech-like test signal: a harmonic series (f0 with a slow glide) under a 4 Hz syllabic envelope. */
function speechLike(n: number, seed: number, fs = FS): Float32Array {
  const rng = makeRng(seed);
  const f0 = 100 + 100 * rng.next();
  const x = new Float32Array(n);
  let phase = 0;
  for (let i = 0; i < n; i++) {
    const t = i / fs;
    phase += (2 * Math.PI * f0 * (1 + 0.1 * Math.sin(2 * Math.PI * 0.7 * t))) / fs;
    let v = 0;
    for (let h = 1; h <= 10; h++) v += Math.sin(h * phase + h) / h;
    x[i] = 0.2 * v * (0.55 + 0.45 * Math.sin(2 * Math.PI * 4 * t + seed));
  }
  return x;
}

const babble = [1, 2, 3, 4, 5].map((s) => speechLike(2 * FS, 20 + s));
const ctx = (seed: number): ShiftContext => ({ rng: makeRng(seed), babble });

describe('telephoneBand', () => {
  /** Gain in dB of a 0.5-amplitude tone, fitted away from the filter's start-up transient. */
  const gainDb = (freqHz: number, fs = FS): number => {
    const y = telephoneBand(tone(freqHz, fs, fs, 0.5), fs);
    return db(fitSine(y, freqHz, fs, Math.round(0.1 * fs), Math.round(0.9 * fs)).amplitude / 0.5);
  };

  it('passes 1 kHz within 1 dB and attenuates 100 Hz and 6 kHz by more than 20 dB', () => {
    const [g100, g1k, g6k] = [gainDb(100), gainDb(1000), gainDb(6000)];
    console.log(`telephone band at 16 kHz: 100 Hz ${g100.toFixed(1)} dB, 1 kHz ${g1k.toFixed(2)} dB, 6 kHz ${g6k.toFixed(1)} dB`);
    assert.ok(Math.abs(g1k) < 1, `1 kHz: ${g1k} dB`);
    assert.ok(g100 < -20, `100 Hz: ${g100} dB`);
    assert.ok(g6k < -20, `6 kHz: ${g6k} dB`);
    // The Butterworth edges are −3 dB points.
    for (const edge of [300, 3400]) assert.ok(Math.abs(gainDb(edge) + 3) < 0.5, `${edge} Hz: ${gainDb(edge)} dB`);
    // Same at 44.1 kHz input.
    assert.ok(Math.abs(gainDb(1000, 44100)) < 1);
    assert.ok(gainDb(6000, 44100) < -20);
  });

  it('keeps the length exactly, at any rate ≥ 8 kHz', () => {
    for (const fs of [8000, 16000, 22050, 44100, 48000])
      for (const n of [1, 2, 3, 101, fs + 1]) assert.equal(telephoneBand(speechLike(n, 1, fs), fs).length, n, `${n} samples at ${fs} Hz`);
    assert.equal(telephoneBand(new Float32Array(0), FS).length, 0);
  });

  it('rejects rates below 8 kHz and non-finite rates', () => {
    for (const fs of [4000, Number.NaN, Number.POSITIVE_INFINITY, 16000.5])
      assert.throws(() => telephoneBand(tone(1000, FS, 100), fs), /telephoneBand: sampleRateHz must be an integer/);
  });
});

describe('G.711 µ-law', () => {
  it('uses the standard codes and round-trips every code', () => {
    assert.deepEqual([...mulawEncode([0, 1, -1, 0.5])], [0xff, 0x80, 0x00, 0x8f]);
    const all = Uint8Array.from({ length: 256 }, (_, i) => i);
    const again = mulawEncode(mulawDecode(all));
    // 0x7f is −0, which encodes as +0 (0xff).
    for (let c = 0; c < 256; c++) assert.equal(again[c], c === 0x7f ? 0xff : c, `code ${c}`);
  });

  it('quantises with an SNR nearly independent of level (> 38 dB down to −20 dBFS, > 33 dB at −40)', () => {
    const snrs = [0.9, 0.1, 0.01].map((amplitude) => {
      const x = tone(1000, FS, FS, amplitude);
      return measureSnrDb(x, mulawDecode(mulawEncode(x)));
    });
    console.log(`µ-law SNR of a 1 kHz tone at 0.9 / 0.1 / 0.01 of full scale: ${snrs.map((v) => v.toFixed(1)).join(' / ')} dB`);
    [38, 38, 33].forEach((min, i) => assert.ok(snrs[i] > min && snrs[i] < 42, `SNR ${snrs[i]} dB`));
  });
});

describe('pinkNoise', () => {
  /** Welch power spectral density (Hann, 4096-point frames, half overlap) of `x`. */
  const psd = (x: Float32Array, size = 4096): Float64Array => {
    const fft = new RealFft(size);
    const win = makeWindow('hann', size);
    const acc = new Float64Array(fft.bins);
    const [re, im, frame] = [new Float64Array(fft.bins), new Float64Array(fft.bins), new Float64Array(size)];
    for (let at = 0; at + size <= x.length; at += size / 2) {
      for (let i = 0; i < size; i++) frame[i] = x[at + i] * win[i];
      fft.forward(frame, re, im);
      for (let k = 0; k < fft.bins; k++) acc[k] += re[k] * re[k] + im[k] * im[k];
    }
    return acc;
  };
  /** Mean PSD in dB over the octave band centred on each frequency. */
  const bandDb = (p: Float64Array, centresHz: number[], size = 4096): number[] =>
    centresHz.map((f) => {
      const [a, b] = [Math.ceil(((f / Math.SQRT2) * size) / FS), Math.floor((f * Math.SQRT2 * size) / FS)];
      let s = 0;
      for (let k = a; k <= b; k++) s += p[k];
      return 10 * Math.log10(s / (b - a + 1));
    });
  const centres = [125, 250, 500, 1000, 2000, 4000];

  it('falls by 3 dB per octave from 100 Hz to 4 kHz, with unit power and zero mean', () => {
    const x = pinkNoise(1 << 18, makeRng(5));
    const levels = bandDb(psd(x), centres);
    // Least-squares slope of level (dB) against log2(frequency).
    const xs = centres.map((f) => Math.log2(f));
    const [mx, my] = [xs.reduce((a, b) => a + b) / xs.length, levels.reduce((a, b) => a + b) / levels.length];
    let [sxy, sxx] = [0, 0];
    xs.forEach((v, i) => {
      sxy += (v - mx) * (levels[i] - my);
      sxx += (v - mx) ** 2;
    });
    const slope = sxy / sxx;
    const worst = Math.max(...levels.map((l, i) => Math.abs(l - (my + slope * (xs[i] - mx)))));
    console.log(`pink noise: slope ${slope.toFixed(2)} dB/octave, worst band off the line ${worst.toFixed(2)} dB`);
    assert.ok(Math.abs(slope + 3.01) < 0.3, `slope ${slope} dB/octave`);
    assert.ok(worst < 0.5, `band deviation ${worst} dB`);
    assert.ok(Math.abs(meanPower(x) - 1) < 1e-4);
    const mean = x.reduce((a, b) => a + b) / x.length;
    assert.ok(Math.abs(mean) < 0.05, `mean ${mean}`);
  });

  it('is reproducible, seed-dependent, and any length works', () => {
    assert.deepEqual(pinkNoise(5000, makeRng(1)), pinkNoise(5000, makeRng(1)));
    assert.notDeepEqual(pinkNoise(5000, makeRng(1)), pinkNoise(5000, makeRng(2)));
    for (const n of [0, 1, 2, 3, 1000, 16001]) assert.equal(pinkNoise(n, makeRng(1)).length, n);
    assert.throws(() => pinkNoise(-1, makeRng(1)), /non-negative integer/);
    assert.throws(() => pinkNoise(1.5, makeRng(1)), /non-negative integer/);
  });
});

describe('DC offset, silence, clipping gain', () => {
  const x = speechLike(FS, 3);
  const mean = (y: Float32Array): number => y.reduce((a, b) => a + b, 0) / y.length;

  it('addDcOffset shifts the mean by exactly the offset', () => {
    const y = addDcOffset(x, 0.05);
    assert.ok(Math.abs(mean(y) - mean(x) - 0.05) < 1e-6);
    assert.throws(() => addDcOffset(x, Number.NaN), /finite/);
  });

  it('padSilence adds the requested pads at a −80 dBFS floor and keeps the signal intact', () => {
    const y = padSilence(x, FS, 1.25, 0.5, makeRng(4));
    const [lead, trail] = [20000, 8000];
    assert.equal(y.length, lead + x.length + trail);
    assert.deepEqual(y.subarray(lead, lead + x.length), x);
    for (const [a, b] of [
      [0, lead],
      [lead + x.length, y.length],
    ]) {
      const level = db(rms(y, a, b));
      assert.ok(Math.abs(level - SILENCE_FLOOR_DBFS) < 0.5, `floor ${level} dBFS`);
      assert.ok(
        y.subarray(a, b).some((v) => v !== 0),
        'silence must not be digital zero',
      );
    }
    assert.deepEqual(padSilence(x, FS, 0.1, 0.1), padSilence(x, FS, 0.1, 0.1), 'no rng: still deterministic');
    assert.deepEqual(padSilence(x, FS, 0, 0), x);
    assert.throws(() => padSilence(x, FS, -1, 0), /leadS/);
    assert.throws(() => padSilence(x, FS, 0, Number.NaN), /trailS/);
    assert.throws(() => padSilence(x, Number.NaN, 1, 1), /sampleRateHz/);
  });

  it('+10 dB hard-clips at full scale (applyGainDb itself does not clip)', () => {
    const s = tone(440, FS, FS, 0.5);
    const g = 10 ** (10 / 20);
    assert.ok(Math.max(...applyGainDb(s, 10)) > 1.5);
    const y = applyGainDbClipped(s, 10);
    let clipped = 0;
    for (let i = 0; i < s.length; i++) {
      const v = s[i] * g;
      if (Math.abs(v) >= 1) {
        assert.equal(Math.abs(y[i]), 1);
        clipped++;
      } else assert.ok(Math.abs(y[i] - v) < 1e-6);
    }
    // |0.5·g·sin| ≥ 1 on a fraction 1 − (2/π)·asin(1/(0.5·g)) of the samples.
    const expected = 1 - (2 / Math.PI) * Math.asin(1 / (0.5 * g));
    assert.ok(Math.abs(clipped / s.length - expected) < 0.005, `clipped ${clipped / s.length} vs ${expected}`);
  });
});

describe('channel-shift registry (platform-independent)', () => {
  const x = speechLike(FS, 7);
  const RANDOM = ['reverb-room', 'babble-20db', 'babble-10db', 'white-20db', 'white-10db', 'pink-20db', 'pink-10db', 'silence-1-3s'];

  it('lists the shifts in order', () => {
    assert.deepEqual(
      CHANNEL_SHIFTS.map((s) => s.name),
      [
        'telephone',
        'reverb-room',
        'babble-20db',
        'babble-10db',
        'white-20db',
        'white-10db',
        'pink-20db',
        'pink-10db',
        'gain-minus-20db',
        'gain-plus-10db',
        'dc-offset',
        'silence-1-3s',
      ],
    );
    assert.deepEqual(listChannelShifts(), [...CHANNEL_SHIFTS]);
    assert.notEqual(listChannelShifts(), listChannelShifts());
    for (const s of CHANNEL_SHIFTS) assert.ok(s.description.length > 10, s.name);
  });

  it('every shift returns finite samples of the right length, deterministically', async () => {
    for (const s of CHANNEL_SHIFTS) {
      const y = await s.apply(x, FS, ctx(1));
      assert.ok(y.every(Number.isFinite), `${s.name}: non-finite output`);
      if (s.name === 'silence-1-3s') assert.ok(y.length >= x.length + 2 * FS && y.length <= x.length + 6 * FS, `${s.name}: ${y.length}`);
      else assert.equal(y.length, x.length, s.name);
      assert.ok(rms(y) > 0.001, `${s.name}: output is silent`);
      assert.deepEqual(await s.apply(x, FS, ctx(1)), y, `${s.name}: same seed, different output`);
      if (RANDOM.includes(s.name)) assert.notDeepEqual(await s.apply(x, FS, ctx(2)), y, `${s.name}: seed has no effect`);
    }
  });

  it('noise shifts hit their SNR within 0.5 dB', () => {
    for (const name of ['babble-20db', 'babble-10db', 'white-20db', 'white-10db', 'pink-20db', 'pink-10db']) {
      const target = Number(name.match(/(\d+)db$/)![1]);
      for (const seed of [1, 2, 3]) {
        const snr = measureSnrDb(x, getChannelShift(name).apply(x, FS, ctx(seed)) as Float32Array);
        assert.ok(Math.abs(snr - target) < 0.5, `${name} seed ${seed}: ${snr} dB`);
      }
    }
    // One babble source is enough (reused at different offsets).
    const one = getChannelShift('babble-10db').apply(x, FS, { rng: makeRng(1), babble: [babble[0]] }) as Float32Array;
    assert.ok(Math.abs(measureSnrDb(x, one) - 10) < 0.5);
  });

  it('level, DC and reverb shifts do what they say', () => {
    const apply = (name: string, seed = 1) => getChannelShift(name).apply(x, FS, ctx(seed)) as Float32Array;
    assert.ok(Math.abs(db(rms(apply('gain-minus-20db')) / rms(x)) + 20) < 0.01);
    const loud = apply('gain-plus-10db');
    assert.ok(Math.max(...loud.map(Math.abs)) <= 1);
    const dc = apply('dc-offset');
    assert.ok(Math.abs(dc.reduce((a, b) => a + b) / FS - x.reduce((a, b) => a + b) / FS - DC_OFFSET_FULL_SCALE) < 1e-6);
    // reverb-room = reverberate with RT60 = 0.3 + 0.5·u, u the first draw of the same stream.
    for (const seed of [1, 2]) {
      const rng = makeRng(seed);
      const rt60 = 0.3 + 0.5 * rng.next();
      assert.ok(rt60 >= 0.3 && rt60 < 0.8);
      assert.deepEqual(apply('reverb-room', seed), reverberate(x, FS, rt60, rng));
    }
  });

  it('silence-1-3s pads each end with 1–3 s, drawn per seed', () => {
    const pads = new Set<string>();
    for (const seed of [1, 2, 3, 4, 5]) {
      const y = getChannelShift('silence-1-3s').apply(x, FS, ctx(seed)) as Float32Array;
      // The signal is copied exactly; find where it starts.
      let lead = -1;
      for (let k = FS; k <= 3 * FS && lead < 0; k++) if (y[k] === x[0] && y[k + 1] === x[1] && y[k + 2] === x[2]) lead = k;
      const trail = y.length - lead - x.length;
      assert.ok(lead >= FS && lead <= 3 * FS, `lead ${lead}`);
      assert.ok(trail >= FS && trail <= 3 * FS, `trail ${trail}`);
      assert.deepEqual(y.subarray(lead, lead + x.length), x);
      pads.add(`${lead}/${trail}`);
    }
    assert.equal(pads.size, 5);
  });

  it('bad inputs give clear errors naming the shift', () => {
    assert.throws(
      () => getChannelShift('telefone'),
      /unknown channel shift 'telefone' \(did you mean 'telephone'\?\); known: telephone, reverb-room/,
    );
    assert.throws(() => getChannelShift('mp3-16kbps'), /known: .*silence-1-3s/, 'codecs are Node-only');
    for (const s of CHANNEL_SHIFTS) {
      const who = `channel shift "${s.name}"`;
      assert.throws(
        () => s.apply(x, Number.NaN, ctx(1)),
        (e: Error) => e.message.startsWith(`${who}: sampleRateHz must be`),
      );
      assert.throws(
        () => s.apply(new Float32Array(0), FS, ctx(1)),
        (e: Error) => e.message === `${who}: the signal is empty`,
      );
    }
    for (const name of ['babble-20db', 'babble-10db']) {
      for (const c of [{ rng: makeRng(1) }, { rng: makeRng(1), babble: [] }])
        assert.throws(() => getChannelShift(name).apply(x, FS, c), new RegExp(`channel shift "${name}": ctx.babble is missing or empty`));
    }
    assert.throws(() => getChannelShift('white-10db').apply(new Float32Array(100), FS, ctx(1)), /white-10db.*silent/);
    assert.throws(() => getChannelShift('telephone').apply(x, 4000, ctx(1)), /telephone.*integer number of Hz in \[8000/);
  });
});
