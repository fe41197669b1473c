import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  averageOdds,
  demographicParity,
  equalityOfOpportunity,
  fairnessMetrics,
  groupPerformance,
  statisticalParity,
  trueRatesDifference,
  zipPredictions,
  type GroupedPrediction,
} from '../../src/metrics/index.js';

// The holisticai documentation example (docs/metrics.md, "Known answers").
const P_ATTR = ['A', 'A', 'A', 'A', 'B', 'B', 'B', 'B', 'C', 'C'];
const Y_PRED = [0, 1, 2, 0, 1, 2, 0, 1, 2, 0];
const Y_TRUE = [0, 1, 1, 0, 1, 0, 2, 1, 2, 1];
const KNOWN = zipPredictions(Y_TRUE, Y_PRED, P_ATTR);

function close(actual: number, expected: number, tol = 1e-12): void {
  assert.ok(Math.abs(actual - expected) <= tol, `${actual} ≠ ${expected}`);
}

/** Builds predictions for one group from (truth, pred) pairs. */
function group(name: string, pairs: [number, number][]): GroupedPrediction[] {
  return pairs.map(([truth, pred]) => ({ truth, pred, group: name }));
}

test('the known answers of docs/metrics.md are reproduced exactly', () => {
  assert.equal(statisticalParity(KNOWN, 3).max, 0.5);
  assert.equal(equalityOfOpportunity(KNOWN, 3).mean, 0.7962962962962963);
  assert.equal(trueRatesDifference(KNOWN, 3).mean, 0.6666666666666666);
  assert.equal(averageOdds(KNOWN, 3).mean, 0.16666666666666666);
  const all = fairnessMetrics(KNOWN, 3);
  assert.equal(all.statisticalParity.max, 0.5);
  assert.equal(all.equalityOfOpportunity.mean, 0.7962962962962963);
  assert.equal(all.trueRates.mean, 0.6666666666666666);
  assert.equal(all.averageOdds.mean, 0.16666666666666666);
  assert.deepEqual(all.groups, ['A', 'B', 'C']);
});

test('statistical parity on the known example, by hand', () => {
  // rates: A = [1/2, 1/4, 1/4], B = [1/4, 1/2, 1/4], C = [1/2, 0, 1/2]
  // d(A,B) = ½(1/4 + 1/4 + 0) = 1/4; d(A,C) = ½(0 + 1/4 + 1/4) = 1/4; d(B,C) = ½(1/4 + 1/2 + 1/4) = 1/2
  const sp = statisticalParity(KNOWN, 3);
  assert.deepEqual(sp.byGroup, { A: [0.5, 0.25, 0.25], B: [0.25, 0.5, 0.25], C: [0.5, 0, 0.5] });
  assert.deepEqual(
    sp.pairs.map((p) => [p.a, p.b, p.value]),
    [
      ['A', 'B', 0.25],
      ['A', 'C', 0.25],
      ['B', 'C', 0.5],
    ],
  );
  assert.deepEqual(sp.worst, { a: 'B', b: 'C' });
  close(sp.mean, 1 / 3);
  assert.deepEqual(sp.pairs[2].perClass, [0.125, 0.25, 0.125]);
});

test('the absent-class column is uniform (holisticai smoothing), which the known EO answer needs', () => {
  // Group C has no truth of class 0, group A none of class 2: their columns are 1/3 each.
  const eo = equalityOfOpportunity(KNOWN, 3);
  const c = eo.byGroup.C; // truth-major: c[t][p] = P(ŷ = p | y = t)
  for (const v of c[0]) close(v, 1 / 3, 1e-15);
  close(c[1][0], 1);
  close(c[2][2], 1);
  // Per pair by hand: d(A,B) = 13/18, d(A,C) = 7/9, d(B,C) = 8/9; mean = 43/54.
  close(eo.pairs[0].value, 13 / 18);
  close(eo.pairs[1].value, 7 / 9);
  close(eo.pairs[2].value, 8 / 9);
  close(eo.max, 8 / 9);
  // perClass splits each distance by true class.
  for (const p of eo.pairs)
    close(
      p.perClass.reduce((a, b) => a + b, 0),
      p.value,
    );
});

