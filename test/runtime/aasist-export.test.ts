/**
 * AASIST → ONNX: the exported graph's logits against the engine's (random weights and inputs;
 * the published AASIST / AASIST-L on real clips from ../shared when present), the spoof sidecar,
 * batched ONNX Runtime scoring, clear errors on bad inputs, and exports that fail without
 * leaving files behind.
 */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { loadAudio } from '../../src/audio/index.js';
import { makeRng } from '../../src/core/index.js';
import {
  AASIST_CONFIG,
  AASIST_L_CONFIG,
  AASIST_SAMPLES,
  windowStarts,
  Aasist,
  aasistBatch,
  aasistMinSamples,
  fitAasistInput,
  loadAasistWeights,
  type AasistConfig,
} from '../../src/models/aasist/index.js';
import { manualSeed, noGrad, saveModule, tidy, toRawDict, type Tensor } from '../../src/engine/index.js';
import {
  GraphBuilder,
  decodeModel,
  exportAasist,
  exportAasistGraph,
  exportSpoofModel,
  loadSpoofSession,
  parseSidecar,
  parseSpoofSidecar,
  readSpoofSidecar,
  scoreFilesOnnx,
  OnnxSpoofSession,
  SPOOF_EXPORT_TOLERANCE,
} from '../../src/runtime/index.js';
import { buildProgram } from '../../src/cli/index.js';
import { ServedSpoofModel } from '../../src/serve/index.js';
import { ROOT, tempDir } from '../audio/helpers.js';

/** Agreement required between ONNX Runtime and the engine (logits). */
const TOLERANCE = 1e-4;
const SHARED = join(ROOT, '..', 'shared');
const WEIGHTS = join(SHARED, 'models', 'aasist');
const REFERENCE = join(WEIGHTS, 'reference-logits.json');
/** Reference clips scored in the published-weights tests (a few keep the file fast). */
const REAL_CLIPS = 3;

/** AASIST with random weights and random batch-norm running statistics, in eval mode. */
function randomAasist(config: AasistConfig, seed: number): Aasist {
  manualSeed(seed);
  const m = new Aasist(config);
  const rng = makeRng(seed);
  const stats = new Map<string, { dtype: 'float32'; shape: number[]; data: Float32Array }>();
  for (const [name, t] of m.stateDict()) {
    if (name.endsWith('running_mean'))
      stats.set(name, { dtype: 'float32', shape: t.shape, data: Float32Array.from({ length: t.numel }, () => 0.1 * rng.normal()) });
    if (name.endsWith('running_var'))
      stats.set(name, { dtype: 'float32', shape: t.shape, data: Float32Array.from({ length: t.numel }, () => 0.5 + rng.next()) });
  }
  m.loadStateDict(stats, false);
  return m.eval();
}

/** Segments of a random clip with their own loudness and pitch (samples each). */
const CLIP_SEGMENT = 2000;

/**
 * Random non-stationary clips of the given lengths (samples): a tone whose pitch and loudness jump
 * every {@link CLIP_SEGMENT} samples, plus noise. A stationary signal gives near-identical temporal
 * nodes whose pool scores tie within float32 rounding, and which of them top-k keeps is then
 * arbitrary in either runtime; speech-like changes keep the kept node sets well defined.
 */
function randomClips(lengths: number[], seed: number): Float32Array[] {
  const rng = makeRng(seed);
  return lengths.map((n) => {
    const level = Array.from({ length: Math.ceil(n / CLIP_SEGMENT) }, () => rng.next());
    let phase = 0;
    return Float32Array.from({ length: n }, (_, i) => {
      const a = level[Math.floor(i / CLIP_SEGMENT)];
      phase += 0.01 + 0.2 * a;
      return a * (0.3 * Math.sin(phase) + 0.1 * rng.normal());
    });
  });
}

const engineLogits = (m: Aasist, clips: Float32Array[]): Float32Array =>
  noGrad(() => tidy(() => m.forward(aasistBatch(clips)).toFloat32()));

/** The engine's logits of each whole clip: the mean over its windows of the model's input length. */
function engineWindowedLogits(m: Aasist, clips: Float32Array[]): number[] {
  return clips.flatMap((c) => {
    const starts = windowStarts(c.length, AASIST_SAMPLES, AASIST_SAMPLES);
    const l = engineLogits(
      m,
      starts.map((s) => c.subarray(s, s + AASIST_SAMPLES)),
    );
    return [0, 1].map((k) => starts.reduce((a, _, i) => a + l[2 * i + k], 0) / starts.length);
  });
}

function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assert.equal(a.length, b.length);
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]));
  return worst;
}

/** Runs the CLI from the TypeScript sources. */
function cli(...args: string[]) {
  return spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'test', 'helpers', 'cli-entry.ts'), ...args], {
    cwd: ROOT,
    encoding: 'utf8',
  });
}

