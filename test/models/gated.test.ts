import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadSafetensors, manualSeed, noGrad, tensor, tidy } from '../../src/engine/index.js';
import { GatedLogisticRegression, createModel } from '../../src/models/index.js';
import { predictFiles } from '../../src/run/predict.js';
import { EXPORT_TOLERANCE, exportRun } from '../../src/runtime/export/index.js';
import { predictFilesOnnx } from '../../src/runtime/index.js';
import { trainRun } from '../../src/train/run.js';
import { tempDir } from '../audio/helpers.js';
import { syntheticRunConfig, syntheticWavs } from '../helpers/runs.js';
import { exportOf, makeRng, maxAbsDiff, runOnnx, sessionOf, TOLERANCE } from '../runtime/helpers.js';

const D = 10;
const ROBUST = 6;
const C = 3;

/** Rows [N, D]: robust inputs of N(0, 1), backbone inputs scaled by `scale[i]` (so their shift is ≈ scale²). */
function rows(scale: number[], seed: number): Float32Array {
  const rng = makeRng(seed);
  const x = new Float32Array(scale.length * D);
  scale.forEach((s, i) => {
    for (let j = 0; j < D; j++) x[i * D + j] = rng.normal() * (j < ROBUST ? 1 : s);
  });
  return x;
}

function model(gateQuantile?: number): GatedLogisticRegression {
  manualSeed(3);
  const m = createModel('gated-logreg', { inputDim: D, numClasses: C, robustDims: ROBUST, ...(gateQuantile ? { gateQuantile } : {}) });
  assert.ok(m instanceof GatedLogisticRegression);
  m.eval();
  return m;
}

test('gated-logreg: the threshold is the quantile of the dev shifts; beyond it the robust head answers, below it the full head', () => {
  const m = model(0.75);
  const dev = rows([0.5, 0.8, 1, 1.2], 1);
  noGrad(() =>
    tidy(() => {
      const xd = tensor(dev, [4, D]);
      const shifts = Array.from(m.shift(xd).toArray() as Float32Array).sort((a, b) => a - b);
      assert.equal(m.threshold.item(), Number.POSITIVE_INFINITY, 'unfitted: the full head always');
      m.fitOnDevInputs(xd);
      assert.ok(Math.abs(m.threshold.item() - shifts[2]) < 1e-6, `threshold ${m.threshold.item()} vs 75 % quantile ${shifts[2]}`);
      // Test rows: in-distribution ones and far-shifted ones (a backbone off its training distribution).
      const x = tensor(rows([0.3, 5, 0.4, 6, 8], 2), [5, D]);
      const closed = Array.from(m.closed(x).toArray() as Uint8Array, Boolean);
      assert.deepEqual(closed, [false, true, false, true, true]);
      const out = m.forward(x).toArray() as Float32Array;
      const robust = m.robust.forward(x.narrow(1, 0, ROBUST)).toArray() as Float32Array;
      const full = m.full.forward(x).toArray() as Float32Array;
      closed.forEach((c, i) => {
        for (let k = 0; k < C; k++) assert.equal(out[i * C + k], (c ? robust : full)[i * C + k], `row ${i} class ${k}`);
      });
    }),
  );
  m.dispose();
});

test('gated-logreg: augmented training copies raise the threshold to their own quantile, never lower it', () => {
  const m = model(1);
  noGrad(() =>
    tidy(() => {
      const dev = tensor(rows([1, 1, 1], 7), [3, D]);
      const devMax = Math.max(...(m.shift(dev).toArray() as Float32Array));
      const noisy = tensor(rows([3, 4], 8), [2, D]);
      m.fitOnDevInputs(dev, noisy);
      assert.ok(Math.abs(m.threshold.item() - Math.max(...(m.shift(noisy).toArray() as Float32Array))) < 1e-6);
      m.fitOnDevInputs(dev, tensor(rows([0.1], 9), [1, D]));
      assert.ok(Math.abs(m.threshold.item() - devMax) < 1e-6, 'quiet copies leave the dev quantile');
    }),
  );
  m.dispose();
});

test('gated-logreg: in training each utterance is answered by either head, about half by each', () => {
  const m = model();
  m.train();
  manualSeed(4);
  const n = 400;
  noGrad(() =>
    tidy(() => {
      const x = tensor(rows(new Array(n).fill(1), 3), [n, D]);
      const out = m.forward(x).toArray() as Float32Array;
      const robust = m.robust.forward(x.narrow(1, 0, ROBUST)).toArray() as Float32Array;
      const full = m.full.forward(x).toArray() as Float32Array;
      let fromRobust = 0;
      for (let i = 0; i < n; i++) {
        const r = out[i * C] === robust[i * C];
        assert.ok(r || out[i * C] === full[i * C], `row ${i} comes from neither head`);
        fromRobust += r ? 1 : 0;
      }
      assert.ok(fromRobust > 0.4 * n && fromRobust < 0.6 * n, `${fromRobust} of ${n} from the robust head`);
    }),
  );
  m.dispose();
});

