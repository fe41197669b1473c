/**
 * Group fairness of a multiclass classifier, exactly as defined in docs/metrics.md: the
 * holisticai multiclass metrics that Trust-SER reports (statistical parity, equality of
 * opportunity, and the related true-rates difference and average odds) and Trust-SER's own
 * demographic parity.
 *
 * Every metric is a distance d(g, h) ≥ 0 between two groups, computed for all unordered pairs
 * g < h and aggregated by `max` (the worst pair; Trust-SER's choice) or `mean`. 0 = the groups
 * are treated alike; higher = less fair. All of them lie in [0, 1].
 *
 * Class set C: by default the classes that occur as a label or a prediction anywhere in the
 * data (holisticai's default, which Trust-SER uses); pass `classes` to fix it (the report fixes
 * it from the full data so that bootstrap resamples measure the same thing). The K in the
 * normalisations below is |C|.
 *
 * Orientation: `byGroup` confusion-rate matrices are truth-major like `classificationMetrics`:
 * rates[t][p] = P(ŷ = p | y = t, g), the transpose of docs/metrics.md's M_g(i, j) = P(ŷ = i | y = j, g).
 */
import { groupCounts, resolveClasses, type GroupCounts, type GroupedPrediction, type GroupOptions } from './groups.js';

/**
 * holisticai adds this to every count of the per-group confusion tensor before normalising, so
 * a class absent from a group's truth gets a uniform column (each entry 1/K) rather than 0/0.
 */
export const HOLISTICAI_SMOOTHING = 1e-32;

/** Options of the fairness metrics. */
export interface FairnessOptions extends GroupOptions {
  /** The class set C (distinct integers in 0..K−1, covering every class in the data). */
  classes?: readonly number[];
}

/** The distance between two groups, with each class's part of it. */
export interface PairDistance {
  a: string;
  b: string;
  /** d(a, b), in [0, 1]; 0 = alike, higher = less fair. */
  value: number;
  /**
   * Per class of `classes`: its contribution to `value`. For SP, EO, true rates and average odds
   * the contributions sum to `value`; for demographic parity `value` is their maximum.
   */
  perClass: number[];
}

/** A pairwise group-fairness metric with both aggregations. */
export interface PairwiseFairness<G> {
  metric: string;
  /** Largest distance over all pairs (Trust-SER's aggregation), in [0, 1]; higher = less fair. */
  max: number;
  /** Mean distance over all unordered pairs, in [0, 1]; higher = less fair. */
  mean: number;
  /** The pair that attains `max` (the first one in pair order on ties). */
  worst: { a: string; b: string };
  /** All unordered pairs a < b in group order. */
  pairs: PairDistance[];
  /** The class set C the per-class arrays refer to. */
  classes: number[];
  /** The per-group quantity that is compared (a vector or matrix over `classes`). */
  byGroup: Record<string, G>;
}

/** All five metrics of one set of predictions. */
export interface FairnessMetrics {
  groups: string[];
  classes: number[];
  statisticalParity: PairwiseFairness<number[]>;
  equalityOfOpportunity: PairwiseFairness<number[][]>;
  trueRates: PairwiseFairness<number[]>;
  averageOdds: PairwiseFairness<number[]>;
  demographicParity: PairwiseFairness<number[]>;
}

/** Max and mean of the pair distances, and the worst pair. */
function aggregatePairs<G>(metric: string, pairs: PairDistance[], classes: number[], byGroup: Record<string, G>): PairwiseFairness<G> {
  let worst = 0;
  let sum = 0;
  for (let i = 0; i < pairs.length; i++) {
    sum += pairs[i].value;
    if (pairs[i].value > pairs[worst].value) worst = i;
  }
  return {
    metric,
    max: pairs[worst].value,
    mean: sum / pairs.length,
    worst: { a: pairs[worst].a, b: pairs[worst].b },
    pairs,
    classes,
    byGroup,
  };
}

/** Applies a per-pair distance to every unordered pair of groups. */
function pairwise<V>(
  metric: string,
  counts: GroupCounts,
  classes: number[],
  perGroup: V[],
  distance: (x: V, y: V) => { value: number; perClass: number[] },
): PairwiseFairness<V> {
  const pairs: PairDistance[] = [];
  const g = counts.groups;
  for (let i = 0; i < g.length; i++) {
    for (let j = i + 1; j < g.length; j++) pairs.push({ a: g[i], b: g[j], ...distance(perGroup[i], perGroup[j]) });
  }
  return aggregatePairs(metric, pairs, classes, Object.fromEntries(g.map((name, i) => [name, perGroup[i]])));
}

/** Prediction rates r_g(c) = #{ŷ = c in g} / #{g} over `classes`. */
function predictionRates(confusion: number[][], size: number, classes: number[]): number[] {
  return classes.map((c) => confusion.reduce((a, row) => a + row[c], 0) / size);
}

