import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  DEFAULT_HOP_SAMPLES,
  DEFAULT_N_FFT,
  DEFAULT_N_MELS,
  MelFilterbank,
  hzToMel,
  logMelSpectrogram,
  melFilterbank,
  melSpectrogram,
  melToHz,
  spectrogram,
} from '../../src/features/index.js';

function tone(n: number, hz: number, sr: number): Float32Array {
  const x = new Float32Array(n);
  for (let i = 0; i < n; i++) x[i] = 0.5 * Math.sin((2 * Math.PI * hz * i) / sr);
  return x;
}

test('mel scales: HTK and Slaney reference points, round trips', () => {
  assert.ok(Math.abs(hzToMel(700, 'htk') - 2595 * Math.log10(2)) < 1e-9);
  assert.ok(Math.abs(hzToMel(1000, 'slaney') - 15) < 1e-12);
  assert.ok(Math.abs(hzToMel(500, 'slaney') - 7.5) < 1e-12);
  for (const scale of ['htk', 'slaney'] as const) {
    for (const hz of [0, 120, 999, 1000, 4321, 8000]) assert.ok(Math.abs(melToHz(hzToMel(hz, scale), scale) - hz) < 1e-6);
  }
});

test('filterbank layout is [nFreqs, nMels]; triangles peak at 1 without norm', () => {
  const fb = melFilterbank({ sampleRateHz: 16000, nFft: 512, nMels: 40 });
  assert.equal(fb.length, 257 * 40);
  for (let j = 0; j < 40; j++) {
    let peak = 0;
    for (let k = 0; k < 257; k++) peak = Math.max(peak, fb[k * 40 + j]);
    assert.ok(peak > 0.5 && peak <= 1 + 1e-6, `filter ${j} peak ${peak}`);
  }
  // Slaney area normalisation: every filter has weight·Δf summing to ~1 (in Hz units).
  const fbn = melFilterbank({ sampleRateHz: 16000, nFft: 4096, nMels: 20, norm: 'slaney', scale: 'slaney' });
  const df = 8000 / 2048;
  for (let j = 0; j < 20; j++) {
    let area = 0;
    for (let k = 0; k < 2049; k++) area += fbn[k * 20 + j] * df;
    assert.ok(Math.abs(area - 1) < 0.02, `filter ${j} area ${area}`);
  }
});

test('sparse MelFilterbank.apply equals the dense product', () => {
  const o = { sampleRateHz: 16000, nFft: 400, nMels: 23, fMinHz: 20, fMaxHz: 7600, scale: 'slaney' as const, norm: 'slaney' as const };
  const dense = melFilterbank(o);
  const bank = new MelFilterbank(o);
  assert.equal(bank.emptyFilters, 0);
  const spec = spectrogram(tone(4000, 440, 16000), { nFft: 400, hopSamples: 160 });
  const mel = bank.apply(spec);
  assert.equal(mel.dims, 23);
  for (let t = 0; t < spec.frames; t++) {
    for (let j = 0; j < 23; j++) {
      let acc = 0;
      for (let k = 0; k < 201; k++) acc += spec.data[t * 201 + k] * dense[k * 23 + j];
      const v = mel.data[t * 23 + j];
      assert.ok(Math.abs(v - acc) <= 1e-5 * Math.max(1e-3, Math.abs(acc)), `t ${t} j ${j}: ${v} vs ${acc}`);
    }
  }
  assert.throws(
    () => bank.apply(spectrogram(tone(4000, 440, 16000), { nFft: 512, hopSamples: 160 })),
    /257 bins, the filterbank expects 201/,
  );
  assert.equal(new MelFilterbank({ sampleRateHz: 16000, nFft: 64, nMels: 64 }).emptyFilters > 0, true);
});

test('mel spectrogram defaults: [T, 64], energy of a tone lands in the right filter', () => {
  const sr = 16000;
  const mel = melSpectrogram(tone(sr, 1000, sr), { sampleRateHz: sr });
  assert.equal(mel.frames, 1 + Math.floor(sr / DEFAULT_HOP_SAMPLES));
  assert.equal(mel.dims, DEFAULT_N_MELS);
  const t = 50;
  let best = 0;
  for (let j = 1; j < mel.dims; j++) if (mel.data[t * mel.dims + j] > mel.data[t * mel.dims + best]) best = j;
  const centre = melToHz(((best + 1) * hzToMel(8000)) / (DEFAULT_N_MELS + 1));
  assert.ok(Math.abs(centre - 1000) < 120, `peak filter centre ${centre} Hz`);
  assert.equal(DEFAULT_N_FFT, 512);
});

test('log-mel: default ln(mel + 1e-6), dB option', () => {
  const x = tone(8000, 300, 16000);
  const mel = melSpectrogram(x, { sampleRateHz: 16000, nMels: 32 });
  const ln = logMelSpectrogram(x, { sampleRateHz: 16000, nMels: 32 });
  const db = logMelSpectrogram(x, { sampleRateHz: 16000, nMels: 32, log: 'db', topDb: 80 });
  let dbMax = -Infinity;
  for (let i = 0; i < mel.data.length; i++) {
    assert.ok(Math.abs(ln.data[i] - Math.log(mel.data[i] + 1e-6)) < 1e-5);
    dbMax = Math.max(dbMax, db.data[i]);
  }
  for (const v of db.data) assert.ok(v >= dbMax - 80 - 1e-3);
});

test('bad filterbank settings give clear errors', () => {
  const x = tone(1600, 440, 16000);
  assert.throws(
    () => melFilterbank({ sampleRateHz: 16000, nFft: 512, nMels: 40, fMaxHz: 8001 }),
    /fMaxHz \(8001 Hz\) must not exceed the Nyquist frequency 8000 Hz/,
  );
  assert.throws(() => melSpectrogram(x, { sampleRateHz: 16000, fMaxHz: 9000 }), /Nyquist/);
  assert.throws(
    () => melFilterbank({ sampleRateHz: 16000, nFft: 512, nMels: 40, fMinHz: 5000, fMaxHz: 4000 }),
    /fMinHz \(5000 Hz\) must be below fMaxHz/,
  );
  assert.throws(() => melFilterbank({ sampleRateHz: 16000, nFft: 512, nMels: 0 }), /nMels must be a positive integer/);
  assert.throws(() => melFilterbank({ sampleRateHz: 0, nFft: 512, nMels: 10 }), /sampleRateHz must be a positive number/);
  assert.throws(() => melFilterbank({ sampleRateHz: 16000, nFft: 512, nMels: 10, fMinHz: -1 }), /fMinHz must be ≥ 0/);
  assert.throws(
    () => melFilterbank({ sampleRateHz: 16000, nFft: 512, nMels: 10, scale: 'bark' as never }),
    /scale must be 'htk' or 'slaney'/,
  );
  assert.throws(() => melFilterbank({ sampleRateHz: 16000, nFft: 512, nMels: 10, norm: 'l2' as never }), /norm must be 'slaney' or null/);
  assert.throws(() => melSpectrogram(new Float32Array(0), { sampleRateHz: 16000 }), /signal is empty/);
  assert.throws(
    () => melSpectrogram(x, { sampleRateHz: 16000, nFft: 256, winSamples: 400 }),
    /winSamples \(400\) must not exceed nFft \(256\)/,
  );
  // Only nFft given: the window defaults to nFft samples (torch's rule), so this is valid.
  assert.equal(melSpectrogram(x, { sampleRateHz: 16000, nFft: 256 }).frames, 11);
});
