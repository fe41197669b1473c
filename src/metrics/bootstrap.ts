/**
 * Nonparametric bootstrap confidence intervals (percentile method, Efron & Tibshirani 1993).
 *
 * Items are resampled with replacement — single utterances, or whole clusters (speakers) when
 * `clusterBy` is given: a cluster bootstrap draws as many clusters as there are, with
 * replacement, and takes all their items, so that correlation within a speaker widens the
 * interval as it should. A statistic may be undefined on a resample (e.g. a group missing from
 * it); such resamples are skipped and counted. The same seed gives the same intervals.
 */
import { makeRng } from '../core/index.js';
import { meanStd } from './classification.js';

/** How to bootstrap. */
export interface BootstrapOptions<T> {
  /** Number of resamples to draw (integer ≥ 10; default 1000). */
  resamples?: number;
  /** Confidence level in (0, 1) (default 0.95). */
  level?: number;
  /** PRNG seed (default 1); equal seeds give equal intervals. */
  seed?: number;
  /** Resample whole clusters (e.g. speakers) instead of single items. */
  clusterBy?: (item: T, index: number) => string | number;
}

/** A percentile bootstrap interval. */
export interface BootstrapCi {
  /** The statistic on the full data. */
  estimate: number;
  /** Lower percentile bound (the (1 − level)/2 quantile of the resampled statistics). */
  low: number;
  /** Upper percentile bound (the (1 + level)/2 quantile). */
  high: number;
  /** Bootstrap standard error: sample standard deviation of the valid resampled statistics. */
  se: number;
  /** Median of the resampled statistics (its distance from `estimate` shows the plug-in's bias). */
  median: number;
  /** Number of resamples on which the statistic was defined (the interval uses these). */
  resamples: number;
  /** Number of resamples drawn. */
  requested: number;
  level: number;
  /** What was resampled: single items or whole clusters. */
  unit: 'item' | 'cluster';
  /** Number of items or clusters that each resample draws. */
  units: number;
}

/** A statistic whose interval could not be formed (too few valid resamples). */
export interface BootstrapFailure {
  /** The statistic on the full data; `null` where it is undefined there. */
  estimate: number | null;
  resamples: number;
  requested: number;
  /** Why there is no interval. */
  error: string;
}

/** Fewest valid resamples for which an interval (and a standard error) is given. */
const MIN_VALID_RESAMPLES = 2;

/** True when `r` is an interval rather than a failure. */
export function isBootstrapCi(r: BootstrapCi | BootstrapFailure): r is BootstrapCi {
  return !('error' in r);
}

/**
 * Quantile q ∈ [0, 1] of ascending `sorted` values by linear interpolation between order
 * statistics (Hyndman & Fan type 7, numpy's default).
 */
export function quantileSorted(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) throw new Error('quantile: no values');
  if (!(q >= 0 && q <= 1)) throw new Error(`quantile: q must lie in [0, 1], got ${q}`);
  const h = (sorted.length - 1) * q;
  const lo = Math.floor(h);
  const hi = Math.min(lo + 1, sorted.length - 1);
  return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
}

function checkOptions<T>(items: readonly T[], options: BootstrapOptions<T>): { resamples: number; level: number; seed: number } {
  const { resamples = 1000, level = 0.95, seed = 1 } = options;
  if (items.length === 0) throw new Error('bootstrap: no items to resample (empty input)');
  if (!(level > 0 && level < 1)) throw new Error(`bootstrap: level must lie strictly between 0 and 1, got ${level}`);
  if (!Number.isInteger(resamples) || resamples < 10) throw new Error(`bootstrap: resamples must be an integer ≥ 10, got ${resamples}`);
  if (!Number.isFinite(seed)) throw new Error(`bootstrap: seed must be a finite number, got ${seed}`);
  return { resamples, level, seed };
}

/** Items grouped by cluster, clusters in order of first appearance. */
function clustersOf<T>(items: readonly T[], clusterBy: (item: T, index: number) => string | number): T[][] {
  const byKey = new Map<string | number, T[]>();
  items.forEach((item, i) => {
    const key = clusterBy(item, i);
    if (key === undefined || key === null || (typeof key === 'number' && !Number.isFinite(key))) {
      throw new Error(`bootstrap: item ${i} has no cluster (clusterBy returned ${String(key)})`);
    }
    const list = byKey.get(key);
    if (list) list.push(item);
    else byKey.set(key, [item]);
  });
  return [...byKey.values()];
}

function isValue(v: unknown): v is number {
  return typeof v === 'number' && Number.isFinite(v);
}

