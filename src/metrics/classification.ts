/**
 * Classification metrics as defined in docs/metrics.md: WA (overall accuracy), UA
 * (unweighted average recall over the classes present in the reference), macro-F1, per-class
 * recall and the confusion matrix; plus summaries over folds (mean ± std).
 */

/** Metrics of one set of predictions. */
export interface ClassificationMetrics {
  /** Weighted accuracy: correct / total. */
  wa: number;
  /** Unweighted accuracy: mean recall over classes present in `truth`. */
  ua: number;
  /** Mean F1 over classes present in `truth` (F1 = 0 where precision and recall are both 0). */
  macroF1: number;
  /** Recall per class (NaN for classes absent from `truth`). */
  recall: number[];
  /** confusion[t][p] = count of truth t predicted as p. */
  confusion: number[][];
  n: number;
}

/** Computes the metrics of integer predictions against integer truth over `numClasses` classes. */
export function classificationMetrics(truth: ArrayLike<number>, pred: ArrayLike<number>, numClasses: number): ClassificationMetrics {
  if (truth.length !== pred.length) throw new Error(`metrics: ${truth.length} labels but ${pred.length} predictions`);
  if (truth.length === 0) throw new Error('metrics: no predictions to score');
  const confusion = Array.from({ length: numClasses }, () => new Array<number>(numClasses).fill(0));
  let correct = 0;
  for (let i = 0; i < truth.length; i++) {
    const t = truth[i],
      p = pred[i];
    if (!(t >= 0 && t < numClasses && p >= 0 && p < numClasses))
      throw new Error(`metrics: label ${t} or prediction ${p} outside 0..${numClasses - 1}`);
    confusion[t][p]++;
    if (t === p) correct++;
  }
  const recall: number[] = [];
  const f1: number[] = [];
  for (let c = 0; c < numClasses; c++) {
    const support = confusion[c].reduce((a, b) => a + b, 0);
    const predicted = confusion.reduce((a, row) => a + row[c], 0);
    const tp = confusion[c][c];
    recall.push(support === 0 ? NaN : tp / support);
    if (support > 0) {
      const precision = predicted === 0 ? 0 : tp / predicted;
      const r = tp / support;
      f1.push(precision + r === 0 ? 0 : (2 * precision * r) / (precision + r));
    }
  }
  const present = recall.filter((r) => !Number.isNaN(r));
  return {
    wa: correct / truth.length,
    ua: present.reduce((a, b) => a + b, 0) / present.length,
    macroF1: f1.reduce((a, b) => a + b, 0) / f1.length,
    recall,
    confusion,
    n: truth.length,
  };
}

/** Mean and sample standard deviation (n − 1; 0 for a single value). */
export function meanStd(xs: number[]): { mean: number; std: number } {
  if (xs.length === 0) return { mean: NaN, std: NaN };
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  const v = xs.length > 1 ? xs.reduce((a, b) => a + (b - mean) ** 2, 0) / (xs.length - 1) : 0;
  return { mean, std: Math.sqrt(v) };
}
