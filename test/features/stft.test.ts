import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyLog, logSpectrogram, spectrogram, stftFrameCount, Stft } from '../../src/features/index.js';
import { makeWindow } from '../../src/dsp/index.js';

function cosine(n: number, cyclesPerSample: number, amp = 1): Float32Array {
  const x = new Float32Array(n);
  for (let i = 0; i < n; i++) x[i] = amp * Math.cos(2 * Math.PI * cyclesPerSample * i);
  return x;
}

test('frame counts follow torch.stft (centred and not)', () => {
  assert.equal(stftFrameCount(16000, { nFft: 512, hopSamples: 160 }), 101);
  assert.equal(stftFrameCount(16000, { nFft: 400, hopSamples: 160 }), 101);
  assert.equal(stftFrameCount(16000, { nFft: 512, hopSamples: 160, center: false }), 1 + Math.floor((16000 - 512) / 160));
  assert.equal(stftFrameCount(100, { nFft: 512, hopSamples: 160, center: false }), 0);
  assert.equal(stftFrameCount(1, { nFft: 511, hopSamples: 3 }), 1); // odd nFft pads ⌊511/2⌋
  const s = spectrogram(new Float32Array(16000).fill(0.1), { nFft: 512, winSamples: 400, hopSamples: 160 });
  assert.equal(s.frames, 101);
  assert.equal(s.dims, 257);
  assert.equal(s.data.length, 101 * 257);
});

test('a cosine at an exact bin: rect window puts N/2 in that bin and ~0 elsewhere', () => {
  const n = 512;
  const k0 = 32;
  const x = cosine(4096, k0 / n, 0.5);
  const mag = spectrogram(x, { nFft: n, hopSamples: 256, window: 'rect', center: false, power: 1 });
  for (let t = 0; t < mag.frames; t++) {
    for (let k = 0; k < mag.dims; k++) {
      const v = mag.data[t * mag.dims + k];
      if (k === k0) assert.ok(Math.abs(v - (0.5 * n) / 2) < 1e-3, `frame ${t} bin ${k}: ${v}`);
      else assert.ok(v < 1e-3, `frame ${t} bin ${k} leaks ${v}`);
    }
  }
  const pow = spectrogram(x, { nFft: n, hopSamples: 256, window: 'rect', center: false });
  assert.ok(Math.abs(pow.data[k0] - 128 * 128) < 0.5);
});

test('a cosine at an exact bin with a periodic hann window: N/4 at the bin, N/8 beside it', () => {
  const n = 400; // mixed-radix path
  const k0 = 25;
  const x = cosine(2000, k0 / n);
  const mag = spectrogram(x, { nFft: n, hopSamples: 100, window: 'hann', center: false, power: 1 });
  const row = mag.data.subarray(2 * mag.dims, 3 * mag.dims);
  assert.ok(Math.abs(row[k0] - n / 4) < 1e-3);
  assert.ok(Math.abs(row[k0 - 1] - n / 8) < 1e-3);
  assert.ok(Math.abs(row[k0 + 1] - n / 8) < 1e-3);
  assert.ok(row[k0 + 3] < 1e-3);
});

/** Naive reference: pad, frame, window (centred in nFft), DFT power. */
function naiveSpec(x: Float32Array, nFft: number, win: number, hop: number, mode: 'reflect' | 'constant'): number[][] {
  const pad = Math.floor(nFft / 2);
  const reflect = (i: number): number => {
    const n = x.length;
    if (n === 1) return 0;
    const p = 2 * (n - 1);
    const j = ((i % p) + p) % p;
    return j < n ? j : p - j;
  };
  const padded: number[] = [];
  for (let i = -pad; i < x.length + pad; i++) {
    if (i >= 0 && i < x.length) padded.push(x[i]);
    else padded.push(mode === 'reflect' ? x[reflect(i)] : 0);
  }
  const w = makeWindow('hann', win);
  const off = Math.floor((nFft - win) / 2);
  const frames = 1 + Math.floor((padded.length - nFft) / hop);
  const out: number[][] = [];
  for (let t = 0; t < frames; t++) {
    const frame = new Array<number>(nFft).fill(0);
    for (let i = 0; i < win; i++) frame[off + i] = padded[t * hop + off + i] * w[i];
    const row: number[] = [];
    for (let k = 0; k <= nFft / 2; k++) {
      let re = 0;
      let im = 0;
      for (let j = 0; j < nFft; j++) {
        re += frame[j] * Math.cos((2 * Math.PI * j * k) / nFft);
        im -= frame[j] * Math.sin((2 * Math.PI * j * k) / nFft);
      }
      row.push(re * re + im * im);
    }
    out.push(row);
  }
  return out;
}

