/** What a finished run records about its test folds (fold-K/result.json, metrics.json). */
import type { ClassificationMetrics } from '../metrics/index.js';

/** One test prediction, as stored in fold-K/result.json. */
export interface Prediction {
  id: string;
  path: string;
  speaker: string;
  truth: number;
  pred: number;
  probs: number[];
}

export interface FoldResult {
  fold: number;
  name: string;
  bestEpoch: number;
  devUa: number;
  test: ClassificationMetrics;
  predictions: Prediction[];
}

export interface RunMetrics {
  classes: string[];
  folds: { fold: number; name: string; ua: number; wa: number; macroF1: number; bestEpoch: number }[];
  ua: { mean: number; std: number };
  wa: { mean: number; std: number };
  macroF1: { mean: number; std: number };
  /** Pooled over all folds' test predictions. */
  pooled: ClassificationMetrics;
  /** Wall time of all training epochs (dev evaluation and checkpoints included, feature extraction not), summed over resumes. */
  trainSeconds: number;
}
