import { test } from 'node:test';
import assert from 'node:assert/strict';
import { typescriptPath } from './paths.js';
import {
  dctMatrix,
  deltas,
  logMelAndMfcc,
  logMelSpectrogram,
  melSpectrogram,
  mfcc,
  mfccFromMel,
  DEFAULT_N_MFCC,
} from '../../src/features/index.js';

function chirp(n: number, sr: number): Float32Array {
  const x = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const t = i / sr;
    x[i] = 0.4 * Math.sin(2 * Math.PI * (200 * t + 1500 * t * t)) + 0.1 * Math.sin(2 * Math.PI * 120 * t);
  }
  return x;
}

test('MFCC of a silent signal: every log-mel is 10·log10(1e-10) = −100 dB, so c0 = −100·√nMels and the rest 0', () => {
  const m = mfcc(new Float32Array(8000), { sampleRateHz: 16000, nMels: 64, nMfcc: 13 });
  assert.equal(m.dims, 13);
  for (let t = 0; t < m.frames; t++) {
    assert.ok(Math.abs(m.data[t * 13] - -100 * Math.sqrt(64)) < 1e-3);
    for (let k = 1; k < 13; k++) assert.ok(Math.abs(m.data[t * 13 + k]) < 1e-3);
  }
});

test('MFCC of a constant signal: every frame equal, finite, zero deltas', () => {
  const x = new Float32Array(16000).fill(0.25);
  for (const o of [{}, { logMels: true }, { lifter: 22 }]) {
    const m = mfcc(x, { sampleRateHz: 16000, ...o });
    assert.equal(m.dims, DEFAULT_N_MFCC);
    for (let t = 1; t < m.frames; t++) {
      for (let k = 0; k < m.dims; k++) {
        const v = m.data[t * m.dims + k];
        assert.ok(Number.isFinite(v));
        assert.ok(Math.abs(v - m.data[k]) <= 1e-4 * Math.max(1, Math.abs(m.data[k])), `t ${t} k ${k}`);
      }
    }
    for (const v of deltas(m).data) assert.ok(Math.abs(v) < 1e-3);
  }
});

test('fast DCT equals the torchaudio create_dct matrix product (ortho and unnormalised), lifter applied', () => {
  const mel = melSpectrogram(chirp(8000, 16000), { sampleRateHz: 16000, nMels: 26 });
  for (const dctNorm of ['ortho', null] as const) {
    for (const nMfcc of [1, 13, 26]) {
      const lifter = nMfcc === 13 ? 22 : 0;
      const ours = mfccFromMel(mel, { nMfcc, dctNorm, lifter, logMels: true });
      const dct = dctMatrix(nMfcc, 26, dctNorm);
      for (let t = 0; t < mel.frames; t++) {
        for (let k = 0; k < nMfcc; k++) {
          let acc = 0;
          for (let j = 0; j < 26; j++) acc += Math.log(mel.data[t * 26 + j] + 1e-6) * dct[j * nMfcc + k];
          if (lifter > 0) acc *= 1 + (lifter / 2) * Math.sin((Math.PI * k) / lifter);
          assert.ok(Math.abs(ours.data[t * nMfcc + k] - acc) < 1e-3, `norm ${dctNorm} nMfcc ${nMfcc} t ${t} k ${k}`);
        }
      }
    }
  }
  // Odd nMels exercises the odd-length DCT path.
  const mel23 = melSpectrogram(chirp(4000, 16000), { sampleRateHz: 16000, nMels: 23 });
  const a = mfccFromMel(mel23, { nMfcc: 23, logMels: true });
  const dct = dctMatrix(23, 23);
  for (let k = 0; k < 23; k++) {
    let acc = 0;
    for (let j = 0; j < 23; j++) acc += Math.log(mel23.data[5 * 23 + j] + 1e-6) * dct[j * 23 + k];
    assert.ok(Math.abs(a.data[5 * 23 + k] - acc) < 1e-3);
  }
});

test('mfcc() = mfccFromMel(melSpectrogram()) (exactly in TypeScript, to float32 rounding on the engine), and the mel input is not modified', () => {
  const x = chirp(6000, 16000);
  typescriptPath(() => {
    const mel = melSpectrogram(x, { sampleRateHz: 16000 });
    const copy = Float32Array.from(mel.data);
    assert.deepEqual(mfccFromMel(mel).data, mfcc(x, { sampleRateHz: 16000 }).data);
    assert.deepEqual(mel.data, copy);
  });
  for (const o of [
    { sampleRateHz: 16000 },
    { sampleRateHz: 16000, logMels: true, lifter: 22, nMfcc: 13 },
    { sampleRateHz: 16000, topDb: null },
  ]) {
    const viaMel = mfccFromMel(melSpectrogram(x, o), o).data;
    const direct = mfcc(x, o).data;
    let worst = 0;
    let peak = 0;
    for (let i = 0; i < direct.length; i++) {
      worst = Math.max(worst, Math.abs(direct[i] - viaMel[i]));
      peak = Math.max(peak, Math.abs(viaMel[i]));
    }
    assert.ok(worst / peak < 1e-5, `${JSON.stringify(o)}: peak-relative difference ${worst / peak}`);
  }
});

test('logMelAndMfcc equals separate logMelSpectrogram and mfcc calls', () => {
  const x = chirp(8000, 16000);
  const o = { sampleRateHz: 16000, nMels: 40, nMfcc: 13, lifter: 22 };
  const both = logMelAndMfcc(x, o, { log: 'db', topDb: 60 });
  assert.deepEqual(both.mfcc.data, mfcc(x, o).data);
  assert.deepEqual(both.logMel.data, logMelSpectrogram(x, { ...o, log: 'db', topDb: 60 }).data);
  assert.deepEqual(logMelAndMfcc(x, o).logMel.data, logMelSpectrogram(x, o).data);
});

test('topDb floors the dB log-mel below the utterance maximum', () => {
  // A loud tone then near-silence: without a floor the quiet frames reach −100 dB.
  const x = new Float32Array(8000);
  for (let i = 0; i < 4000; i++) x[i] = Math.sin(0.2 * i);
  for (let i = 4000; i < 8000; i++) x[i] = 1e-7 * Math.sin(0.2 * i);
  const floored = mfcc(x, { sampleRateHz: 16000, nMfcc: 1, topDb: 20 });
  const free = mfcc(x, { sampleRateHz: 16000, nMfcc: 1, topDb: null });
  const last = floored.frames - 1;
  assert.ok(free.data[last] < floored.data[last] - 100);
});

test('bad MFCC settings give clear errors', () => {
  const x = chirp(4000, 16000);
  assert.throws(() => mfcc(x, { sampleRateHz: 16000, nMels: 20, nMfcc: 21 }), /nMfcc must be an integer in \[1, nMels = 20\]/);
  assert.throws(() => mfcc(x, { sampleRateHz: 16000, dctNorm: 'l1' as never }), /dctNorm/);
  assert.throws(() => mfcc(x, { sampleRateHz: 16000, lifter: -1 }), /lifter/);
  assert.throws(() => mfcc(x, { sampleRateHz: 16000, topDb: -3 }), /topDb/);
  assert.throws(() => mfcc(x, { sampleRateHz: 16000, fMaxHz: 10000 }), /Nyquist/);
  assert.throws(() => mfcc(new Float32Array(0), { sampleRateHz: 16000 }), /signal is empty/);
});
