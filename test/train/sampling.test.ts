import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeRng } from '../../src/core/index.js';
import { beta, classWeights, epochOrder } from '../../src/train/sampling.js';

test('class weights are inverse frequencies normalized to mean 1 over present classes', () => {
  const w = classWeights([0, 0, 0, 1, 2, 2], 4);
  // raw 1/3, 1, 1/2, 0 → sum 11/6, scale 3 / (11/6) = 18/11
  assert.deepEqual(
    Array.from(w, (v) => Number(v.toFixed(6))),
    [6 / 11, 18 / 11, 9 / 11, 0].map((v) => Number(v.toFixed(6))),
  );
});

test('oversampling tops every class up to the largest one', () => {
  const labels = [0, 0, 0, 0, 1, 2, 2];
  const order = epochOrder(labels, makeRng(1), { oversample: true, bootstrap: false });
  const counts = [0, 0, 0];
  for (const i of order) counts[labels[i]]++;
  assert.deepEqual(counts, [4, 4, 4]);
  assert.ok(
    [0, 1, 2, 3].every((i) => order.includes(i)),
    'every original example appears',
  );
});

test('a plain epoch is a permutation; bootstrap draws with replacement', () => {
  const labels = Array.from({ length: 50 }, (_, i) => i % 5);
  const perm = epochOrder(labels, makeRng(2), { oversample: false, bootstrap: false });
  assert.deepEqual(
    [...perm].sort((a, b) => a - b),
    labels.map((_, i) => i),
  );
  const boot = epochOrder(labels, makeRng(2), { oversample: false, bootstrap: true });
  assert.equal(boot.length, 50);
  assert.ok(new Set(boot).size < 50, 'bootstrap repeats some examples');
});

test('Beta draws have the right mean and stay in (0, 1)', () => {
  const rng = makeRng(3);
  for (const [a, b] of [
    [0.2, 0.2],
    [2, 5],
  ]) {
    const xs = Array.from({ length: 20000 }, () => beta(a, b, rng));
    assert.ok(xs.every((x) => x >= 0 && x <= 1));
    const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
    assert.ok(Math.abs(mean - a / (a + b)) < 0.01, `Beta(${a}, ${b}) mean ${mean}`);
  }
});