/** Files of a folder (temporary files of an interrupted atomic write included). */
const listing = (dir: string) => (existsSync(dir) ? readdirSync(dir).sort() : []);

describe('AASIST graph on random weights', () => {
  for (const [name, config, seed] of [
    ['AASIST', AASIST_CONFIG, 3],
    ['AASIST-L', AASIST_L_CONFIG, 4],
  ] as const) {
    test(`${name}: wave [batch, ${AASIST_SAMPLES}] → logits [batch, 2], equal to the engine's within ${TOLERANCE}`, async (t) => {
      const model = randomAasist(config, seed);
      try {
        const e = exportAasistGraph({ config: model.config, weights: toRawDict(model.stateDict()) });
        const bytes = e.graph.serialize({ producerName: 'test', producerVersion: '0' });
        const proto = decodeModel(bytes).graph!;
        assert.deepEqual(
          proto.input!.map((i) => [i.name, i.type!.tensorType!.shape!.dim!.map((d) => d.dimParam || Number(d.dimValue))]),
          [['wave', ['batch', AASIST_SAMPLES]]],
        );
        assert.deepEqual(
          proto.output!.map((o) => [o.name, o.type!.tensorType!.shape!.dim!.map((d) => d.dimParam || Number(d.dimValue))]),
          [['logits', ['batch', 2]]],
        );
        const clips = randomClips([20_000, 70_000], seed);
        const session = await ort.InferenceSession.create(bytes, { intraOpNumThreads: 2 });
        const wave = new Float32Array(clips.length * AASIST_SAMPLES);
        clips.forEach((c, i) => wave.set(fitAasistInput(c), i * AASIST_SAMPLES));
        const onnx = (await session.run({ wave: new ort.Tensor('float32', wave, [clips.length, AASIST_SAMPLES]) })).logits
          .data as Float32Array;
        await session.release();
        const engine = engineLogits(model, clips);
        const d = maxDiff(onnx, engine);
        t.diagnostic(
          `${name}: max |Δlogit| = ${d.toExponential(2)} over ${clips.length} clips (logits up to ${Math.max(...engine.map(Math.abs)).toFixed(2)})`,
        );
        assert.ok(d <= TOLERANCE, `max |Δlogit| = ${d}`);
        assert.ok(new Set(engine).size > 2, 'the logits differ between clips (the comparison is not between constants)');
      } finally {
        model.dispose();
      }
    });
  }

  test('bad graph inputs: too short a clip length, a missing weight', () => {
    const model = randomAasist(AASIST_L_CONFIG, 5);
    try {
      const weights = toRawDict(model.stateDict());
      assert.throws(
        () => exportAasistGraph({ config: model.config, weights }, 1000),
        new RegExp(`at least ${aasistMinSamples(AASIST_L_CONFIG)} samples, got 1000`),
      );
      weights.delete('GAT_layer_T.att_weight');
      assert.throws(() => exportAasistGraph({ config: model.config, weights }), /AASIST-L: the state dict has no 'GAT_layer_T.att_weight'/);
    } finally {
      model.dispose();
    }
  });
});

