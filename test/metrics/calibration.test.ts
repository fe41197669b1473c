// Calibration metrics against known answers (docs/metrics.md): the hand-computed ECE example,
// temperature scaling as softmax(z / T), and fitted temperatures on simulated predictions whose
// labels are drawn from known probabilities (T ≈ 1 when calibrated, > 1 when over-confident,
// < 1 when under-confident).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  PROBABILITY_FLOOR,
  TEMPERATURE_RANGE,
  checkMinConfidence,
  expectedCalibrationError,
  fitTemperature,
  isConfident,
  negativeLogLikelihood,
  temperatureScale,
} from '../../src/metrics/index.js';
import { makeRng, type Rng } from '../../src/core/index.js';

const close = (a: number, b: number, tol = 1e-12) => assert.ok(Math.abs(a - b) <= tol, `${a} vs ${b}`);

function softmax(z: readonly number[]): number[] {
  const m = Math.max(...z);
  const e = z.map((v) => Math.exp(v - m));
  const s = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / s);
}

/** n posteriors over `k` classes (logits N(0, spread²)) and labels drawn from them: calibrated by construction. */
function calibrated(rng: Rng, n: number, k: number, spread: number): { probs: number[][]; truth: number[] } {
  const probs: number[][] = [];
  const truth: number[] = [];
  for (let i = 0; i < n; i++) {
    const p = softmax(Array.from({ length: k }, () => spread * rng.normal()));
    let u = rng.next();
    let y = 0;
    while (y < k - 1 && u >= p[y]) u -= p[y++];
    probs.push(p);
    truth.push(y);
  }
  return { probs, truth };
}

/** Each row raised to `power` and renormalized: > 1 sharpens (over-confident), < 1 softens. */
const powered = (probs: number[][], power: number) =>
  probs.map((p) => {
    const q = p.map((v) => v ** power);
    const s = q.reduce((a, b) => a + b, 0);
    return q.map((v) => v / s);
  });

describe('expected calibration error', () => {
  // docs/metrics.md: five predictions, three classes, five bins.
  const probs = [
    [0.9, 0.05, 0.05],
    [0.1, 0.7, 0.2],
    [0.3, 0.6, 0.1],
    [0.15, 0.05, 0.8],
    [0.45, 0.35, 0.2],
  ];
  const truth = [0, 1, 0, 0, 0];

  test('the worked example: ECE = 0.13, with the reliability table', () => {
    const r = expectedCalibrationError(probs, truth, 5);
    close(r.ece, 0.13);
    assert.equal(r.n, 5);
    assert.deepEqual(
      r.bins.map((b) => [b.lower, b.upper, b.count]),
      [
        [0, 0.2, 0],
        [0.2, 0.4, 0],
        [0.4, 0.6, 2],
        [0.6, 0.8, 2],
        [0.8, 1, 1],
      ],
    );
    // Confidences on an edge (0.6, 0.8) belong to the bin below it: (lower, upper].
    assert.equal(r.bins[2].accuracy, 0.5);
    close(r.bins[2].confidence!, 0.525);
    assert.equal(r.bins[3].accuracy, 0.5);
    close(r.bins[3].confidence!, 0.75);
    assert.equal(r.bins[4].accuracy, 1);
    close(r.bins[4].confidence!, 0.9);
    assert.equal(r.bins[0].accuracy, null);
    assert.equal(r.bins[0].confidence, null);
  });

  test('15 bins by default; perfect, confident predictions have ECE 0; always-wrong ones ECE = their confidence', () => {
    assert.equal(expectedCalibrationError(probs, truth).bins.length, 15);
    close(
      expectedCalibrationError(
        [
          [1, 0],
          [0, 1],
        ],
        [0, 1],
      ).ece,
      0,
    );
    close(
      expectedCalibrationError(
        [
          [0.7, 0.3],
          [0.2, 0.8],
        ],
        [1, 0],
      ).ece,
      0.75,
    );
  });

  test('bad input is refused with a clear error', () => {
    assert.throws(() => expectedCalibrationError([], []), /expectedCalibrationError: no predictions/);
    assert.throws(() => expectedCalibrationError([[1], [1]], [0, 0]), /at least 2 classes, got 1/);
    assert.throws(() => expectedCalibrationError(probs, [0, 1]), /5 probability rows but 2 labels/);
    assert.throws(() => expectedCalibrationError([[0.5, 0.5], [1]], [0, 0]), /row 1 has 1 probabilities, row 0 has 2/);
    assert.throws(() => expectedCalibrationError([[0.5, 0.5]], [2]), /label 2 of row 0 is not a class index 0\.\.1/);
    assert.throws(() => expectedCalibrationError([[0.5, 0.6]], [0]), /row 0 sums to 1\.1, not 1/);
    assert.throws(() => expectedCalibrationError([[Number.NaN, 1]], [0]), /row 0 holds NaN, not a probability/);
    assert.throws(() => expectedCalibrationError(probs, truth, 0), /bins must be an integer ≥ 1, got 0/);
    assert.throws(() => expectedCalibrationError(probs, truth, 2.5), /bins must be an integer ≥ 1, got 2\.5/);
  });
});

