/**
 * A dimensional fold's inputs and targets: feature clipping, the targets' z-normalization (fitted
 * on the fold's training set) and the CCC / Pearson / RMSE of predictions per target.
 */
import type { Features } from '../features/index.js';
import { regressionMetrics } from '../metrics/index.js';
import type { DimensionalConfig } from './config.js';
import type { DimensionalFoldResult, TargetNorm } from './files.js';
import type { RatedUtterance } from './utterances.js';

/** Mean and population standard deviation of each target over `utts`. */
export function fitTargetNorm(cfg: DimensionalConfig, utts: readonly RatedUtterance[], fold: number): TargetNorm {
  const n = utts.length;
  const mean = cfg.targets.map((_, t) => utts.reduce((s, u) => s + u.targets[t], 0) / n);
  const std = cfg.targets.map((name, t) => {
    const sd = Math.sqrt(utts.reduce((s, u) => s + (u.targets[t] - mean[t]) ** 2, 0) / n);
    if (!(sd > 0)) throw new Error(`fold ${fold}: every training utterance has the same ${name} (${mean[t]}); a regression needs spread`);
    return sd;
  });
  return { targets: [...cfg.targets], mean, std };
}

/** CCC / r / RMSE per target of `predictions` (none when there are fewer than two). */
export function scoredTargets(cfg: DimensionalConfig, predictions: DimensionalFoldResult['predictions']): DimensionalFoldResult['test'] {
  if (predictions.length < 2) return {};
  return Object.fromEntries(
    cfg.targets.map((t, i) => [
      t,
      regressionMetrics(
        predictions.map((p) => p.truth[i]),
        predictions.map((p) => p.pred[i]),
      ),
    ]),
  );
}

/** Standardized features clipped to ±`limit` (null: unchanged), as training and prediction both apply them. */
export function clipFeatures(f: Features, limit: number | null): Features {
  if (limit === null) return f;
  return { ...f, data: f.data.map((v) => Math.max(-limit, Math.min(limit, v))) };
}