/**
 * Percentile bootstrap intervals of several statistics computed from the same resamples (one
 * call of `statistic` per resample). `statistic` returns a record of numbers, or `undefined`
 * when it is undefined on a sample; a missing or non-finite entry counts as undefined for that
 * entry only. The keys are those of the full-data result; an entry that is not finite there,
 * or is defined on fewer than 2 resamples, gets a `BootstrapFailure` saying so.
 *
 * @param items - the data (utterances); not modified.
 * @param statistic - computes the statistics of a sample (a full-size resample of `items`).
 * @param options - resamples (≥ 10, default 1000), level (in (0, 1), default 0.95), seed
 *   (default 1), clusterBy (resample whole clusters).
 */
export function bootstrapCis<T>(
  items: readonly T[],
  statistic: (sample: readonly T[]) => Readonly<Record<string, number | undefined>> | undefined,
  options: BootstrapOptions<T> = {},
): Record<string, BootstrapCi | BootstrapFailure> {
  const { resamples, level, seed } = checkOptions(items, options);
  const full = statistic(items);
  if (full === undefined) throw new Error('bootstrap: the statistic is undefined on the full data');
  const keys = Object.keys(full);
  const draws = new Map<string, number[]>(keys.map((k) => [k, []]));
  const clusters = options.clusterBy ? clustersOf(items, options.clusterBy) : undefined;
  const units = clusters ? clusters.length : items.length;
  const rng = makeRng(seed);
  for (let r = 0; r < resamples; r++) {
    let sample: T[];
    if (clusters) {
      sample = [];
      for (let i = 0; i < units; i++) {
        for (const item of clusters[rng.int(units)]) sample.push(item);
      }
    } else {
      sample = new Array<T>(units);
      for (let i = 0; i < units; i++) sample[i] = items[rng.int(units)];
    }
    const s = statistic(sample);
    if (s === undefined) continue;
    for (const k of keys) {
      const v = s[k];
      if (isValue(v)) draws.get(k)!.push(v);
    }
  }
  const alpha = 1 - level;
  const out: Record<string, BootstrapCi | BootstrapFailure> = {};
  for (const k of keys) {
    const estimate = full[k];
    const values = draws.get(k)!.sort((a, b) => a - b);
    let failure: string | undefined;
    if (!isValue(estimate)) failure = `'${k}' is undefined on the full data`;
    else if (values.length < MIN_VALID_RESAMPLES) {
      failure = `'${k}' is defined on only ${values.length} of ${resamples} resamples (need ${MIN_VALID_RESAMPLES})`;
    }
    const entry: BootstrapCi | BootstrapFailure =
      failure !== undefined
        ? { estimate: isValue(estimate) ? estimate : null, resamples: values.length, requested: resamples, error: failure }
        : {
            estimate: estimate as number,
            low: quantileSorted(values, alpha / 2),
            high: quantileSorted(values, 1 - alpha / 2),
            se: meanStd(values).std,
            median: quantileSorted(values, 0.5),
            resamples: values.length,
            requested: resamples,
            level,
            unit: clusters ? 'cluster' : 'item',
            units,
          };
    Object.defineProperty(out, k, { value: entry, enumerable: true, writable: true, configurable: true });
  }
  return out;
}

/**
 * Percentile bootstrap confidence interval of one statistic: the statistic on the full data,
 * the (1 − level)/2 and (1 + level)/2 quantiles of its values on `resamples` resamples, the
 * bootstrap standard error and the number of resamples on which it was defined (a statistic
 * returning `undefined` or a non-finite number on a resample skips that resample).
 * Deterministic for a seed. Throws for empty input, level outside (0, 1), resamples < 10, a
 * statistic undefined on the full data, or fewer than 2 valid resamples.
 *
 * @param items - the data (utterances).
 * @param statistic - the statistic of a sample.
 * @param options - resamples (default 1000), level (default 0.95), seed (default 1), clusterBy
 *   (cluster bootstrap: draw clusters, e.g. speakers, with replacement and take all their items).
 */
export function bootstrapCi<T>(
  items: readonly T[],
  statistic: (sample: readonly T[]) => number | undefined,
  options: BootstrapOptions<T> = {},
): BootstrapCi {
  const r = bootstrapCis(
    items,
    (s) => {
      const v = statistic(s);
      return v === undefined ? undefined : { value: v };
    },
    options,
  ).value;
  if (!isBootstrapCi(r)) throw new Error(`bootstrap: ${r.error.replace("'value'", 'the statistic')}`);
  return r;
}