describe('temperature scaling', () => {
  test('scaling softmax(z) by T is softmax(z / T); T = 1 changes nothing; the top class stays', () => {
    const z = [2.0, -1.0, 0.5, 0.1];
    for (const t of [0.3, 1, 2.5]) {
      const [q] = temperatureScale([softmax(z)], t);
      softmax(z.map((v) => v / t)).forEach((v, k) => close(q[k], v, 1e-12));
    }
    const p = [0.1, 0.6, 0.3];
    assert.deepEqual(temperatureScale([p], 1), [p]);
    const [soft] = temperatureScale([p], 4);
    assert.ok(soft[1] < 0.6 && soft[1] > soft[2] && soft[2] > soft[0], 'T > 1 softens, keeping the order');
  });

  test('a zero probability stays zero; its log-likelihood is floored, not infinite', () => {
    const [q] = temperatureScale([[0, 0.25, 0.75]], 0.5);
    assert.equal(q[0], 0);
    close(q[1], 0.1, 1e-12);
    close(negativeLogLikelihood([[0, 1]], [0]), -Math.log(PROBABILITY_FLOOR));
  });

  test('a bad temperature or empty input is refused', () => {
    assert.throws(() => temperatureScale([[0.5, 0.5]], 0), /temperature must be a finite number > 0, got 0/);
    assert.throws(() => temperatureScale([[0.5, 0.5]], -2), /got -2/);
    assert.throws(() => temperatureScale([[0.5, 0.5]], Number.POSITIVE_INFINITY), /got Infinity/);
    assert.throws(() => temperatureScale([], 2), /temperatureScale: no predictions/);
    assert.throws(() => temperatureScale([[1]], 2), /at least 2 classes/);
    assert.throws(() => temperatureScale([[0, 0]], 2), /row 0 is all zeros/);
  });
});

describe('fitting the temperature', () => {
  const { probs, truth } = calibrated(makeRng(7), 20000, 4, 1.5);

  test('calibrated posteriors fit T ≈ 1; their NLL is (almost) not improved', () => {
    const t = fitTemperature(probs, truth);
    assert.ok(Math.abs(t - 1) < 0.1, `T = ${t}`);
    assert.ok(negativeLogLikelihood(probs, truth, t) <= negativeLogLikelihood(probs, truth));
  });

  test('over-confident posteriors (calibrated ones cubed) fit T ≈ 3 > 1, and calibration lowers NLL and ECE', () => {
    const sharp = powered(probs, 3);
    const t = fitTemperature(sharp, truth);
    assert.ok(t > 2.7 && t < 3.3, `T = ${t}`);
    assert.ok(negativeLogLikelihood(sharp, truth, t) < negativeLogLikelihood(sharp, truth));
    const before = expectedCalibrationError(sharp, truth).ece;
    const after = expectedCalibrationError(temperatureScale(sharp, t), truth).ece;
    assert.ok(before > 0.15 && after < 0.02, `ECE ${before} → ${after}`);
  });

  test('under-confident posteriors (calibrated ones to the power 1/3) fit T ≈ 1/3 < 1', () => {
    const soft = powered(probs, 1 / 3);
    const t = fitTemperature(soft, truth);
    assert.ok(t > 0.3 && t < 0.37, `T = ${t}`);
    assert.ok(expectedCalibrationError(temperatureScale(soft, t), truth).ece < expectedCalibrationError(soft, truth).ece);
  });

  test('deterministic, and bounded by the search range when every prediction is right', () => {
    assert.equal(fitTemperature(probs.slice(0, 500), truth.slice(0, 500)), fitTemperature(probs.slice(0, 500), truth.slice(0, 500)));
    const t = fitTemperature(
      [
        [0.6, 0.4],
        [0.3, 0.7],
      ],
      [0, 1],
    );
    assert.ok(Math.abs(t - TEMPERATURE_RANGE.min) < 1e-6, `T = ${t}`);
  });

  test('bad input is refused with a clear error', () => {
    assert.throws(() => fitTemperature([], []), /fitTemperature: no predictions/);
    assert.throws(() => fitTemperature([[1]], [0]), /fitTemperature: posteriors need at least 2 classes, got 1/);
    assert.throws(() => fitTemperature(probs.slice(0, 3), truth.slice(0, 2)), /3 probability rows but 2 labels/);
  });
});

describe('confidence thresholds', () => {
  test('a threshold is a probability in [0, 1]; 0 is off', () => {
    assert.equal(checkMinConfidence(0.5, '--min-confidence'), 0.5);
    assert.throws(
      () => checkMinConfidence(-0.1, '--min-confidence'),
      /--min-confidence: expected a probability between 0 and 1, got -0\.1/,
    );
    assert.throws(() => checkMinConfidence(1.5, 'minConfidence'), /minConfidence: .* got 1\.5/);
    assert.throws(() => checkMinConfidence(Number.NaN, 'minConfidence'), /got NaN/);
    assert.equal(isConfident([0.4, 0.6], 0.6), true);
    assert.equal(isConfident([0.4, 0.6], 0.61), false);
    assert.equal(isConfident([0.5, 0.5], 0), true);
  });
});