for (const padMode of ['reflect', 'constant'] as const) {
  test(`centre padding '${padMode}' (incl. pads longer than the signal) matches a naive STFT`, () => {
    for (const len of [5, 40, 101]) {
      const x = new Float32Array(len);
      for (let i = 0; i < len; i++) x[i] = Math.sin(0.3 * i) + 0.1 * i;
      const ours = spectrogram(x, { nFft: 32, winSamples: 24, hopSamples: 7, padMode });
      const ref = naiveSpec(x, 32, 24, 7, padMode);
      assert.equal(ours.frames, ref.length);
      for (let t = 0; t < ref.length; t++) {
        for (let k = 0; k < ref[t].length; k++) {
          const a = ours.data[t * ours.dims + k];
          assert.ok(Math.abs(a - ref[t][k]) <= 1e-5 * Math.max(1, ref[t][k]), `len ${len} t ${t} k ${k}: ${a} vs ${ref[t][k]}`);
        }
      }
    }
  });
}

test('odd nFft (generic real path) gives the same power as the naive DFT', () => {
  const x = cosine(300, 0.05);
  const s = spectrogram(x, { nFft: 33, hopSamples: 10, window: 'rect', center: false });
  assert.equal(s.dims, 17);
  let re = 0;
  let im = 0;
  const k = 3;
  for (let j = 0; j < 33; j++) {
    re += x[j] * Math.cos((2 * Math.PI * j * k) / 33);
    im -= x[j] * Math.sin((2 * Math.PI * j * k) / 33);
  }
  assert.ok(Math.abs(s.data[k] - (re * re + im * im)) < 1e-4);
});

test('log options: ln(x + eps), dB with ref/amin/topDb', () => {
  const d = Float32Array.from([0, 1, 100, 1e-12]);
  assert.deepEqual(
    Array.from(applyLog(Float32Array.from(d), { log: 'ln', lnEps: 1 })).map((v) => +v.toFixed(5)),
    [0, +Math.LN2.toFixed(5), 4.61512, 0],
  );
  const db = applyLog(Float32Array.from(d), { log: 'db' });
  assert.deepEqual(
    Array.from(db).map((v) => +v.toFixed(4)),
    [-100, 0, 20, -100],
  );
  const top = applyLog(Float32Array.from(d), { log: 'db', dbRef: 'max', topDb: 30 });
  assert.deepEqual(
    Array.from(top).map((v) => +v.toFixed(4)),
    [-30, -20, 0, -30],
  );
  const mag = applyLog(Float32Array.from([10]), { log: 'db' }, false);
  assert.ok(Math.abs(mag[0] - 20) < 1e-5);
  const ls = logSpectrogram(cosine(1000, 0.1), { nFft: 64, hopSamples: 32, log: 'db', topDb: 60, dbRef: 'max' });
  let max = -Infinity;
  let min = Infinity;
  for (const v of ls.data) {
    max = Math.max(max, v);
    min = Math.min(min, v);
  }
  assert.ok(Math.abs(max) < 1e-4);
  assert.ok(min >= -60 - 1e-4);
  assert.throws(() => applyLog(new Float32Array(1), { log: 'db', topDb: -1 }), /topDb/);
  assert.throws(() => applyLog(new Float32Array(1), { log: 'log2' as never }), /'ln' or 'db'/);
});

test('bad STFT inputs give clear errors', () => {
  const x = cosine(1000, 0.01);
  assert.throws(() => spectrogram(new Float32Array(0), { nFft: 64, hopSamples: 16 }), /signal is empty/);
  const nan = Float32Array.from(x);
  nan[17] = Number.NaN;
  assert.throws(() => spectrogram(nan, { nFft: 64, hopSamples: 16 }), /sample 17 is not finite/);
  const inf = Float32Array.from(x);
  inf[3] = Number.POSITIVE_INFINITY;
  assert.throws(() => spectrogram(inf, { nFft: 64, hopSamples: 16 }), /sample 3 is not finite/);
  assert.throws(() => spectrogram(x, { nFft: 64, winSamples: 128, hopSamples: 16 }), /winSamples \(128\) must not exceed nFft \(64\)/);
  assert.throws(() => spectrogram(x, { nFft: 64, hopSamples: 0 }), /hopSamples must be a positive integer/);
  assert.throws(() => spectrogram(x, { nFft: 64, hopSamples: -5 }), /hopSamples must be a positive integer/);
  assert.throws(() => spectrogram(x, { nFft: 64, hopSamples: 1.5 }), /hopSamples must be a positive integer/);
  assert.throws(() => spectrogram(x, { nFft: 0, hopSamples: 1 }), /nFft must be a positive integer/);
  assert.throws(() => spectrogram(x, { nFft: 64, hopSamples: 16, window: 'kaiser' as never }), /unknown window/);
  assert.throws(() => spectrogram(x, { nFft: 64, hopSamples: 16, padMode: 'edge' as never }), /padMode/);
  assert.throws(() => spectrogram(x.subarray(0, 10), { nFft: 64, hopSamples: 16, center: false }), /shorter than nFft/);
  assert.throws(() => spectrogram(x, { nFft: 64, hopSamples: 16, power: 3 as never }), /power must be 1 or 2/);
  assert.throws(() => new Stft({ nFft: 64, hopSamples: 16 }).compute([1, 2, 3] as never), /Float32Array/);
});
