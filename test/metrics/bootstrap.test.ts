import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeRng } from '../../src/core/index.js';
import {
  bootstrapCi,
  bootstrapCis,
  fairnessMetrics,
  fairnessReport,
  groupPerformance,
  isBootstrapCi,
  quantileSorted,
  toInterval,
  wilsonInterval,
  type ReportPrediction,
} from '../../src/metrics/index.js';

const mean = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;

test('percentile quantiles interpolate between order statistics (type 7)', () => {
  assert.equal(quantileSorted([1, 2, 3, 4], 0), 1);
  assert.equal(quantileSorted([1, 2, 3, 4], 1), 4);
  assert.equal(quantileSorted([1, 2, 3, 4], 0.5), 2.5);
  assert.equal(quantileSorted([10], 0.3), 10);
  assert.ok(Math.abs(quantileSorted([0, 10], 0.025) - 0.25) < 1e-12);
});

test('95 % intervals for a Bernoulli(0.3) mean cover 0.3 in roughly 95 % of repetitions', () => {
  const rng = makeRng(2024);
  let covered = 0;
  const reps = 200;
  for (let r = 0; r < reps; r++) {
    const xs = Array.from({ length: 100 }, () => (rng.next() < 0.3 ? 1 : 0));
    const ci = bootstrapCi(xs, mean, { resamples: 500, seed: r });
    assert.ok(ci.low <= ci.estimate && ci.estimate <= ci.high);
    if (ci.low <= 0.3 && 0.3 <= ci.high) covered++;
  }
  const rate = covered / reps;
  assert.ok(rate >= 0.88 && rate <= 0.99, `coverage ${rate}`);
});

test('the standard error matches the binomial one', () => {
  const xs = Array.from({ length: 400 }, (_, i) => (i % 10 < 3 ? 1 : 0)); // p̂ = 0.3 exactly
  const ci = bootstrapCi(xs, mean, { resamples: 2000, seed: 7 });
  assert.equal(ci.estimate, 0.3);
  const se = Math.sqrt((0.3 * 0.7) / 400);
  assert.ok(Math.abs(ci.se - se) < 0.15 * se, `se ${ci.se} vs ${se}`);
  assert.equal(ci.resamples, 2000);
  assert.equal(ci.requested, 2000);
  assert.equal(ci.unit, 'item');
  assert.equal(ci.units, 400);
});

test('the cluster bootstrap is wider when utterances within a speaker are correlated', () => {
  const rng = makeRng(11);
  const items: { speaker: string; x: number }[] = [];
  for (let s = 0; s < 20; s++) {
    const effect = rng.normal();
    for (let u = 0; u < 25; u++) items.push({ speaker: `spk${s}`, x: effect + 0.3 * rng.normal() });
  }
  const stat = (sample: readonly { x: number }[]) => mean(sample.map((i) => i.x));
  const utt = bootstrapCi(items, stat, { seed: 3 });
  const spk = bootstrapCi(items, stat, { seed: 3, clusterBy: (i) => i.speaker });
  assert.equal(utt.estimate, spk.estimate);
  assert.equal(spk.unit, 'cluster');
  assert.equal(spk.units, 20);
  const wu = utt.high - utt.low,
    ws = spk.high - spk.low;
  // Design effect 1 + (m − 1)ρ ≈ 1 + 24·0.9: the cluster interval is several times wider.
  assert.ok(ws > 2.5 * wu, `cluster width ${ws} vs utterance width ${wu}`);
  assert.ok(spk.se > 2.5 * utt.se);
});

test('deterministic for a seed, different for another', () => {
  const xs = Array.from({ length: 50 }, (_, i) => Math.sin(i) * 3);
  const a = bootstrapCi(xs, mean, { resamples: 200, seed: 5 });
  const b = bootstrapCi(xs, mean, { resamples: 200, seed: 5 });
  const c = bootstrapCi(xs, mean, { resamples: 200, seed: 6 });
  assert.deepEqual(a, b);
  assert.notDeepEqual(a, c);
  assert.equal(a.level, 0.95);
});