/**
 * Smoothed, truth-normalised confusion rates over `classes` (holisticai): rates[t][p] =
 * (n_tp + 1e-32) / Σ_p' (n_tp' + 1e-32). A class absent from the group's truth gives 1/K.
 */
function confusionRates(confusion: number[][], classes: number[]): number[][] {
  return classes.map((t) => {
    const row = classes.map((p) => confusion[t][p] + HOLISTICAI_SMOOTHING);
    let norm = 0;
    for (const v of row) norm += v;
    return row.map((v) => v / norm);
  });
}

/** Statistical parity from counts (see `statisticalParity`). */
function statisticalParityFromCounts(counts: GroupCounts, classes: number[]): PairwiseFairness<number[]> {
  const rates = counts.confusion.map((m, i) => predictionRates(m, counts.sizes[i], classes));
  return pairwise('statistical parity', counts, classes, rates, (x, y) => {
    const perClass = x.map((v, c) => Math.abs(v - y[c]) / 2);
    let value = 0;
    for (const v of perClass) value += v;
    return { value, perClass };
  });
}

/** Equality of opportunity from counts (see `equalityOfOpportunity`). */
function equalityOfOpportunityFromCounts(counts: GroupCounts, classes: number[]): PairwiseFairness<number[][]> {
  const k = classes.length;
  const rates = counts.confusion.map((m) => confusionRates(m, classes));
  return pairwise('equality of opportunity', counts, classes, rates, (x, y) => {
    // Summed in holisticai's order (predicted class outer, true class inner).
    let value = 0;
    const perClass = new Array<number>(k).fill(0);
    for (let p = 0; p < k; p++) {
      for (let t = 0; t < k; t++) {
        const d = Math.abs(x[t][p] - y[t][p]);
        value += d;
        perClass[t] += d;
      }
    }
    return { value: value / (2 * k), perClass: perClass.map((v) => v / (2 * k)) };
  });
}

/** True-rates difference from counts (see `trueRatesDifference`). */
function trueRatesFromCounts(counts: GroupCounts, classes: number[]): PairwiseFairness<number[]> {
  const k = classes.length;
  const diag = counts.confusion.map((m) => confusionRates(m, classes).map((row, c) => row[c]));
  return pairwise('true-rates difference', counts, classes, diag, (x, y) => {
    const perClass = x.map((v, c) => Math.abs(v - y[c]) / k);
    let value = 0;
    for (let c = 0; c < k; c++) value += Math.abs(x[c] - y[c]);
    return { value: value / k, perClass };
  });
}

/** Average odds from counts (see `averageOdds`). */
function averageOddsFromCounts(counts: GroupCounts, classes: number[]): PairwiseFairness<number[]> {
  const k = classes.length;
  const rates = counts.confusion.map((m) => confusionRates(m, classes));
  const metric = pairwise('average odds', counts, classes, rates, (x, y) => {
    // holisticai: Σ_p |Σ_t (M_g − M_h)| / (2K), differences summed before the absolute value.
    let value = 0;
    const perClass: number[] = [];
    for (let p = 0; p < k; p++) {
      let d = 0;
      for (let t = 0; t < k; t++) d += x[t][p] - y[t][p];
      value += Math.abs(d);
      perClass.push(Math.abs(d) / (2 * k));
    }
    return { value: value / (2 * k), perClass };
  });
  // Report per group the compared vector: Σ_t P(ŷ = p | y = t, g) per predicted class p.
  const sums = rates.map((r) => classes.map((_, p) => r.reduce((a, row) => a + row[p], 0)));
  return { ...metric, byGroup: Object.fromEntries(counts.groups.map((g, i) => [g, sums[i]])) };
}

/** Demographic parity (Trust-SER) from counts (see `demographicParity`). */
function demographicParityFromCounts(counts: GroupCounts, classes: number[]): PairwiseFairness<number[]> {
  const p = counts.confusion.map((m, i) => classes.map((c) => m[c][c] / counts.sizes[i]));
  return pairwise('demographic parity', counts, classes, p, (x, y) => {
    const perClass = x.map((v, c) => Math.abs(v - y[c]));
    return { value: Math.max(...perClass), perClass };
  });
}

function prepare(
  preds: readonly GroupedPrediction[],
  numClasses: number,
  options: FairnessOptions,
): { counts: GroupCounts; classes: number[] } {
  const counts = groupCounts(preds, numClasses, options);
  return { counts, classes: resolveClasses(counts, options.classes) };
}

/**
 * Multiclass statistical parity (holisticai): per group the prediction-rate vector
 * r_g(c) = P(ŷ = c | g); d(g, h) = ½ Σ_c |r_g(c) − r_h(c)| (total-variation distance).
 * Ignores the truth. Range [0, 1]: 0 = every group receives each class equally often,
 * 1 = the groups' predictions never share a class; higher = less fair. `byGroup` = r_g.
 *
 * @param preds - predictions with their group (≥ 2 non-empty groups).
 * @param numClasses - K; labels and predictions must lie in 0..K−1.
 */