test('identical groups score 0 on every metric', () => {
  const pairs: [number, number][] = [
    [0, 0],
    [0, 1],
    [1, 1],
    [2, 0],
    [2, 2],
    [1, 2],
  ];
  const preds = [...group('f', pairs), ...group('m', pairs), ...group('m', pairs)];
  const all = fairnessMetrics(preds, 3);
  for (const m of [all.statisticalParity, all.demographicParity]) {
    assert.equal(m.max, 0, m.metric);
    assert.equal(m.mean, 0, m.metric);
  }
  // The confusion-based metrics keep holisticai's smoothing residue: 1e-32 added to the counts
  // of groups of different sizes leaves differences of order 1e-33 (as holisticai does).
  for (const m of [all.equalityOfOpportunity, all.trueRates, all.averageOdds]) {
    assert.ok(m.max >= 0 && m.max < 1e-30, `${m.metric}: ${m.max}`);
  }
  // Groups of equal size are exactly 0.
  const same = fairnessMetrics([...group('f', pairs), ...group('m', pairs)], 3);
  for (const k of ['statisticalParity', 'equalityOfOpportunity', 'trueRates', 'averageOdds', 'demographicParity'] as const) {
    assert.equal(same[k].max, 0, k);
  }
});

test('disjoint predictions give statistical parity 1; flipped errors separate EO from average odds', () => {
  // f always predicted 0, m always 1: prediction-rate vectors [1, 0] and [0, 1].
  const sp = statisticalParity(
    [
      ...group('f', [
        [0, 0],
        [1, 0],
      ]),
      ...group('m', [
        [0, 1],
        [1, 1],
      ]),
    ],
    2,
  );
  assert.equal(sp.max, 1);
  assert.equal(sp.mean, 1);
  // f perfect (M = I), m always wrong (M = anti-diagonal): Σ|diff| = 4, /(2K = 4) = 1; true
  // rates mean |1 − 0| = 1; average odds: per predicted class the column sums are 1 and 1 in
  // both groups, so 0 — the errors cancel.
  const preds = [
    ...group('f', [
      [0, 0],
      [0, 0],
      [1, 1],
      [1, 1],
    ]),
    ...group('m', [
      [0, 1],
      [0, 1],
      [1, 0],
      [1, 0],
    ]),
  ];
  assert.equal(equalityOfOpportunity(preds, 2).max, 1);
  assert.equal(trueRatesDifference(preds, 2).max, 1);
  assert.equal(averageOdds(preds, 2).max, 0);
  assert.equal(statisticalParity(preds, 2).max, 0);
  // Demographic parity: p_f = [2/4, 2/4], p_m = [0, 0] → max_c |diff| = 1/2.
  const dp = demographicParity(preds, 2);
  assert.deepEqual(dp.byGroup, { f: [0.5, 0.5], m: [0, 0] });
  assert.deepEqual(dp.pairs[0].perClass, [0.5, 0.5]);
  assert.equal(dp.max, 0.5);
});

test('an absent class in one group: EO and true rates by hand', () => {
  // a: truth [0, 1] predicted right → M_a = I. b: truth [0, 0] predicted 0 → column 0 = [1, 0],
  // column 1 (absent) = [1/2, 1/2]. EO = (|0 − 1/2| + |1 − 1/2|) / 4 = 1/4;
  // true rates = (|1 − 1| + |1 − 1/2|) / 2 = 1/4; average odds: column sums per predicted
  // class a = [1, 1], b = [3/2, 1/2] → (1/2 + 1/2) / 4 = 1/4.
  const preds = [
    ...group('a', [
      [0, 0],
      [1, 1],
    ]),
    ...group('b', [
      [0, 0],
      [0, 0],
    ]),
  ];
  close(equalityOfOpportunity(preds, 2).max, 0.25);
  close(trueRatesDifference(preds, 2).max, 0.25);
  close(averageOdds(preds, 2).max, 0.25);
  // Demographic parity (no smoothing): p_a = [1/2, 1/2], p_b = [1, 0] → 1/2.
  assert.equal(demographicParity(preds, 2).max, 0.5);
});

test('demographic parity (Trust-SER) over two groups and, for more, the worst pair', () => {
  const male = group('male', [
    [0, 0],
    [0, 0],
    [1, 1],
    [1, 0],
  ]); // p = [2/4, 1/4]
  const female = group('female', [
    [0, 1],
    [0, 0],
    [1, 1],
    [1, 1],
    [2, 2],
  ]); // p = [1/5, 2/5, 1/5]
  const dp2 = demographicParity([...male, ...female], 3);
  // |1/2 − 1/5| = 0.3, |1/4 − 2/5| = 0.15, |0 − 1/5| = 0.2 → 0.3
  close(dp2.max, 0.3);
  assert.equal(dp2.max, dp2.mean);
  const other = group('other', [
    [0, 0],
    [1, 1],
    [2, 2],
    [2, 2],
  ]); // p = [1/4, 1/4, 1/2]
  const dp3 = demographicParity([...male, ...female, ...other], 3);
  // pairs (female, male) 0.3; (female, other) max(0.05, 0.15, 0.3) = 0.3; (male, other) max(0.25, 0, 0.5) = 0.5
  close(dp3.max, 0.5);
  close(dp3.mean, (0.3 + 0.3 + 0.5) / 3);
  assert.deepEqual(dp3.worst, { a: 'male', b: 'other' });
});

