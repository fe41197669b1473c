// Calibration end to end: training fits each fold's temperature on its dev set, prediction (engine
// and ONNX) reports the scaled posteriors, `--min-confidence` labels low-confidence files
// 'unknown', and the audit reports ECE before and after.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { auditRun } from '../../src/audit/index.js';
import { argmax } from '../../src/core/index.js';
import { UNKNOWN_LABEL, temperatureScaleRow } from '../../src/metrics/index.js';
import { CALIBRATION_FILE, UNCALIBRATED_NOTE, foldDir, predictFiles, readFoldCalibration } from '../../src/run/index.js';
import { exportRun } from '../../src/runtime/export/index.js';
import { predictFilesOnnx, readSidecar } from '../../src/runtime/index.js';
import { calibrateRun, trainRun } from '../../src/train/index.js';
import { syntheticRunConfig, syntheticWavs } from '../helpers/runs.js';
import { packageRoot } from '../../src/core/paths.js';
import { tempDir } from '../audio/helpers.js';

/** Engine and ONNX Runtime posteriors of the same fold agree to float noise. */
const SAME = 1e-4;

const cli = (...args: string[]) =>
  spawnSync(process.execPath, ['--import', 'tsx', join(packageRoot(), 'test', 'helpers', 'cli-entry.ts'), ...args], {
    cwd: packageRoot(),
    encoding: 'utf8',
  });

