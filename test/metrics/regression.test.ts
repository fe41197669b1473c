import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ccc, pearson, regressionMetrics, rmse } from '../../src/metrics/index.js';

const close = (a: number, b: number, tol = 1e-12) => assert.ok(Math.abs(a - b) < tol, `${a} vs ${b}`);
const x = [1, 2, 3, 4, 5];

test('CCC is 1 for identical series, lower for shifted or scaled ones (population moments)', () => {
  close(ccc(x, x), 1);
  // y = x + 1: ρ = 1, equal variances 2, mean gap 1 → 2·2 / (2 + 2 + 1) = 0.8.
  close(
    ccc(
      x,
      x.map((v) => v + 1),
    ),
    0.8,
  );
  // y = 2x: cov 4, variances 2 and 8, mean gap 3 → 8 / (2 + 8 + 9) = 8/19, while r stays 1.
  const y = x.map((v) => 2 * v);
  close(ccc(x, y), 8 / 19);
  close(pearson(x, y), 1);
  // Reversed: cov −2 → CCC −1 and r −1.
  close(ccc(x, [...x].reverse()), -1);
  close(pearson(x, [...x].reverse()), -1);
});

test('RMSE and regressionMetrics agree with hand-computed values', () => {
  const y = x.map((v) => 2 * v);
  close(rmse(x, y), Math.sqrt(11)); // mean of x² = 55 / 5
  const m = regressionMetrics(x, y);
  close(m.ccc, 8 / 19);
  close(m.pearson, 1);
  close(m.rmse, Math.sqrt(11));
  assert.equal(m.n, 5);
});

test('degenerate series give NaN, mismatched ones a clear error', () => {
  assert.ok(Number.isNaN(ccc([2, 2, 2], [2, 2, 2])));
  assert.ok(Number.isNaN(pearson([1, 2, 3], [4, 4, 4])));
  close(ccc([1, 2, 3], [4, 4, 4]), 0); // constant prediction: no concordance
  assert.throws(() => ccc([1], [1, 2]), /ccc: need two equal, non-empty series/);
  assert.throws(() => regressionMetrics([], []), /regressionMetrics: need two equal, non-empty/);
});