test('the class set defaults to the observed classes; an explicit one changes the normalisation', () => {
  // K = 4 but class 3 never occurs: same numbers as K = 3 (holisticai's default class set).
  const eo4 = equalityOfOpportunity(KNOWN, 4);
  assert.deepEqual(eo4.classes, [0, 1, 2]);
  assert.equal(eo4.mean, 0.7962962962962963);
  // Forcing C = {0, 1, 2, 3} adds a uniform column to every group (no difference) and K = 4.
  const forced = equalityOfOpportunity(KNOWN, 4, { classes: [0, 1, 2, 3] });
  assert.equal(forced.classes.length, 4);
  assert.ok(forced.mean < eo4.mean);
  // Statistical parity does not depend on the class set.
  assert.equal(statisticalParity(KNOWN, 4, { classes: [0, 1, 2, 3] }).max, 0.5);
  assert.throws(() => equalityOfOpportunity(KNOWN, 3, { classes: [0, 1] }), /class 2 occurs in the data but not in the class set/);
  assert.throws(() => equalityOfOpportunity(KNOWN, 3, { classes: [0, 1, 2, 2] }), /listed twice/);
});

test('an explicit group list sets the order of pairs', () => {
  const sp = statisticalParity(KNOWN, 3, { groups: ['C', 'B', 'A'] });
  assert.deepEqual(
    sp.pairs.map((p) => `${p.a}-${p.b}`),
    ['C-B', 'C-A', 'B-A'],
  );
  assert.equal(sp.max, 0.5);
});

test('per-group performance reuses the classification metrics', () => {
  const perf = groupPerformance(KNOWN, 3);
  assert.deepEqual(perf.groups, ['A', 'B', 'C']);
  assert.deepEqual(perf.sizes, { A: 4, B: 4, C: 2 });
  const a = perf.byGroup.A; // truth [0, 1, 1, 0], pred [0, 1, 2, 0]
  assert.equal(a.n, 4);
  assert.equal(a.wa, 3 / 4);
  assert.equal(a.ua, (1 + 0.5) / 2);
  assert.deepEqual(a.recall, [1, 0.5, null]);
  assert.deepEqual(a.confusion, [
    [2, 0, 0],
    [0, 1, 1],
    [0, 0, 0],
  ]);
  const c = perf.byGroup.C; // truth [2, 1], pred [2, 0]
  assert.equal(c.wa, 0.5);
  assert.deepEqual(c.recall, [null, 0, 1]);
  // JSON-serializable as is.
  assert.deepEqual(JSON.parse(JSON.stringify(perf)), perf);
});

test('clear errors: lengths, labels, groups', () => {
  assert.throws(() => zipPredictions([0, 1], [0], ['a', 'b']), /mismatched lengths: 2 labels, 1 predictions, 2 group values/);
  assert.throws(() => zipPredictions([0, 1], [0, 1], ['a']), /mismatched lengths/);
  assert.throws(() => statisticalParity([], 3), /no predictions/);
  assert.throws(() => statisticalParity(zipPredictions([0, 3], [0, 1], ['a', 'b']), 3), /label 3 of prediction 1 is outside 0\.\.2/);
  assert.throws(() => statisticalParity(zipPredictions([0, 1], [0, -1], ['a', 'b']), 3), /prediction -1 at index 1 is outside 0\.\.2/);
  assert.throws(() => statisticalParity(zipPredictions([0, 1], [0, 1.5], ['a', 'b']), 3), /outside 0\.\.2/);
  assert.throws(() => statisticalParity(zipPredictions([0, 1], [0, 1], ['a', 'a']), 3), /at least two groups.*got 1 \('a'\)/);
  assert.throws(() => equalityOfOpportunity(KNOWN, 3, { groups: ['A', 'B', 'C', 'D'] }), /group 'D' is empty/);
  assert.throws(() => equalityOfOpportunity(KNOWN, 3, { groups: ['A', 'B'] }), /group 'C' occurs in the data but is not in the group list/);
  assert.throws(
    () =>
      demographicParity(
        [
          { truth: 0, pred: 0, group: '' },
          { truth: 0, pred: 0, group: 'x' },
        ],
        2,
      ),
    /prediction 0 has no group/,
  );
  assert.throws(() => statisticalParity(KNOWN, 1), /numClasses must be an integer ≥ 2/);
});