export function statisticalParity(
  preds: readonly GroupedPrediction[],
  numClasses: number,
  options: FairnessOptions = {},
): PairwiseFairness<number[]> {
  const { counts, classes } = prepare(preds, numClasses, options);
  return statisticalParityFromCounts(counts, classes);
}

/**
 * Multiclass equality of opportunity (holisticai): per group the confusion matrix normalised
 * per true class, M_g(i, j) = P(ŷ = i | y = j, g), with 1e-32 added to every count (a class
 * absent from a group's truth gets a uniform column 1/K); d(g, h) = Σ_{i,j} |M_g − M_h| / (2K).
 * Range [0, 1]: 0 = identical error patterns; higher = less fair. `byGroup` = the truth-major
 * rates[t][p] = M_g(p, t); `perClass` splits d by true class.
 */
export function equalityOfOpportunity(
  preds: readonly GroupedPrediction[],
  numClasses: number,
  options: FairnessOptions = {},
): PairwiseFairness<number[][]> {
  const { counts, classes } = prepare(preds, numClasses, options);
  return equalityOfOpportunityFromCounts(counts, classes);
}

/**
 * Multiclass true-rates difference (holisticai's "true positive difference"):
 * d(g, h) = mean_c |M_g(c, c) − M_h(c, c)|, the mean gap in per-class recall (smoothed as in
 * equality of opportunity). Range [0, 1]; higher = less fair. `byGroup` = the recall vector.
 */
export function trueRatesDifference(
  preds: readonly GroupedPrediction[],
  numClasses: number,
  options: FairnessOptions = {},
): PairwiseFairness<number[]> {
  const { counts, classes } = prepare(preds, numClasses, options);
  return trueRatesFromCounts(counts, classes);
}

/**
 * Multiclass average odds (holisticai): d(g, h) = Σ_i |Σ_j (M_g(i, j) − M_h(i, j))| / (2K),
 * comparing per predicted class i the summed rates Σ_j P(ŷ = i | y = j, g) (`byGroup`).
 * Errors that cancel within a predicted class are not seen (a perfect and a fully permuted
 * classifier can score 0). Range [0, 1]; higher = less fair.
 */
export function averageOdds(
  preds: readonly GroupedPrediction[],
  numClasses: number,
  options: FairnessOptions = {},
): PairwiseFairness<number[]> {
  const { counts, classes } = prepare(preds, numClasses, options);
  return averageOddsFromCounts(counts, classes);
}

/**
 * Demographic parity as Trust-SER defines it: per class c, p_g(c) = #{y = c and ŷ = c in g} / #{g}
 * (the share of the group that is correctly recognised as c, `byGroup`); d(g, h) =
 * max_c |p_g(c) − p_h(c)| (`perClass` holds every |p_g(c) − p_h(c)|). Trust-SER compares two
 * groups (male, female): then `max` = `mean` = its DP. With more groups every pair is compared
 * and aggregated like the other metrics (`max` = the worst pair). Range [0, 1]; higher = less fair.
 */
export function demographicParity(
  preds: readonly GroupedPrediction[],
  numClasses: number,
  options: FairnessOptions = {},
): PairwiseFairness<number[]> {
  const { counts, classes } = prepare(preds, numClasses, options);
  return demographicParityFromCounts(counts, classes);
}

/** All five metrics from counts (internal building block of `fairnessMetrics` and the report). */
export function fairnessFromCounts(counts: GroupCounts, classes: number[]): FairnessMetrics {
  return {
    groups: [...counts.groups],
    classes,
    statisticalParity: statisticalParityFromCounts(counts, classes),
    equalityOfOpportunity: equalityOfOpportunityFromCounts(counts, classes),
    trueRates: trueRatesFromCounts(counts, classes),
    averageOdds: averageOddsFromCounts(counts, classes),
    demographicParity: demographicParityFromCounts(counts, classes),
  };
}

/**
 * Every fairness metric of docs/metrics.md at once (statistical parity, equality of opportunity,
 * true-rates difference, average odds, demographic parity), each with max and mean aggregation
 * and its pairwise table. All in [0, 1]; 0 = fair, higher = less fair.
 *
 * @param preds - predictions with their group (≥ 2 non-empty groups).
 * @param numClasses - K; labels and predictions must lie in 0..K−1.
 * @param options - explicit groups (order) and class set.
 */
export function fairnessMetrics(preds: readonly GroupedPrediction[], numClasses: number, options: FairnessOptions = {}): FairnessMetrics {
  const { counts, classes } = prepare(preds, numClasses, options);
  return fairnessFromCounts(counts, classes);
}