test('gated-logreg: the ONNX graph gates as the engine does, both heads in one batch', async () => {
  const m = model();
  noGrad(() => tidy(() => m.fitOnDevInputs(tensor(rows([1, 1, 1, 1, 1], 5), [5, D]))));
  const scales = [0.2, 4, 1, 7, 0.5, 9];
  const x = rows(scales, 6);
  const blocks = scales.map((_, i) => ({ channels: 1, frames: 1, dims: D, data: x.slice(i * D, (i + 1) * D) }));
  const closed = noGrad(() => tidy(() => Array.from(m.closed(tensor(x, [scales.length, D])).toArray() as Uint8Array, Boolean)));
  assert.ok(closed.includes(true) && closed.includes(false), `both heads answer: ${closed}`);
  const e = exportOf(m, null);
  const onnx = await runOnnx(await sessionOf(e), e, blocks);
  const engine = noGrad(() =>
    tidy(
      () =>
        m
          .forward(tensor(x, [scales.length, D]))
          .softmax(-1)
          .toArray() as Float32Array,
    ),
  );
  const diff = maxAbsDiff(onnx.probs, engine);
  assert.ok(diff <= TOLERANCE, `ONNX vs engine: ${diff}`);
  m.dispose();
});

test('gated-logreg refuses configs it cannot gate, naming the field', () => {
  const make = (o: Record<string, unknown>) => () => createModel('gated-logreg', { inputDim: D, numClasses: C, ...o });
  assert.throws(make({}), /gated-logreg: robustDims is required/);
  assert.throws(make({ robustDims: D }), /robustDims \(10\) must be below the input width 10/);
  assert.throws(make({ robustDims: ROBUST, gateQuantile: 0 }), /gateQuantile/);
  assert.throws(make({ robustDims: ROBUST, gateQuantile: 1.5 }), /gateQuantile/);
  const m = model();
  assert.throws(() => m.fitOnDevInputs(tensor(new Float32Array(0), [0, D])), /at least one utterance/);
  m.dispose();
});

test('a gated-logreg run takes robustDims from its fused set, fits the gate on dev, exports to ONNX; a set that is not fused writes nothing', async (t) => {
  const { dir, cleanup } = tempDir();
  t.after(cleanup);
  const base = {
    corpus: { name: 'synthetic', options: { perClassPerSpeaker: 2 } },
    model: { name: 'gated-logreg' },
    training: { epochs: 2, batchSize: 16, lr: 3e-3, threads: 1 },
    folds: [0],
  };
  const out = join(dir, 'run');
  await trainRun(syntheticRunConfig({ ...base, features: { set: 'egemaps-ts+mel-functionals' } }), out, {
    cacheDir: join(dir, 'cache'),
    workers: 0,
  });
  const cfg = JSON.parse(readFileSync(join(out, 'config.json'), 'utf8'));
  const EGEMAPS_TS_DIMS = 85;
  assert.equal(cfg.model.options.robustDims, EGEMAPS_TS_DIMS);
  const weights = await loadSafetensors(join(out, 'fold-0', 'best.safetensors'));
  const thr = weights.tensors.get('gateThreshold')!;
  assert.ok(Number.isFinite((thr.data as Float32Array)[0]) && (thr.data as Float32Array)[0] > 0, `threshold ${thr.data}`);
  // Exported, ONNX Runtime predicts the corpus' files as the engine does.
  const wavs = syntheticWavs(join(dir, 'cache'), 2, 6);
  const onnxFile = join(dir, 'gated.onnx');
  await exportRun(out, onnxFile);
  const engine = await predictFiles(out, wavs, { fold: 0 });
  const onnx = await predictFilesOnnx(onnxFile, wavs, { intraOpThreads: 1 });
  assert.equal(onnx.predictions.length, wavs.length);
  onnx.predictions.forEach((p, i) =>
    p.probs.forEach((v, k) => assert.ok(Math.abs(v - engine.predictions[i].probs[k]) <= EXPORT_TOLERANCE, `${p.path} class ${k}`)),
  );

  const bad = join(dir, 'bad');
  await assert.rejects(
    trainRun(syntheticRunConfig({ ...base, features: { set: 'egemaps-ts' } }), bad, { cacheDir: join(dir, 'cache'), workers: 0 }),
    /model\.options\.robustDims: model 'gated-logreg' needs a fused feature set/,
  );
  assert.equal(existsSync(bad), false);
});
