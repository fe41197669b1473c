// Calibrated countermeasure scores: the logistic fit, its file, and the commands that read it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeRng } from '../../src/core/index.js';
import { packageRoot } from '../../src/core/paths.js';
import { fitSpoofCalibration, spoofProbability, spoofReliability } from '../../src/metrics/index.js';
import {
  calibrateScores,
  loadSpoofManifest,
  readCalibration,
  scoresCsv,
  writeCalibration,
  type SpoofScore,
} from '../../src/spoof/index.js';
import { tempDir } from '../audio/helpers.js';

const root = packageRoot();
const cli = (...args: string[]) =>
  spawnSync(process.execPath, ['--import', 'tsx', join(root, 'test', 'helpers', 'cli-entry.ts'), ...args], { cwd: root, encoding: 'utf8' });

/** Scores of two unit-variance Gaussians at ±1: the true log-odds of bona fide are 2·s. */
function gaussianScores(n: number, seed = 3): { bona: number[]; spoof: number[] } {
  const rng = makeRng(seed);
  const normal = () => Math.sqrt(-2 * Math.log(1 - rng.next())) * Math.cos(2 * Math.PI * rng.next());
  return { bona: Array.from({ length: n }, () => 1 + normal()), spoof: Array.from({ length: n }, () => -1 + normal()) };
}

test('spoof calibration: the logistic fit finds the known log-odds, the EER threshold, and calibrated probabilities', () => {
  const { bona, spoof } = gaussianScores(20000);
  const c = fitSpoofCalibration(bona, spoof);
  assert.ok(Math.abs(c.slope - 2) < 0.08, `slope ${c.slope}`);
  assert.ok(Math.abs(c.intercept) < 0.05, `intercept ${c.intercept}`);
  assert.ok(Math.abs(c.threshold) < 0.05, `threshold ${c.threshold}`);
  // EER of N(±1, 1) is Φ(−1) = 15.9 %.
  assert.ok(Math.abs(c.dev.eer - 0.1587) < 0.01, `EER ${c.dev.eer}`);
  assert.ok(Math.abs(spoofProbability(c, 0) - 0.5) < 0.02);
  const truth = [...bona.map(() => true), ...spoof.map(() => false)];
  const calibrated = spoofReliability(
    [...bona, ...spoof].map((s) => spoofProbability(c, s)),
    truth,
  );
  // An overconfident map of the same scores (log-odds 10·s) is badly calibrated.
  const over = spoofReliability(
    [...bona, ...spoof].map((s) => 1 / (1 + Math.exp(10 * s))),
    truth,
  );
  assert.ok(calibrated.ece < 0.015, `calibrated ECE ${calibrated.ece}`);
  assert.ok(over.ece > 0.08, `overconfident ECE ${over.ece}`);
  // Separable dev scores still give finite parameters, and the threshold separates them.
  const sep = fitSpoofCalibration([5, 6, 7], [-7, -6, -5]);
  assert.ok(Number.isFinite(sep.slope) && sep.slope > 0 && Number.isFinite(sep.intercept));
  assert.ok(spoofProbability(sep, 6) < 0.01 && spoofProbability(sep, -6) > 0.99);
  assert.equal(sep.dev.eer, 0);
  assert.throws(() => fitSpoofCalibration([1, 2], []), /needs bona fide and spoof trials \(has 2 and 0\)/);
  assert.throws(() => fitSpoofCalibration([1, Number.NaN], [0]), /finite/);
});

test('spoof calibrate → evaluate / score columns: P(spoof) and the threshold verdict; bad files are refused naming the field', async (t) => {
  const { dir, cleanup } = tempDir();
  t.after(cleanup);
  const { bona, spoof } = gaussianScores(200, 5);
  const rows = [...bona.map((s, i) => ({ s, key: 'bonafide', i })), ...spoof.map((s, i) => ({ s, key: 'spoof', i: i + bona.length }))];
  // The manifest loader checks the audio files exist; calibration only reads their scores.
  for (const r of rows) writeFileSync(join(dir, `clip${r.i}.wav`), '');
  const manifest = join(dir, 'dev.csv');
  writeFileSync(manifest, `path,label,speaker,spoof\n${rows.map((r) => `clip${r.i}.wav,neutral,s${r.i % 7},${r.key}`).join('\n')}\n`);
  // Logits as an overconfident model would give them (5·s): the model's own softmax is off.
  const scores = join(dir, 'dev-scores.csv');
  writeFileSync(
    scores,
    `path,score,logit_spoof,logit_bonafide\n${rows.map((r) => `${join(dir, `clip${r.i}.wav`)},${r.s},${-2.5 * r.s},${2.5 * r.s}`).join('\n')}\n`,
  );
  const out = join(dir, 'calibration.json');
  const r = cli('spoof', 'calibrate', '--scores', scores, '--manifest', manifest, '--out', out);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /spoof below score -?\d\.\d{4} \(the dev set's EER \d+\.\d\d %, 200 bona fide \+ 200 spoof trials\)/);
  const ece = /dev ECE: ([\d.]+) % with the model's own softmax, ([\d.]+) % calibrated/.exec(r.stdout);
  assert.ok(ece && Number(ece[2]) < Number(ece[1]), r.stdout);
  const c = readCalibration(out);
  const fit = calibrateScores(
    rows.map((x) => ({ path: join(dir, `clip${x.i}.wav`), score: x.s })),
    await loadSpoofManifest(manifest),
  );
  assert.deepEqual(c, fit.calibration);
  assert.equal(fit.before, null, 'no logit columns: no "before"');

  const e = cli('spoof', 'evaluate', '--scores', scores, '--manifest', manifest, '--calibration', out);
  assert.equal(e.status, 0, e.stderr);
  assert.match(e.stdout, /ECE of its P\(spoof\) here: [\d.]+ % over 400 trials/);

  const s: SpoofScore = { path: 'a.wav', score: c.threshold + 1, logits: [0, c.threshold + 1], windows: 2, seconds: 6, scoredSeconds: 6 };
  const csv = scoresCsv([s, { ...s, path: 'b.wav', score: c.threshold - 1 }], c)
    .trim()
    .split('\n');
  assert.equal(csv[0], 'path,score,logit_spoof,logit_bonafide,windows,duration_s,scored_s,p_spoof,verdict');
  assert.match(csv[1], /,bonafide$/);
  assert.match(csv[2], /,spoof$/);

  // A calibration file with a wrong field, and scores of one class only: clear errors, no file written.
  const bad = join(dir, 'bad.json');
  await writeCalibration(bad, c, { scores, manifest });
  const text = readFileSync(bad, 'utf8').replace('"kind": "logistic"', '"kind": "isotonic"');
  writeFileSync(bad, text);
  assert.throws(
    () => readCalibration(bad),
    (err: Error) => err.message.startsWith(bad) && /calibration\.kind/.test(err.message),
  );
  const oneClass = join(dir, 'one.csv');
  writeFileSync(oneClass, `path,score\n${bona.map((x, i) => `${join(dir, `clip${i}.wav`)},${x}`).join('\n')}\n`);
  const none = join(dir, 'none.json');
  const f = cli('spoof', 'calibrate', '--scores', oneClass, '--manifest', manifest, '--out', none);
  assert.notEqual(f.status, 0);
  assert.match(f.stderr, /needs bona fide and spoof trials \(has 200 and 0\)/);
  assert.ok(!existsSync(none));
  assert.deepEqual(
    readdirSync(dir).filter((x) => x.includes('.tmp')),
    [],
  );
});