test('resamples on which the statistic is undefined are skipped and counted', () => {
  const xs = [1, 2, 3, 4, 5];
  // Undefined unless the resample contains a 1: P = 1 − (4/5)^5 ≈ 0.672.
  const ci = bootstrapCi(xs, (s) => (s.includes(1) ? mean(s) : undefined), { resamples: 2000, seed: 1 });
  assert.equal(ci.requested, 2000);
  assert.ok(Math.abs(ci.resamples / 2000 - (1 - 0.8 ** 5)) < 0.04, `${ci.resamples}`);
  // Non-finite values count as undefined too.
  const nan = bootstrapCi(xs, (s) => (s.includes(1) ? mean(s) : NaN), { resamples: 2000, seed: 1 });
  assert.equal(nan.resamples, ci.resamples);
  // A constant statistic has a degenerate interval.
  const k = bootstrapCi(xs, () => 7, { resamples: 50 });
  assert.deepEqual([k.low, k.high, k.se], [7, 7, 0]);
});

test('several statistics share resamples; failures are reported per statistic', () => {
  const xs = [1, 2, 3, 4, 5, 6];
  const r = bootstrapCis(xs, (s) => ({ mean: mean(s), max: Math.max(...s), never: s === xs ? 1 : undefined }), { resamples: 100, seed: 2 });
  assert.ok(isBootstrapCi(r.mean) && isBootstrapCi(r.max));
  assert.equal(r.max.estimate, 6);
  assert.ok(!isBootstrapCi(r.never));
  assert.match((r.never as { error: string }).error, /'never' is defined on only 0 of 100 resamples/);
  assert.deepEqual(JSON.parse(JSON.stringify(r)), r);
});

test('clear errors for bad input', () => {
  assert.throws(() => bootstrapCi([], mean), /no items to resample \(empty input\)/);
  assert.throws(() => bootstrapCi([1, 2], mean, { level: 1 }), /level must lie strictly between 0 and 1, got 1/);
  assert.throws(() => bootstrapCi([1, 2], mean, { level: 0 }), /level must lie strictly between 0 and 1/);
  assert.throws(() => bootstrapCi([1, 2], mean, { level: 95 }), /level/);
  assert.throws(() => bootstrapCi([1, 2], mean, { resamples: 9 }), /resamples must be an integer ≥ 10, got 9/);
  assert.throws(() => bootstrapCi([1, 2], mean, { resamples: 100.5 }), /resamples must be an integer/);
  assert.throws(() => bootstrapCi([1, 2], () => undefined), /undefined on the full data/);
  assert.throws(() => bootstrapCi([1, 2], () => NaN), /undefined on the full data/);
  assert.throws(
    () => bootstrapCi([1, 2, 3], (s) => (s.length === 3 && s[0] === 1 && s[1] === 2 && s[2] === 3 ? 1 : undefined), { resamples: 10 }),
    /defined on only [01] of 10 resamples/,
  );
  assert.throws(() => bootstrapCi([1, 2], mean, { clusterBy: () => undefined as unknown as string }), /item 0 has no cluster/);
});

/** Two genders × 4 speakers × 30 utterances, 4 classes; speakers differ in accuracy. */
function syntheticPredictions(seed: number): ReportPrediction[] {
  const rng = makeRng(seed);
  const out: ReportPrediction[] = [];
  for (const [gender, base] of [
    ['female', 0.8],
    ['male', 0.55],
  ] as const) {
    for (let s = 0; s < 4; s++) {
      const acc = Math.min(0.98, Math.max(0.05, base + 0.25 * (rng.next() - 0.5) * 2));
      for (let u = 0; u < 30; u++) {
        const truth = rng.int(4);
        const pred = rng.next() < acc ? truth : (truth + 1 + rng.int(3)) % 4;
        out.push({ truth, pred, speaker: `${gender}-${s}`, gender });
      }
    }
  }
  return out;
}