describe('exported countermeasure files and scoring', () => {
  let dir = '';
  let cleanup = () => {};
  let model: Aasist;
  let weightsFile = '';
  before(async () => {
    ({ dir, cleanup } = tempDir());
    model = randomAasist(AASIST_L_CONFIG, 6);
    weightsFile = join(dir, 'random-aasist-l.safetensors');
    await saveModule(model, weightsFile);
  });
  after(() => {
    model.dispose();
    cleanup();
  });

  test('exportAasist writes model + sidecar; batched scoring equals the engine and does not depend on the batch size', async () => {
    const out = join(dir, 'ship', 'spoof.onnx');
    const r = await exportAasist(model, out, 'random weights');
    const s = readSpoofSidecar(out);
    assert.deepEqual(s, r.sidecar);
    assert.equal(s!.model.name, 'AASIST-L');
    assert.equal(s!.model.params, 85_306);
    assert.deepEqual(s!.input, { kind: 'waveform', name: 'wave', samples: AASIST_SAMPLES, fit: 'first-or-tile' });
    assert.deepEqual(s!.classes, ['spoof', 'bonafide']);
    assert.ok(s!.verification.maxAbsDiff <= SPOOF_EXPORT_TOLERANCE);
    assert.equal(r.bytes, readFileSync(out).length);
    // The long clip is scored in two windows (the second ending at its end), averaged.
    const clips = randomClips([30_000, 80_000], 7);
    const engine = engineWindowedLogits(model, clips);
    for (const batchSize of [1, 2]) {
      const session = await loadSpoofSession(out, { batchSize, intraOpThreads: 2 });
      try {
        const scores = await session.scoreSignals(clips);
        assert.ok(
          maxDiff(
            scores.flatMap((c) => c.logits),
            engine,
          ) <= TOLERANCE,
          `batch size ${batchSize}`,
        );
        scores.forEach((c) => assert.equal(c.score, c.logits[1], 'the score is the bona fide logit'));
      } finally {
        await session.close();
      }
    }
    // A calibration rides in the sidecar; the served model then reports P(spoof) and judges at its threshold.
    const calibration = {
      kind: 'logistic' as const,
      slope: 1.5,
      intercept: 0.2,
      threshold: 0.1,
      dev: { bonafide: 40, spoof: 60, eer: 0.2 },
    };
    const calibrated = join(dir, 'ship', 'calibrated.onnx');
    await exportAasist(model, calibrated, 'random weights', calibration);
    assert.deepEqual(readSpoofSidecar(calibrated)!.calibration, calibration);
    assert.equal(s!.calibration, undefined, 'uncalibrated by default');
    const served = await ServedSpoofModel.load(calibrated);
    try {
      const v = await served.score(clips[1]);
      assert.equal(v.threshold, 0.1);
      assert.equal(v.label, v.score >= 0.1 ? 'bonafide' : 'spoof');
      assert.ok(Math.abs(v.pSpoof! - 1 / (1 + Math.exp(1.5 * v.score + 0.2))) < 1e-12);
      assert.equal(v.windows, 2);
    } finally {
      await served.close();
    }
    // The emotion models' loader refuses the spoof sidecar with a pointer to the right one.
    assert.throws(
      () => parseSidecar(JSON.parse(readFileSync(`${out}.json`, 'utf8')), 'x.json'),
      /x\.json: input\.kind: a spoofing countermeasure .*loadSpoofSession/,
    );
  });

  test('bad scoring inputs give clear errors', async () => {
    const out = join(dir, 'ship', 'spoof.onnx');
    if (!existsSync(out)) await exportAasist(model, out, 'random weights');
    const session = await loadSpoofSession(out, { intraOpThreads: 1 });
    try {
      await assert.rejects(session.logits(new Float32Array(1000), 1), /'wave' must be \[1, 64600\] \(64600 samples\), got 1000 samples/);
      await assert.rejects(session.logits(new Float32Array(AASIST_SAMPLES), 2), /'wave' must be \[2, 64600\]/);
      await assert.rejects(
        session.scoreSignals([new Float32Array(100), new Float32Array(0)], ['a.wav', 'b.wav']),
        /b\.wav: empty clip \(0 samples\)/,
      );
    } finally {
      await session.close();
    }
    await assert.rejects(loadSpoofSession(out, { batchSize: 0 }), /batchSize must be a positive integer, got 0/);
    await assert.rejects(loadSpoofSession(join(dir, 'none.onnx')), /none\.onnx: no such spoof model file/);
    await assert.rejects(scoreFilesOnnx(out, []), /no audio files given/);
    // A graph of another contract.
    const g = new GraphBuilder('other');
    g.output(g.input('features', 'float32', ['batch', 4]), 'probs', 'float32', ['batch', 4]);
    await assert.rejects(
      OnnxSpoofSession.fromBytes(g.serialize({ producerName: 't', producerVersion: '0' }), null, 'other.onnx'),
      /other\.onnx: not a spoof model: the graph needs input 'wave' and output 'logits', it has inputs \[features\], outputs \[probs\]/,
    );
    // Sidecars: an emotion model's, a broken field.
    const good = JSON.parse(readFileSync(`${out}.json`, 'utf8')) as Record<string, unknown>;
    assert.throws(
      () => parseSpoofSidecar({ ...good, input: { kind: 'frames' } }, 's.json'),
      /s\.json: input\.kind: 'frames' is an emotion model's input/,
    );
    assert.throws(() => parseSpoofSidecar({ ...good, scoreIndex: 0 }, 's.json'), /s\.json: scoreIndex: /);
    assert.throws(
      () => parseSpoofSidecar({ ...good, outputs: ['probs'] }, 's.json'),
      /s\.json: outputs: the first output must be 'logits'/,
    );
  });

  test('failed exports leave no file: missing weights, an emotion-conditioned run, a graph that disagrees with the engine, an unwritable sidecar', async () => {
    const target = join(dir, 'fail');
    mkdirSync(target);
    await assert.rejects(exportSpoofModel(join(dir, 'missing.pth'), join(target, 'a.onnx')), /missing\.pth': no such file/);
    const run = join(dir, 'film-run');
    mkdirSync(run);
    writeFileSync(join(run, 'config.json'), JSON.stringify({ init: 'aasist', conditioning: 'film' }));
    await assert.rejects(
      exportSpoofModel(run, join(target, 'b.onnx')),
      /film-run: conditioned on emotion \('film'\); export-spoof exports plain AASIST only/,
    );
    assert.deepEqual(listing(target), []);
    // A graph that disagrees with the engine (here: an engine whose logits are shifted by 1).
    class Shifted extends Aasist {
      override forward(wave: Tensor): Tensor {
        return super.forward(wave).add(1);
      }
    }
    const shifted = new Shifted(AASIST_L_CONFIG);
    try {
      shifted.loadStateDict(model.stateDict());
      await assert.rejects(
        exportAasist(shifted, join(target, 'd.onnx'), 'shifted'),
        /d\.onnx: the exported graph disagrees with the engine \(max \|Δlogit\| = 1\.00e\+0 > 0\.0001\); nothing written/,
      );
    } finally {
      shifted.dispose();
    }
    assert.deepEqual(listing(target), []);
    // The sidecar's path is taken by a folder: the model written before it is removed again.
    mkdirSync(join(target, 'c.onnx.json'));
    await assert.rejects(
      exportAasist(model, join(target, 'c.onnx'), 'random weights'),
      /c\.onnx\.json: cannot write the sidecar .*nothing written/,
    );
    assert.deepEqual(listing(target), ['c.onnx.json']);
  });

  test('trustser export-spoof --model FILE writes a scoring model; a bad spec fails and writes no file', async () => {
    const out = join(dir, 'cli', 'spoof.onnx');
    const ok = cli('export-spoof', '--model', weightsFile, '--out', out);
    assert.equal(ok.status, 0, ok.stderr);
    assert.match(ok.stdout, /AASIST-L \(85,306 parameters, from .*random-aasist-l\.safetensors\) → .*spoof\.onnx/);
    assert.match(ok.stdout, /output: logits \[batch, 2\] = \[spoof, bonafide\], score = bonafide logit/);
    assert.match(ok.stdout, /max \|Δlogit\| = /);
    // The failure in-process (the one-line stderr and exit code 1 are main()'s for every command).
    await assert.rejects(
      buildProgram().parseAsync([
        'node',
        'trustser',
        'export-spoof',
        '--model',
        join(dir, 'nope.pth'),
        '--out',
        join(dir, 'cli', 'nope.onnx'),
      ]),
      /spoof model '.*nope\.pth': no such file/,
    );
    assert.deepEqual(listing(join(dir, 'cli')), ['spoof.onnx', 'spoof.onnx.json']);
  });
});

const sharedSkip =
  existsSync(join(WEIGHTS, 'AASIST.pth')) && existsSync(join(WEIGHTS, 'AASIST-L.pth')) && existsSync(REFERENCE)
    ? false
    : `AASIST weights not found in ${WEIGHTS}; skipping (see ../shared/models/aasist/README.md)`;

describe('published AASIST and AASIST-L exported', { skip: sharedSkip }, () => {
  let dir = '';
  let cleanup = () => {};
  before(() => ({ dir, cleanup } = tempDir()));
  after(() => cleanup());

  for (const [spec, file] of [
    ['aasist', 'AASIST.pth'],
    ['aasist-l', 'AASIST-L.pth'],
  ] as const) {
    test(`${spec}: ONNX Runtime scores of real clips equal the engine's within ${TOLERANCE}`, async (t) => {
      const ref = JSON.parse(readFileSync(REFERENCE, 'utf8')) as { cases: { file: string; logits: [number, number] }[] };
      const cases = ref.cases.slice(0, REAL_CLIPS);
      const paths = cases.map((c) => join(SHARED, c.file));
      const out = join(dir, `${spec}.onnx`);
      const r = await exportSpoofModel(spec, out);
      assert.equal(r.sidecar.model.name, file.replace('.pth', ''));
      const { scores: onnx, failed } = await scoreFilesOnnx(out, paths, { intraOpThreads: 2, batchSize: REAL_CLIPS });
      assert.deepEqual(failed, []);
      assert.deepEqual(
        onnx.map((s) => s.path),
        paths,
      );
      const model = loadAasistWeights(join(WEIGHTS, file));
      try {
        const clips = await Promise.all(paths.map(async (p) => (await loadAudio(p)).samples));
        const engine = engineLogits(model, clips);
        const d = maxDiff(
          onnx.flatMap((s) => s.logits),
          engine,
        );
        t.diagnostic(`${spec}: max |Δlogit| ONNX vs engine = ${d.toExponential(2)} over ${paths.length} clips`);
        assert.ok(d <= TOLERANCE, `max |Δlogit| = ${d}`);
      } finally {
        model.dispose();
      }
      // AASIST only: the independent PyTorch reference logits of the same files.
      if (spec === 'aasist')
        assert.ok(
          maxDiff(
            onnx.flatMap((s) => s.logits),
            cases.flatMap((c) => c.logits),
          ) <= TOLERANCE,
          'ONNX vs PyTorch reference',
        );
    });
  }
});
