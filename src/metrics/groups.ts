/**
 * Grouped predictions: validation, per-group confusion counts and per-group performance — the
 * common ground of the fairness metrics (`fairness.ts`) and the fairness report.
 *
 * A group is a value of a protected attribute (gender, race, age band, speaker). Groups are
 * ordered by name (JavaScript string order, which is numpy's `np.unique` order for ASCII names)
 * unless an explicit list is given.
 */
import { classificationMetrics } from './classification.js';

/** One scored utterance: its true class, the predicted class and its group. */
export interface GroupedPrediction {
  truth: number;
  pred: number;
  group: string;
}

/** Which groups to use, and in which order. */
export interface GroupOptions {
  /**
   * The groups, in order. Every listed group must have at least one prediction and every
   * prediction's group must be listed. Default: the distinct groups of the data, sorted.
   */
  groups?: readonly string[];
}

/** Confusion counts per group: `confusion[g][t][p]` = count of truth t predicted as p in group g. */
export interface GroupCounts {
  numClasses: number;
  groups: string[];
  /** Number of predictions per group, aligned with `groups`. */
  sizes: number[];
  confusion: number[][][];
}

/** Performance of the predictions of one group (UA, WA, macro-F1 as in `classificationMetrics`). */
export interface GroupPerformance {
  group: string;
  /** Number of predictions in the group. */
  n: number;
  /** Unweighted accuracy (mean recall over the classes present in the group's truth), in [0, 1]. */
  ua: number;
  /** Weighted accuracy (overall accuracy), in [0, 1]. */
  wa: number;
  /** Macro-F1 over the classes present in the group's truth, in [0, 1]. */
  macroF1: number;
  /** Recall per class 0..K−1; `null` for a class absent from the group's truth. */
  recall: (number | null)[];
  /** confusion[t][p] = count of truth t predicted as p, within the group. */
  confusion: number[][];
}

/** Per-group performance of a set of predictions. */
export interface PerGroupPerformance {
  groups: string[];
  /** Number of predictions per group. */
  sizes: Record<string, number>;
  byGroup: Record<string, GroupPerformance>;
}

/** Throws unless `k` is an integer ≥ 2. */
function checkNumClasses(k: number, where = 'fairness'): void {
  if (!Number.isInteger(k) || k < 2) throw new Error(`${where}: numClasses must be an integer ≥ 2, got ${k}`);
}

/**
 * Checks a set of grouped predictions: non-empty, integer labels and predictions in 0..K−1, a
 * non-empty string group on every prediction. Throws an error naming the first problem.
 */
export function validateGroupedPredictions(preds: readonly GroupedPrediction[], numClasses: number, where = 'fairness'): void {
  checkNumClasses(numClasses, where);
  if (preds.length === 0) throw new Error(`${where}: no predictions`);
  for (let i = 0; i < preds.length; i++) {
    const { truth, pred, group } = preds[i];
    if (!Number.isInteger(truth) || truth < 0 || truth >= numClasses) {
      throw new Error(`${where}: label ${truth} of prediction ${i} is outside 0..${numClasses - 1}`);
    }
    if (!Number.isInteger(pred) || pred < 0 || pred >= numClasses) {
      throw new Error(`${where}: prediction ${pred} at index ${i} is outside 0..${numClasses - 1}`);
    }
    if (typeof group !== 'string' || group === '') throw new Error(`${where}: prediction ${i} has no group (got ${JSON.stringify(group)})`);
  }
}

/**
 * Builds grouped predictions from parallel arrays, refusing arrays of different lengths.
 *
 * @param truth - true classes.
 * @param pred - predicted classes.
 * @param groups - the group of each prediction (numbers are converted to strings).
 */
export function zipPredictions(truth: ArrayLike<number>, pred: ArrayLike<number>, groups: ArrayLike<string | number>): GroupedPrediction[] {
  if (truth.length !== pred.length || truth.length !== groups.length) {
    throw new Error(`fairness: mismatched lengths: ${truth.length} labels, ${pred.length} predictions, ${groups.length} group values`);
  }
  return Array.from({ length: truth.length }, (_, i) => ({ truth: truth[i], pred: pred[i], group: String(groups[i]) }));
}

/** The distinct groups of the data, sorted. */
function distinctGroups(preds: readonly GroupedPrediction[]): string[] {
  return [...new Set(preds.map((p) => p.group))].sort();
}

/**
 * Counts without validation; groups of `groupList` without predictions get size 0, predictions
 * of unlisted groups are reported through the return value `unlisted` (internal building block).
 */
export function countByGroup(
  preds: readonly GroupedPrediction[],
  numClasses: number,
  groupList: readonly string[],
): GroupCounts & { unlisted: string | undefined } {
  const index = new Map<string, number>();
  groupList.forEach((g, i) => index.set(g, i));
  const sizes = new Array<number>(groupList.length).fill(0);
  const confusion = groupList.map(() => Array.from({ length: numClasses }, () => new Array<number>(numClasses).fill(0)));
  let unlisted: string | undefined;
  for (const p of preds) {
    const g = index.get(p.group);
    if (g === undefined) {
      unlisted ??= p.group;
      continue;
    }
    sizes[g]++;
    confusion[g][p.truth][p.pred]++;
  }
  return { numClasses, groups: [...groupList], sizes, confusion, unlisted };
}