test('the fairness report: values match the metrics, intervals at two levels, JSON-serializable', () => {
  const preds = syntheticPredictions(3);
  const rep = fairnessReport(preds, 'gender', { numClasses: 4, resamples: 300, seed: 9 });
  const grouped = preds.map((p) => ({ truth: p.truth, pred: p.pred, group: p.gender as string }));
  const direct = fairnessMetrics(grouped, 4);
  const perf = groupPerformance(grouped, 4);
  assert.deepEqual(rep.groups, ['female', 'male']);
  assert.deepEqual(rep.classes, [0, 1, 2, 3]);
  assert.equal(rep.n, 240);
  assert.equal(rep.speakers, 8);
  assert.equal(rep.perGroup.female.speakers, 4);
  for (const k of ['statisticalParity', 'equalityOfOpportunity', 'trueRates', 'averageOdds', 'demographicParity'] as const) {
    assert.equal(rep[k].max.value, direct[k].max, k);
    assert.equal(rep[k].mean.value, direct[k].mean, k);
    assert.deepEqual(rep[k].pairs, direct[k].pairs);
    for (const kind of ['utterance', 'speaker'] as const) {
      const iv = rep[k].max[kind];
      assert.ok(iv !== null && iv.low <= iv.high && iv.resamples > 0, `${k} ${kind}`);
    }
  }
  assert.equal(rep.perGroup.male.ua.value, perf.byGroup.male.ua);
  assert.equal(rep.perGroup.female.wa.value, perf.byGroup.female.wa);
  assert.deepEqual(rep.perGroup.male.recall, perf.byGroup.male.recall);
  // All utterance resamples contain both genders; the utterance intervals rest on all of them.
  assert.equal(rep.statisticalParity.max.utterance!.resamples, 300);
  // Speaker accuracies differ, so resampling speakers widens the WA interval.
  const u = rep.overall.wa.utterance!,
    s = rep.overall.wa.speaker!;
  assert.ok(s.high - s.low > u.high - u.low, `speaker ${s.high - s.low} vs utterance ${u.high - u.low}`);
  assert.deepEqual(JSON.parse(JSON.stringify(rep)), rep);
  // Deterministic for a seed.
  assert.deepEqual(fairnessReport(preds, 'gender', { numClasses: 4, resamples: 300, seed: 9 }), rep);
  assert.notDeepEqual(fairnessReport(preds, 'gender', { numClasses: 4, resamples: 300, seed: 10 }).overall, rep.overall);
});

