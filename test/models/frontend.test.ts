import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LogMelFrontend } from '../../src/models/index.js';
import { logMelSpectrogram } from '../../src/features/index.js';
import { makeRng } from '../../src/core/index.js';
import { tensor, tidy, grad } from '../../src/engine/index.js';

function speechLike(n: number, seed: number): Float32Array {
  const rng = makeRng(seed);
  const x = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const t = i / 16000;
    x[i] =
      0.3 * Math.sin(2 * Math.PI * (140 + 30 * Math.sin(3 * t)) * t) * (0.6 + 0.4 * Math.sin(2 * Math.PI * 4 * t)) + 0.02 * rng.normal();
  }
  return x;
}

for (const o of [
  { sampleRateHz: 16000 },
  { sampleRateHz: 16000, nFft: 400, window: 'hamming' as const, nMels: 40, scale: 'slaney' as const, norm: 'slaney' as const },
  { sampleRateHz: 16000, center: false, power: 1 as const },
]) {
  test(`the engine log-mel equals the DSP log-mel within 1e-4 (${JSON.stringify(o)})`, () => {
    const x = speechLike(12000, 5);
    const ref = logMelSpectrogram(x, o);
    const fe = new LogMelFrontend(o);
    tidy(() => {
      const y = fe.forward(tensor(x).reshape([1, -1]));
      assert.deepEqual(y.shape, [1, ref.frames, ref.dims]);
      const got = y.toArray() as Float32Array;
      let maxErr = 0,
        maxRef = 0;
      for (let i = 0; i < got.length; i++) {
        maxErr = Math.max(maxErr, Math.abs(got[i] - ref.data[i]));
        maxRef = Math.max(maxRef, Math.abs(ref.data[i]));
      }
      assert.ok(maxErr / maxRef < 1e-4, `relative error ${maxErr / maxRef}`);
    });
    fe.dispose();
  });
}

test('gradients flow from the log-mel back to the waveform', () => {
  const fe = new LogMelFrontend();
  tidy(() => {
    const wave = tensor(speechLike(8000, 1)).reshape([1, -1]).requiresGrad_();
    const [g] = grad(fe.forward(wave).mean(), wave);
    assert.ok(g !== null);
    assert.deepEqual(g.shape, [1, 8000]);
    assert.ok(g.isfinite().all());
    assert.ok(g.abs().sum().item() > 0);
  });
});