describe('calibrated probabilities', () => {
  let dir = '';
  let cleanup = () => {};
  let run = '';
  let wavs: string[] = [];
  before(async () => {
    ({ dir, cleanup } = tempDir());
    run = join(dir, 'run');
    const cacheDir = join(dir, 'cache');
    await trainRun(syntheticRunConfig(), run, { cacheDir, workers: 0 });
    wavs = syntheticWavs(cacheDir, 4, 6);
  });
  after(() => cleanup());

  test('every fold has a temperature fitted on its dev set, which does not raise the dev NLL', () => {
    const split = JSON.parse(readFileSync(join(run, 'split.json'), 'utf8')) as { folds: { dev: string[] }[] };
    for (let k = 0; k < 3; k++) {
      const c = readFoldCalibration(run, k);
      assert.ok(c, `fold ${k} has ${CALIBRATION_FILE}`);
      assert.equal(c.note, undefined);
      assert.equal(c.devUtterances, split.folds[k].dev.length);
      assert.ok(c.temperature > 0 && Number.isFinite(c.temperature));
      assert.ok(c.devNll.after! <= c.devNll.before! + 1e-9, `fold ${k}: NLL ${c.devNll.before} → ${c.devNll.after}`);
      const result = JSON.parse(readFileSync(join(foldDir(run, k), 'result.json'), 'utf8')) as { temperature: number };
      assert.equal(result.temperature, c.temperature);
    }
  });

  test("prediction scales the model's posteriors by the fold's temperature; the class never changes", async () => {
    const calibrated = await predictFiles(run, wavs, { fold: 0 });
    assert.equal(calibrated.temperatures[0].calibrated, true);
    const t = readFoldCalibration(run, 0)!.temperature;
    assert.equal(calibrated.temperatures[0].temperature, t);
    // The same run without its calibration file: the raw posteriors, reported as uncalibrated.
    const old = join(dir, 'old-run');
    cpSync(run, old, { recursive: true });
    rmSync(join(foldDir(old, 0), CALIBRATION_FILE));
    const raw = await predictFiles(old, wavs, { fold: 0 });
    assert.deepEqual(raw.temperatures[0], { fold: 0, temperature: 1, calibrated: false, note: UNCALIBRATED_NOTE });
    raw.predictions.forEach((p, i) => {
      const want = temperatureScaleRow(p.probs, t);
      calibrated.predictions[i].probs.forEach((q, c) => assert.ok(Math.abs(q - want[c]) < 1e-6, `${q} vs ${want[c]}`));
      assert.equal(argmax(calibrated.predictions[i].probs), argmax(p.probs));
    });
  });

  test("a threshold labels files below it 'unknown' and keeps their probabilities; a bad one is refused", async () => {
    const plain = await predictFiles(run, wavs);
    const top = plain.predictions.map((p) => Math.max(...p.probs));
    const threshold = [...top].sort((a, b) => a - b)[Math.floor(top.length / 2)];
    const r = await predictFiles(run, wavs, { minConfidence: threshold });
    r.predictions.forEach((p, i) => {
      assert.deepEqual(p.probs, plain.predictions[i].probs);
      assert.equal(p.label, top[i] >= threshold ? plain.predictions[i].label : UNKNOWN_LABEL);
    });
    assert.ok(r.predictions.some((p) => p.label === UNKNOWN_LABEL) && r.predictions.some((p) => p.label !== UNKNOWN_LABEL));
    await assert.rejects(
      predictFiles(run, wavs, { minConfidence: 1.5 }),
      /minConfidence: expected a probability between 0 and 1, got 1\.5/,
    );
  });

  test('the CLI: --min-confidence gives unknown labels; a bad value fails before anything is predicted', () => {
    const ok = cli('predict', '--model', run, '--format', 'json', '--min-confidence', '1', wavs[0]);
    assert.equal(ok.status, 0, ok.stderr);
    const out = JSON.parse(ok.stdout);
    assert.equal(out.predictions[0].label, UNKNOWN_LABEL, 'no posterior of a 4-class model reaches 1');
    assert.equal(out.calibration.length, 3);
    const bad = cli('predict', '--model', run, '--min-confidence', '2', wavs[0]);
    assert.notEqual(bad.status, 0);
    assert.match(bad.stderr, /--min-confidence/);
    assert.equal(bad.stdout, '');
  });

  test('the exported model carries the temperature; ONNX Runtime predicts the calibrated posteriors', async () => {
    const out = join(dir, 'model.onnx');
    await exportRun(run, out, { fold: 0 });
    const s = readSidecar(out);
    assert.equal(s.temperature, readFoldCalibration(run, 0)!.temperature);
    assert.equal(s.calibrated, true);
    const engine = await predictFiles(run, wavs, { fold: 0 });
    const onnx = await predictFilesOnnx(out, wavs, { windowSeconds: 60 });
    assert.deepEqual(onnx.calibration, { temperature: s.temperature, calibrated: true });
    onnx.predictions.forEach((p, i) =>
      p.probs.forEach((q, c) =>
        assert.ok(Math.abs(q - engine.predictions[i].probs[c]) < SAME, `${q} vs ${engine.predictions[i].probs[c]}`),
      ),
    );
  });

  test('calibrate fits the temperatures of a run trained without them, as training does; kept unless --force', async () => {
    const old = join(dir, 'uncalibrated');
    cpSync(run, old, { recursive: true });
    for (let k = 0; k < 3; k++) rmSync(join(foldDir(old, k), CALIBRATION_FILE));
    const lines: string[] = [];
    const r = await calibrateRun(old, { log: (l) => lines.push(l), cacheDir: join(dir, 'cache') });
    assert.deepEqual(
      r.map((f) => [f.fold, f.fitted]),
      [
        [0, true],
        [1, true],
        [2, true],
      ],
    );
    for (const f of r) {
      const trained = readFoldCalibration(run, f.fold)!;
      // The same dev posteriors up to float noise (features recomputed from the files); this small a
      // model is so under-confident (T near the range's floor) that the NLL is flat there.
      const rel = Math.abs(f.calibration.temperature - trained.temperature) / trained.temperature;
      assert.ok(rel < 0.1, `fold ${f.fold}: T ${f.calibration.temperature} vs ${trained.temperature} at training`);
      assert.ok(
        Math.abs(f.calibration.devNll.before! - trained.devNll.before!) < 0.01 * trained.devNll.before!,
        `fold ${f.fold}: raw dev NLL`,
      );
      assert.ok(f.calibration.devNll.after! <= f.calibration.devNll.before!);
      assert.equal(f.calibration.devUtterances, trained.devUtterances);
      assert.equal(readFoldCalibration(old, f.fold)!.temperature, f.calibration.temperature);
    }
    assert.match(lines[0], /^fold 0: T = \d+\.\d{3} — dev NLL \d+\.\d{3} → \d+\.\d{3}, ECE /);
    assert.ok(
      (await calibrateRun(old, { cacheDir: join(dir, 'cache') })).every((f) => !f.fitted),
      'kept without force',
    );
    // Fitting again from calibrated predictions undoes the current temperature first: the same T.
    const again = await calibrateRun(old, { force: true, cacheDir: join(dir, 'cache') });
    again.forEach((f, i) =>
      assert.ok(
        f.fitted && Math.abs(f.calibration.temperature - r[i].calibration.temperature) < 0.01 * r[i].calibration.temperature,
        `fold ${i}: ${f.calibration.temperature} vs ${r[i].calibration.temperature}`,
      ),
    );
    const bad = cli('calibrate', join(dir, 'nowhere'));
    assert.notEqual(bad.status, 0);
    assert.match(bad.stderr, /not a trustser run directory/);
  });

  test('the audit reports ECE before and after calibration, with one reliability row per bin', async () => {
    const r = await auditRun(run, { attacks: [], robustness: false, maxUtterancesPerFold: 4, resamples: 20 });
    const c = r.calibration;
    assert.ok(c, JSON.stringify(r.notMeasured));
    assert.equal(c.bins, 15);
    assert.equal(c.reliability.before.length, 15);
    assert.equal(c.reliability.after?.length, 15);
    assert.equal(
      c.reliability.before.reduce((a, b) => a + b.count, 0),
      (JSON.parse(readFileSync(join(run, 'split.json'), 'utf8')) as { folds: { test: string[] }[] }).folds.flatMap((f) => f.test).length,
      'every test utterance once',
    );
    assert.equal(c.folds.length, 3);
    assert.ok(c.folds.every((f) => f.calibrated));
    assert.ok(c.eceBefore >= 0 && c.eceBefore <= 1 && c.eceAfter! >= 0 && c.eceAfter! <= 1);
    const html = readFileSync(join(run, 'trust.html'), 'utf8');
    assert.match(html, /Calibration error \(ECE\)/);
  });
});
