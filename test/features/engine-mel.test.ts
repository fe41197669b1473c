import { test } from 'node:test';
import assert from 'node:assert/strict';
import { logMelSpectrogram, melSpectrogram, type MelSpectrogramOptions } from '../../src/features/index.js';
import { makeRng } from '../../src/core/index.js';
import { typescriptPath } from './paths.js';

const SR = 16000;

function noisyTone(n: number, seed: number): Float32Array {
  const rng = makeRng(seed);
  return Float32Array.from({ length: n }, (_, i) => 0.3 * Math.sin((2 * Math.PI * 220 * i) / SR) + 0.05 * (rng.next() - 0.5));
}

/** max |a − b| / max |b|. */
function peakRelative(a: Float32Array, b: Float32Array): number {
  let d = 0;
  let peak = 0;
  for (let i = 0; i < b.length; i++) {
    d = Math.max(d, Math.abs(a[i] - b[i]));
    peak = Math.max(peak, Math.abs(b[i]));
  }
  return d / peak;
}

const CASES: [string, MelSpectrogramOptions][] = [
  ['defaults (nFft 512, hann 400, hop 160, 64 HTK mels)', { sampleRateHz: SR }],
  [
    'magnitude, hamming 300 in nFft 400, constant padding',
    { sampleRateHz: SR, nFft: 400, winSamples: 300, window: 'hamming', power: 1, padMode: 'constant' },
  ],
  [
    'no centring, slaney mel and norm, hop 123',
    { sampleRateHz: SR, center: false, hopSamples: 123, scale: 'slaney', norm: 'slaney', nMels: 40 },
  ],
  ['rectangular window = nFft, band-limited filters', { sampleRateHz: SR, nFft: 256, window: 'rect', fMinHz: 50, fMaxHz: 4000, nMels: 24 }],
];

for (const [name, o] of CASES) {
  test(`mel spectrogram on the engine equals the TypeScript path: ${name}`, () => {
    for (const n of [SR, 12345, 513]) {
      const x = noisyTone(n, n);
      const fast = melSpectrogram(x, o);
      const ts = typescriptPath(() => melSpectrogram(x, o));
      assert.deepEqual([fast.channels, fast.frames, fast.dims], [ts.channels, ts.frames, ts.dims], `${n} samples: shape`);
      const err = peakRelative(fast.data, ts.data);
      assert.ok(err < 1e-5, `${n} samples: peak-relative difference ${err}`);
    }
  });
}

test('log-mel on the engine stays within float32 rounding of the TypeScript path (ln and dB)', () => {
  const x = noisyTone(3 * SR, 5);
  for (const log of ['ln', 'db'] as const) {
    const fast = logMelSpectrogram(x, { sampleRateHz: SR, log, topDb: log === 'db' ? 80 : null });
    const ts = typescriptPath(() => logMelSpectrogram(x, { sampleRateHz: SR, log, topDb: log === 'db' ? 80 : null }));
    let worst = 0;
    for (let i = 0; i < ts.data.length; i++) worst = Math.max(worst, Math.abs(fast.data[i] - ts.data[i]));
    assert.ok(worst < 1e-3, `${log}: max |Δ| ${worst}`);
  }
});

test('signals the engine does not take (shorter than the reflect pad) get the TypeScript result', () => {
  for (const n of [1, 100, 256]) {
    const x = noisyTone(n, 1);
    const fast = melSpectrogram(x, { sampleRateHz: SR });
    const ts = typescriptPath(() => melSpectrogram(x, { sampleRateHz: SR }));
    assert.deepEqual(fast, ts, `${n} samples`);
  }
});

test('bad signals fail with the same errors on both paths, and nothing is computed', () => {
  const bad = new Float32Array([0, Number.NaN, 0]);
  assert.throws(() => melSpectrogram(bad, { sampleRateHz: SR }), /spectrogram: signal sample 1 is not finite/);
  assert.throws(() => typescriptPath(() => melSpectrogram(bad, { sampleRateHz: SR })), /spectrogram: signal sample 1 is not finite/);
  assert.throws(() => melSpectrogram(new Float32Array(0), { sampleRateHz: SR }), /signal is empty/);
  // Long signals, where the engine computes: a bad sample inside a frame, and one after the last frame (no centring).
  const long = noisyTone(SR, 3);
  long[9000] = Number.POSITIVE_INFINITY;
  assert.throws(() => melSpectrogram(long, { sampleRateHz: SR }), /spectrogram: signal sample 9000 is not finite/);
  assert.throws(() => logMelSpectrogram(long, { sampleRateHz: SR }), /spectrogram: signal sample 9000 is not finite/);
  const tail = noisyTone(512 + 160 + 100, 4); // 2 frames cover the first 672 samples
  tail[771] = Number.NaN;
  assert.throws(() => melSpectrogram(tail, { sampleRateHz: SR, center: false }), /spectrogram: signal sample 771 is not finite/);
  const short = noisyTone(300, 2);
  assert.throws(() => melSpectrogram(short, { sampleRateHz: SR, center: false }), /shorter than nFft = 512/);
});
