import { test } from 'node:test';
import assert from 'node:assert/strict';
import { classificationMetrics, meanStd } from '../../src/metrics/index.js';

test('WA, UA, macro-F1 and the confusion matrix on a hand-checked example', () => {
  // truth: 3× class 0, 1× class 1, 2× class 2; class 3 absent.
  const truth = [0, 0, 0, 1, 2, 2];
  const pred = [0, 0, 1, 1, 2, 0];
  const m = classificationMetrics(truth, pred, 4);
  assert.equal(m.wa, 4 / 6);
  // recalls: 2/3, 1, 1/2 → UA over present classes = (2/3 + 1 + 1/2) / 3
  assert.ok(Math.abs(m.ua - (2 / 3 + 1 + 0.5) / 3) < 1e-12);
  assert.ok(Number.isNaN(m.recall[3]));
  // precision: c0 2/3, c1 1/2, c2 1 → F1: c0 2/3, c1 2/3, c2 2/3
  assert.ok(Math.abs(m.macroF1 - 2 / 3) < 1e-12);
  assert.deepEqual(m.confusion, [
    [2, 1, 0, 0],
    [0, 1, 0, 0],
    [1, 0, 1, 0],
    [0, 0, 0, 0],
  ]);
});

test('bad inputs give clear errors', () => {
  assert.throws(() => classificationMetrics([0, 1], [0], 2), /2 labels but 1 predictions/);
  assert.throws(() => classificationMetrics([], [], 2), /no predictions/);
  assert.throws(() => classificationMetrics([0, 5], [0, 1], 2), /outside 0\.\.1/);
});

test('meanStd uses the sample standard deviation', () => {
  const s = meanStd([1, 2, 3, 4]);
  assert.equal(s.mean, 2.5);
  assert.ok(Math.abs(s.std - Math.sqrt(5 / 3)) < 1e-12);
  assert.deepEqual(meanStd([7]), { mean: 7, std: 0 });
});
