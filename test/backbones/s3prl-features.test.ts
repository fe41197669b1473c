import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { loadApc, loadTera } from '../../src/backbones/index.js';
import { S3prlFeatures } from '../../src/backbones/s3prl/features.js';
import type { FrontEndConfig, KaldiFbankSpec } from '../../src/backbones/s3prl/config.js';
import { S3prlFrontEnd } from '../../src/backbones/s3prl/frontend.js';
import { noGrad, tensor, tidy } from '../../src/engine/index.js';
import { fixtureWaveform, maxAbsDiff } from '../helpers/hidden-states.js';

const DIR = fileURLToPath(new URL('./fixtures/s3prl/', import.meta.url));
/** Largest difference allowed from the engine's front end (float32 features). */
const TOLERANCE = 1e-4;
const SAMPLE_RATE_HZ = 16000;
const NOISE_AMPLITUDE = 0.01;

/** The fixtures' waveform plus seeded uniform noise (mulberry32), `seconds` long at 16 kHz. */
function noisyWaveform(samples: number, seed: number): Float32Array {
  const x = fixtureWaveform(samples);
  let a = seed >>> 0;
  for (let i = 0; i < samples; i++) {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    x[i] += NOISE_AMPLITUDE * (((t ^ (t >>> 14)) >>> 0) / 2 ** 32 - 0.5);
  }
  return x;
}

function engineFeatures(frontEnd: S3prlFrontEnd, x: Float32Array): Float32Array {
  return noGrad(() => tidy(() => frontEnd.forward(tensor(x, [x.length])).toArray() as Float32Array));
}

/** The message `f` throws (fails when it does not throw). */
function thrown(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    return (e as Error).message;
  }
  assert.fail('expected an error');
}

interface Model {
  frontEnd: S3prlFrontEnd;
  dispose(): void;
}

const CASES: { name: string; load: () => { model: Model; minFrames: number } }[] = [
  { name: 'apc', load: () => ({ model: loadApc(join(DIR, 'apc.ckpt')).model, minFrames: 1 }) },
  { name: 'apc-plain', load: () => ({ model: loadApc(join(DIR, 'apc-plain.ckpt')).model, minFrames: 1 }) },
  ...['tera', 'tera-pre'].map((name) => ({
    name,
    load: () => {
      const model = loadTera(join(DIR, `${name}.ckpt`)).model;
      return { model, minFrames: model.config.downsampleRate };
    },
  })),
];

for (const { name, load } of CASES) {
  test(`s3prl ${name}: the pure-TypeScript front end matches the engine's within 1e-4`, () => {
    const { model, minFrames } = load();
    try {
      const fe = model.frontEnd;
      const pure = new S3prlFeatures(fe.config, minFrames);
      assert.equal(pure.dims, fe.dims, 'dims');
      assert.equal(pure.hopSamples, fe.hopSamples, 'hopSamples');
      assert.equal(pure.minSamples, fe.minSamples, 'minSamples');
      for (const n of [0, 1, 199, 200, 201, 399, 400, 401, 559, 560, 561, 11200, 80000, fe.minSamples - 1, fe.minSamples])
        assert.equal(pure.framesFor(n), fe.framesFor(n), `framesFor(${n})`);

      const inputs: [string, Float32Array][] = [
        ['0.7 s', noisyWaveform(0.7 * SAMPLE_RATE_HZ, 1)],
        ['5 s', noisyWaveform(5 * SAMPLE_RATE_HZ, 2)],
        [`minSamples (${fe.minSamples})`, noisyWaveform(fe.minSamples, 3)],
      ];
      const report: string[] = [];
      for (const [what, x] of inputs) {
        const want = engineFeatures(fe, x);
        const got = pure.features(x);
        assert.equal(got.length, want.length, `${what}: feature count`);
        assert.equal(got.length, pure.framesFor(x.length) * pure.dims, `${what}: [T × D]`);
        const d = maxAbsDiff(got, want);
        report.push(`${what}: ${pure.framesFor(x.length)} frames, max |Δ| ${d.toExponential(2)}`);
        assert.ok(d <= TOLERANCE, `${name} ${what}: max |Δ| ${d}`);
      }
      console.log(`s3prl ${name}: ${report.join('; ')}`);

      // Too short: the longest input the engine refuses, and a single sample.
      const need = fe.config.cmvn ? 2 : 1;
      let short = fe.minSamples;
      while (short > 0 && fe.framesFor(short) >= need) short--;
      for (const n of [short, 1]) {
        const x = noisyWaveform(n, 4);
        const want = thrown(() => engineFeatures(fe, x));
        assert.equal(
          thrown(() => pure.features(x)),
          want,
          `${n} samples`,
        );
      }
    } finally {
      model.dispose();
    }
  });
}

