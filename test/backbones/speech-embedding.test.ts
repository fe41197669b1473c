import assert from 'node:assert/strict';
import { cpSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import {
  SE_EMBEDDING_DIMS,
  SE_MIN_SAMPLES,
  SPEECH_EMBEDDING,
  SPEECH_EMBEDDING_FILES,
  backboneSource,
  defaultSpeechEmbeddingDir,
  seMelFrames,
  seWindows,
} from '../../src/backbones/index.js';
import { computeFeatures, getFeatureSet } from '../../src/features/index.js';
import { makeRng } from '../../src/core/index.js';
import { tempDir, wavFromFloat } from '../audio/helpers.js';

const SR = 16000;
/** A voiced-speech-like signal: harmonics of a gliding f0 under a syllable-rate envelope. */
function speechLike(seconds: number, seed = 1): Float32Array {
  const rng = makeRng(seed);
  const x = new Float32Array(Math.round(seconds * SR));
  let phase = 0;
  for (let i = 0; i < x.length; i++) {
    const t = i / SR;
    phase += (2 * Math.PI * (140 + 30 * Math.sin(2 * Math.PI * 0.7 * t))) / SR;
    let v = 0;
    for (let h = 1; h <= 8; h++) v += Math.sin(h * phase) / h;
    x[i] = 0.1 * v * (0.5 + 0.5 * Math.sin(2 * Math.PI * 4 * t)) + 0.002 * rng.normal();
  }
  return x;
}

describe('speech-embedding backbone', () => {
  const source = backboneSource(SPEECH_EMBEDDING);

  test('frame counts follow the model: 76-frame windows every 8 mel frames; short inputs give one window', async () => {
    const b = await source.load({ weights: null });
    assert.equal(b.info.frameRateHz, 12.5);
    assert.equal(b.info.dims, SE_EMBEDDING_DIMS);
    assert.ok(b.info.parameters > 100_000, `${b.info.parameters} parameters`);
    assert.equal(seMelFrames(SR), 97);
    assert.equal(seWindows(seMelFrames(SE_MIN_SAMPLES)), 1);
    for (const [seconds, windows] of [
      [0.3, 1],
      [1, 3],
      [3, seWindows(seMelFrames(3 * SR))],
    ] as const) {
      const h = await b.hiddenStates(speechLike(seconds));
      assert.equal(h.frames, windows, `${seconds} s`);
      assert.equal(h.layers.at(-1)!.length, windows * SE_EMBEDDING_DIMS);
      assert.deepEqual(h.layerDims, [24, 48, 72, 96, 96, 96]);
      assert.ok(h.layers[0].every(Number.isFinite));
    }
  });

  test('long inputs are processed in chunks without changing a value: windows are the same as in a shifted excerpt', async () => {
    const b = await source.load({ weights: null });
    const x = speechLike(35, 2); // 3500 mel frames: the mel graph runs in two chunks (3000 + 500)
    const shift = 250 * 8 * 160; // 250 windows later, on the window grid
    const whole = await b.hiddenStates(x);
    const part = await b.hiddenStates(x.subarray(shift));
    // Window 250 + j of the whole signal is window j of the excerpt; j = 118…130 spans the chunk border (frame 3000).
    let worst = 0;
    for (let j = 100; j < 140; j++)
      for (let d = 0; d < SE_EMBEDDING_DIMS; d++)
        worst = Math.max(
          worst,
          Math.abs(whole.layers.at(-1)![(250 + j) * SE_EMBEDDING_DIMS + d] - part.layers.at(-1)![j * SE_EMBEDDING_DIMS + d]),
        );
    assert.ok(worst < 1e-3, `max difference ${worst}`);
  });

  test('the model sees 16-bit-scale input: scaling the waveform changes the embeddings', async () => {
    const b = await source.load({ weights: null });
    const x = speechLike(1);
    const a = (await b.hiddenStates(x)).layers.at(-1)!;
    const quiet = (await b.hiddenStates(x.map((v) => v / 100))).layers.at(-1)!;
    assert.ok(a.some((v, i) => Math.abs(v - quiet[i]) > 1e-2));
  });

  test('feature sets: frames and pooled statistics, the same in a worker thread and in-process; weights are part of the settings', async () => {
    const frames = getFeatureSet('speech-embedding');
    const stats = getFeatureSet('speech-embedding-stats');
    assert.equal(frames.kind, 'frames');
    assert.equal(frames.frameRateHz, 12.5);
    assert.equal(stats.kind, 'vector');
    const x = speechLike(2);
    const f = await frames.compute(x);
    const s = await stats.compute(x);
    assert.equal(s.dims, 2 * SE_EMBEDDING_DIMS);
    const mean0 = Array.from({ length: f.frames }, (_, t) => f.data[t * f.dims]).reduce((a, v) => a + v, 0) / f.frames;
    assert.ok(Math.abs(s.data[0] - mean0) < 1e-4);
    assert.equal(stats.featureNames!().length, s.dims);
    assert.equal(getFeatureSet('speech-embedding-stats', { pooling: 'functionals' }).featureNames!().length, 6 * SE_EMBEDDING_DIMS);
    const { dir, cleanup } = tempDir();
    try {
      const wav = join(dir, 'x.wav');
      writeFileSync(wav, wavFromFloat(x, SR));
      const viaWorker = await computeFeatures([{ id: 'x', path: wav }], 'speech-embedding-stats', {}, { workers: 1, cacheDir: null });
      const direct = await stats.compute((await import('../../src/audio/index.js').then((m) => m.loadAudio(wav))).samples);
      assert.deepEqual(Array.from(viaWorker.get('x')!.data), Array.from(direct.data));
      // Other weights (a copy whose embedding file differs) give another settings key; a folder without the files is refused by name.
      const copy = join(dir, 'weights');
      cpSync(defaultSpeechEmbeddingDir(), copy, { recursive: true, filter: (p) => !p.endsWith('.tflite') });
      assert.equal(getFeatureSet('speech-embedding', { weights: copy }).settingsKey(), frames.settingsKey());
      writeFileSync(join(copy, SPEECH_EMBEDDING_FILES.embedding), new Uint8Array([1, 2, 3]));
      assert.notEqual(getFeatureSet('speech-embedding', { weights: copy }).settingsKey(), frames.settingsKey());
      await assert.rejects(
        async () => getFeatureSet('speech-embedding', { weights: copy }).compute(x),
        /embedding_model\.onnx: not an ONNX model/,
      );
      assert.throws(
        () => getFeatureSet('speech-embedding', { weights: join(dir, 'none') }),
        /none: speech-embedding weights must be a folder holding melspectrogram\.onnx/,
      );
      assert.throws(
        () => getFeatureSet('speech-embedding-stats', { pooling: 'max' }),
        /option 'pooling' must be one of mean-std, functionals/,
      );
    } finally {
      cleanup();
    }
  });
});