/**
 * Validates the predictions and counts them per group. Throws on invalid labels, fewer than two
 * groups, a listed group without predictions, or a prediction whose group is not listed.
 */
export function groupCounts(preds: readonly GroupedPrediction[], numClasses: number, options: GroupOptions = {}): GroupCounts {
  validateGroupedPredictions(preds, numClasses);
  let groupList: string[];
  if (options.groups !== undefined) {
    groupList = [...options.groups];
    const seen = new Set<string>();
    for (const g of groupList) {
      if (seen.has(g)) throw new Error(`fairness: group '${g}' is listed twice`);
      seen.add(g);
    }
  } else {
    groupList = distinctGroups(preds);
  }
  if (groupList.length < 2) {
    throw new Error(
      `fairness: need at least two groups to compare, got ${groupList.length}${groupList.length === 1 ? ` ('${groupList[0]}')` : ''}`,
    );
  }
  const counts = countByGroup(preds, numClasses, groupList);
  if (counts.unlisted !== undefined)
    throw new Error(`fairness: group '${counts.unlisted}' occurs in the data but is not in the group list`);
  const empty = counts.sizes.indexOf(0);
  if (empty >= 0) throw new Error(`fairness: group '${groupList[empty]}' is empty (it has no predictions)`);
  return { numClasses: counts.numClasses, groups: counts.groups, sizes: counts.sizes, confusion: counts.confusion };
}

/**
 * The class set C of the holisticai metrics when none is given: the classes that occur as a
 * label or a prediction anywhere in the data, ascending (holisticai's `np.unique(y_pred ∪ y_true)`).
 */
export function observedClasses(counts: GroupCounts): number[] {
  const k = counts.numClasses;
  const seen = new Array<boolean>(k).fill(false);
  for (const m of counts.confusion) {
    for (let t = 0; t < k; t++) {
      for (let p = 0; p < k; p++) {
        if (m[t][p] > 0) seen[t] = seen[p] = true;
      }
    }
  }
  return seen.flatMap((s, c) => (s ? [c] : []));
}

function performanceFromConfusion(group: string, confusion: number[][]): GroupPerformance {
  const k = confusion.length;
  const truth: number[] = [];
  const pred: number[] = [];
  for (let t = 0; t < k; t++) {
    for (let p = 0; p < k; p++) {
      for (let c = 0; c < confusion[t][p]; c++) {
        truth.push(t);
        pred.push(p);
      }
    }
  }
  const m = classificationMetrics(truth, pred, k);
  return {
    group,
    n: m.n,
    ua: m.ua,
    wa: m.wa,
    macroF1: m.macroF1,
    recall: m.recall.map((r) => (Number.isNaN(r) ? null : r)),
    confusion: m.confusion,
  };
}

/** Per-group performance from counts (internal building block of `groupPerformance`). */
export function performanceFromCounts(counts: GroupCounts): PerGroupPerformance {
  return {
    groups: [...counts.groups],
    sizes: Object.fromEntries(counts.groups.map((g, i) => [g, counts.sizes[i]])),
    byGroup: Object.fromEntries(counts.groups.map((g, i) => [g, performanceFromConfusion(g, counts.confusion[i])])),
  };
}

/**
 * Per-group performance: for each group its size, UA, WA, macro-F1 (all in [0, 1], higher =
 * better), per-class recall and confusion matrix, computed with `classificationMetrics` on the
 * group's predictions. Gaps between groups are the raw material of the fairness metrics.
 *
 * @param preds - predictions with their group.
 * @param numClasses - K; labels and predictions must lie in 0..K−1.
 * @param options - an explicit group list (order; every listed group must be non-empty).
 */
export function groupPerformance(preds: readonly GroupedPrediction[], numClasses: number, options: GroupOptions = {}): PerGroupPerformance {
  return performanceFromCounts(groupCounts(preds, numClasses, options));
}

/** Checks an explicit class set, or derives the default one (observed classes). */
export function resolveClasses(counts: GroupCounts, classes: readonly number[] | undefined): number[] {
  const observed = observedClasses(counts);
  if (classes === undefined) return observed;
  const k = counts.numClasses;
  const set = new Set<number>();
  for (const c of classes) {
    if (!Number.isInteger(c) || c < 0 || c >= k) throw new Error(`fairness: class ${c} in the class set is outside 0..${k - 1}`);
    if (set.has(c)) throw new Error(`fairness: class ${c} is listed twice in the class set`);
    set.add(c);
  }
  const missing = observed.find((c) => !set.has(c));
  if (missing !== undefined) throw new Error(`fairness: class ${missing} occurs in the data but not in the class set`);
  return [...classes];
}

/** Counts of a resample over a fixed group list; undefined when a group has no predictions. */
export function countsIfAllGroups(
  preds: readonly GroupedPrediction[],
  numClasses: number,
  groups: readonly string[],
): GroupCounts | undefined {
  const c = countByGroup(preds, numClasses, groups);
  if (c.unlisted !== undefined || c.sizes.some((s) => s === 0)) return undefined;
  return { numClasses: c.numClasses, groups: c.groups, sizes: c.sizes, confusion: c.confusion };
}