const KALDI: KaldiFbankSpec = {
  kind: 'kaldi-fbank',
  numMelBins: 23,
  frameLengthMs: 25,
  frameShiftMs: 10,
  windowType: 'povey',
  preemphasis: 0.97,
  lowFreqHz: 20,
  highFreqHz: 0,
  removeDcOffset: true,
  roundToPowerOfTwo: true,
  usePower: true,
};
/** Settings the fixtures do not exercise: other windows, |X|, a 400-point Kaldi FFT, deltas on log-mel, … */
const SYNTHETIC: [string, FrontEndConfig, number][] = [
  [
    'hanning |X| 400-point fbank',
    {
      spectrum: { ...KALDI, windowType: 'hanning', usePower: false, roundToPowerOfTwo: false },
      deltaOrder: 1,
      deltaWinLength: 7,
      cmvn: true,
    },
    1,
  ],
  [
    'rectangular fbank without DC removal or pre-emphasis',
    {
      spectrum: { ...KALDI, windowType: 'rectangular', removeDcOffset: false, preemphasis: 0, lowFreqHz: 64, highFreqHz: -400 },
      deltaOrder: 0,
      deltaWinLength: 5,
      cmvn: false,
    },
    3,
  ],
  [
    'log-mel, 20 ms window in a 512-point FFT, deltas',
    {
      spectrum: { kind: 'log-mel', targetLevelDb: -20, winMs: 20, hopMs: 12.5, nFreq: 257, nMels: 40 },
      deltaOrder: 2,
      deltaWinLength: 5,
      cmvn: false,
    },
    4,
  ],
  [
    'log-mel with CMVN',
    {
      spectrum: { kind: 'log-mel', targetLevelDb: -25, winMs: 25, hopMs: 10, nFreq: 201, nMels: 80 },
      deltaOrder: 1,
      deltaWinLength: 3,
      cmvn: true,
    },
    1,
  ],
];

for (const [what, config, minFrames] of SYNTHETIC) {
  test(`s3prl front end (${what}): the pure-TypeScript features match the engine's within 1e-4`, () => {
    const fe = new S3prlFrontEnd(config, minFrames);
    try {
      const pure = new S3prlFeatures(config, minFrames);
      assert.deepEqual([pure.dims, pure.hopSamples, pure.minSamples], [fe.dims, fe.hopSamples, fe.minSamples]);
      const diffs: string[] = [];
      for (const n of [fe.minSamples, 0.7 * SAMPLE_RATE_HZ, 2 * SAMPLE_RATE_HZ + 37]) {
        const x = noisyWaveform(n, 5);
        assert.equal(pure.framesFor(n), fe.framesFor(n), `framesFor(${n})`);
        const d = maxAbsDiff(pure.features(x), engineFeatures(fe, x));
        diffs.push(`${n} samples: max |Δ| ${d.toExponential(2)}`);
        assert.ok(d <= TOLERANCE, `${n} samples: max |Δ| ${d}`);
      }
      console.log(`s3prl front end (${what}): ${diffs.join('; ')}`);
    } finally {
      fe.dispose();
    }
  });
}
