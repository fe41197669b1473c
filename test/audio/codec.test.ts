/**
 * Codec round trips through sox (MP3, Ogg Vorbis), their time alignment, and the Node-side
 * channel-shift registry. Skipped where sox or its MP3/Vorbis handlers are missing.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  CHANNEL_SHIFTS,
  CHANNEL_SHIFTS_NODE,
  codecDelaySamples,
  codecRoundTrip,
  getChannelShift,
  listChannelShifts,
} from '../../src/audio/index.js';
import * as pure from '../../src/audio/pure.js';
import { makeRng } from '../../src/core/index.js';
import { bestCorrelation, hasSox, soxFormats } from './helpers.js';

const FS = 16000;
const skip = !hasSox()
  ? 'sox is not installed'
  : ['mp3', 'vorbis'].some((f) => !soxFormats().has(f))
    ? 'sox lacks mp3/vorbis (install libsox-fmt-all)'
    : false;

/** A speech-like test signal: a gliding harmonic series under a 4 Hz syllabic envelope. */
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

/** Normalised correlation at lag 0. */
function correlation(a: Float32Array, b: Float32Array): number {
  let [ab, aa, bb] = [0, 0, 0];
  for (let i = 0; i < a.length; i++) {
    ab += a[i] * b[i];
    aa += a[i] * a[i];
    bb += b[i] * b[i];
  }
  return ab / Math.sqrt(aa * bb);
}

describe('codecRoundTrip', { skip }, () => {
  const x = speechLike(FS, 1);

  it('measures the MP3 encoder delay (LAME) and no Vorbis delay', async () => {
    const mp3 = await codecDelaySamples(FS, { format: 'mp3', bitrateKbps: 16 });
    const ogg = await codecDelaySamples(FS, { format: 'ogg', quality: 0 });
    console.log(`codec delays at 16 kHz: mp3 16 kbit/s ${mp3} samples, ogg q0 ${ogg} samples`);
    // LAME: 576 samples of encoder delay plus the decoder's 529.
    assert.ok(mp3 >= 1000 && mp3 <= 1200, `mp3 delay ${mp3}`);
    assert.ok(Math.abs(ogg) <= 2, `ogg delay ${ogg}`);
  });

  for (const [name, options] of [
    ['mp3 16 kbit/s', { format: 'mp3', bitrateKbps: 16 }],
    ['ogg quality 0', { format: 'ogg', quality: 0 }],
  ] as const) {
    it(`${name}: aligned output correlates > 0.9 with the input`, async () => {
      const y = await codecRoundTrip(x, FS, options);
      assert.equal(y.length, x.length);
      assert.ok(y.every(Number.isFinite));
      const r = correlation(x, y);
      const best = bestCorrelation(x, y, 400);
      console.log(`${name}: correlation ${r.toFixed(4)} at lag 0; best lag ${best.lag}`);
      assert.ok(r > 0.9, `correlation ${r}`);
      assert.ok(Math.abs(best.lag) <= 1, `residual lag ${best.lag}`);
      assert.deepEqual(await codecRoundTrip(x, FS, options), y, 'codecs are deterministic');
    });
  }

  it('aligns at other rates too (44.1 kHz MP3)', async () => {
    const x44 = speechLike(44100, 2, 44100);
    const y = await codecRoundTrip(x44, 44100, { format: 'mp3', bitrateKbps: 64 });
    assert.equal(y.length, x44.length);
    assert.ok(correlation(x44, y) > 0.9);
  });

  it('gives clear errors', async () => {
    await assert.rejects(codecRoundTrip(x, FS, { format: 'ogg', quality: 99 }), /ogg encode\): sox failed: .*quality/i);
    await assert.rejects(codecRoundTrip(new Float32Array(0), FS, { format: 'mp3' }), /signal is empty/);
    await assert.rejects(codecRoundTrip(x, Number.NaN, { format: 'mp3' }), /sampleRateHz must be a positive integer/);
    await assert.rejects(codecRoundTrip(x, FS, { format: 'wav' as 'mp3' }), /format must be 'mp3' or 'ogg'/);
    await assert.rejects(codecRoundTrip(x, FS, { format: 'mp3', quality: 2 }), /quality applies to ogg/);
    await assert.rejects(codecRoundTrip(x, FS, { format: 'mp3', bitrateKbps: Number.NaN }), /bitrateKbps must be positive/);
    const path = process.env.PATH;
    process.env.PATH = '/nonexistent';
    try {
      await assert.rejects(codecRoundTrip(x, FS, { format: 'mp3' }), /sox binary was not found on PATH/);
    } finally {
      process.env.PATH = path;
    }
  });
});

describe('Node channel-shift registry', () => {
  it('inserts the codec shifts after telephone; the Node face sees them, the pure face does not', () => {
    const names = CHANNEL_SHIFTS_NODE.map((s) => s.name);
    assert.deepEqual(names, ['telephone', 'mp3-16kbps', 'ogg-q0', ...CHANNEL_SHIFTS.slice(1).map((s) => s.name)]);
    assert.equal(names.length, 14);
    assert.deepEqual(listChannelShifts(), [...CHANNEL_SHIFTS_NODE]);
    assert.equal(getChannelShift('ogg-q0'), CHANNEL_SHIFTS_NODE[2]);
    assert.equal(getChannelShift('telephone'), pure.getChannelShift('telephone'));
    assert.throws(() => pure.getChannelShift('ogg-q0'), /unknown channel shift/);
    assert.equal(pure.listChannelShifts().length, 12);
    assert.throws(() => getChannelShift('mp3'), /known: telephone, mp3-16kbps, ogg-q0, reverb-room/);
  });

  it('every shift runs on 1 s of speech-like signal', { skip }, async () => {
    const x = speechLike(FS, 3);
    const babble = [4, 5, 6, 7].map((s) => speechLike(2 * FS, s));
    for (const s of CHANNEL_SHIFTS_NODE) {
      const y = await s.apply(x, FS, { rng: makeRng(1), babble });
      assert.ok(y.every(Number.isFinite), s.name);
      assert.ok(s.name === 'silence-1-3s' ? y.length > x.length + 2 * FS : y.length === x.length, `${s.name}: ${y.length}`);
    }
  });

  it('codec shifts reject bad input naming the shift', async () => {
    const x = speechLike(FS, 3);
    for (const name of ['mp3-16kbps', 'ogg-q0']) {
      const s = getChannelShift(name);
      await assert.rejects(
        async () => s.apply(x, Number.NaN, { rng: makeRng(1) }),
        new RegExp(`^RangeError: channel shift "${name}": sampleRateHz`),
      );
      await assert.rejects(
        async () => s.apply(new Float32Array(0), FS, { rng: makeRng(1) }),
        new RegExp(`channel shift "${name}": the signal is empty`),
      );
    }
  });
});