test('a speaker-wise report gives no speaker-cluster interval where one speaker is a group, and says why', () => {
  const preds = syntheticPredictions(4).filter((p) => (p.speaker as string).endsWith('-0') || (p.speaker as string).endsWith('-1'));
  const rep = fairnessReport(preds, 'speaker', { resamples: 200, seed: 1 });
  assert.equal(rep.groups.length, 4);
  assert.equal(rep.numClasses, 4);
  assert.ok(
    rep.notes.some((n) => /every group is one speaker: the gaps and those groups' UA carry utterance-level intervals only/.test(n)),
    rep.notes.join('\n'),
  );
  for (const g of rep.groups) {
    const ua = rep.perGroup[g].ua;
    // Resampling speakers would repeat this one speaker's utterances: a zero-width interval.
    assert.equal(ua.speaker, null, g);
    assert.match(ua.noSpeakerInterval ?? '', /has a single speaker/);
    assert.ok(ua.utterance !== null && ua.utterance.high > ua.utterance.low, `${g}: a real utterance-level interval`);
  }
  assert.equal(rep.statisticalParity.max.speaker, null);
  assert.ok(rep.statisticalParity.max.utterance !== null);
  assert.ok(rep.overall.ua.speaker !== null, 'the overall numbers still resample speakers');
  assert.deepEqual(JSON.parse(JSON.stringify(rep)), rep);
});

test('every reported interval holds its own point: a biased plug-in gets the bias-corrected value and the basic interval', () => {
  const base = { se: 0.05, resamples: 100, requested: 100, level: 0.95, unit: 'item' as const, units: 10 };
  // Resamples entirely above the plug-in, as max-over-pairs gaps of small groups give.
  const biased = toInterval({ ...base, estimate: 0.617, low: 0.62, high: 0.792, median: 0.7 })!;
  assert.equal(biased.method, 'basic');
  assert.ok(Math.abs(biased.center - (2 * 0.617 - 0.7)) < 1e-12);
  assert.ok(Math.abs(biased.low - (2 * 0.617 - 0.792)) < 1e-12 && Math.abs(biased.high - (2 * 0.617 - 0.62)) < 1e-12);
  assert.ok(biased.low <= biased.center && biased.center <= biased.high);
  const fine = toInterval({ ...base, estimate: 0.5, low: 0.4, high: 0.6, median: 0.51 })!;
  assert.deepEqual([fine.method, fine.center, fine.low, fine.high], ['percentile', 0.5, 0.4, 0.6]);
  assert.equal(toInterval({ estimate: null, resamples: 1, requested: 100, error: 'x' }), null);
  // On real gaps of small groups, whichever method applies, the point is inside.
  // Four utterances of each speaker: small groups, noisy gaps.
  const small = syntheticPredictions(2).filter((_, i) => i % 30 < 4);
  const rep = fairnessReport(small, 'gender', { numClasses: 4, resamples: 200, seed: 3 });
  for (const k of ['statisticalParity', 'equalityOfOpportunity', 'trueRates', 'averageOdds', 'demographicParity'] as const) {
    for (const iv of [rep[k].max.utterance, rep[k].max.speaker])
      if (iv) assert.ok(iv.low <= iv.center && iv.center <= iv.high, `${k}: ${JSON.stringify(iv)}`);
  }
});

test('Wilson intervals of a proportion: known values, k = 0 and k = n stay inside [0, 1]', () => {
  // Reference values (R: prop.test(5, 8, correct = FALSE)$conf.int): 0.3057, 0.8632.
  const w = wilsonInterval(5, 8);
  assert.ok(Math.abs(w.low - 0.30574) < 1e-4 && Math.abs(w.high - 0.86318) < 1e-4, JSON.stringify(w));
  assert.equal(wilsonInterval(0, 10).low, 0);
  assert.ok(wilsonInterval(0, 10).high > 0.2);
  assert.equal(wilsonInterval(10, 10).high, 1);
  assert.throws(() => wilsonInterval(3, 0), /trials must be a positive integer/);
  assert.throws(() => wilsonInterval(4, 3), /successes must be an integer in 0…3/);
});

test('the fairness report refuses bad input clearly', () => {
  const preds = syntheticPredictions(5);
  assert.throws(() => fairnessReport([], 'gender'), /no predictions/);
  assert.throws(() => fairnessReport(preds, 'race'), /prediction 0 has no 'race'/);
  assert.throws(() => fairnessReport([{ truth: 0, pred: 0, speaker: '', gender: 'f' }], 'gender'), /prediction 0 has no speaker/);
  assert.throws(() => fairnessReport(preds, 'gender', { resamples: 5 }), /resamples must be an integer ≥ 10/);
  assert.throws(() => fairnessReport(preds, 'gender', { level: 1.5 }), /level must lie strictly between 0 and 1/);
  assert.throws(() => fairnessReport(preds, 'gender', { numClasses: 3 }), /outside 0\.\.2/);
  assert.throws(
    () => fairnessReport([{ truth: -1, pred: 0, speaker: 's', gender: 'f' }], 'gender'),
    /-1 of prediction 0 is not a class index/,
  );
  assert.throws(
    () =>
      fairnessReport(
        preds.filter((p) => p.gender === 'male'),
        'gender',
      ),
    /at least two groups/,
  );
});
