/**
 * The run folder: the name of every file trustser writes into it, in one place.
 *
 * ```text
 * RUN/config.json            the resolved run configuration
 * RUN/split.json             the speaker-independent split (versioned manifest)
 * RUN/log.jsonl              one line per finished epoch, folds in run order (assembled from the fold logs)
 * RUN/metrics.json           per fold and mean ± std (written when every fold is done)
 * RUN/fold-K/norm.json       feature normalization fitted on the fold's training data
 * RUN/fold-K/model.json      model name, options, classes, input geometry, size
 * RUN/fold-K/best.safetensors        weights of the best dev epoch
 * RUN/fold-K/checkpoint.safetensors  weights + optimizer + loop state + history (one atomic file)
 * RUN/fold-K/backbone.safetensors    fine-tuned runs: the backbone network of the best dev epoch (the fold's features load it)
 * RUN/fold-K/best-finetune.safetensors  fine-tuned runs while training: backbone + downstream of the best dev epoch
 * RUN/fold-K/calibration.json  the fold's temperature, fitted on its dev set (runs trained before it existed have none)
 * RUN/fold-K/result.json     the fold's test predictions and metrics
 * RUN/fold-K/log.jsonl       the fold's finished epochs (each fold writes only its own: folds may train in parallel)
 * RUN/trust.json, trust.html the audit (written by trustser audit)
 * RUN/evaluations/T.json     the run measured on corpus T (trustser evaluate --on)
 * ```
 */
import { join } from 'node:path';

export const CONFIG_FILE = 'config.json';
export const SPLIT_FILE = 'split.json';
export const LOG_FILE = 'log.jsonl';
export const METRICS_FILE = 'metrics.json';
export const NORM_FILE = 'norm.json';
export const MODEL_INFO_FILE = 'model.json';
export const BEST_FILE = 'best.safetensors';
export const CHECKPOINT_FILE = 'checkpoint.safetensors';
export const TUNED_BACKBONE_FILE = 'backbone.safetensors';
export const FINETUNE_BEST_FILE = 'best-finetune.safetensors';
export const RESULT_FILE = 'result.json';
export const CALIBRATION_FILE = 'calibration.json';
export const EVALUATIONS_DIR = 'evaluations';

/** The folder of fold `k` in `runDir`. */
export function foldDir(runDir: string, k: number): string {
  return join(runDir, `fold-${k}`);
}

/**
 * The feature-set overrides fold `k` of a run computes its features with: the run's, plus the
 * fold's fine-tuned backbone network when the run fine-tunes one (`features.finetune`).
 */
export function foldFeatureOverrides(
  runDir: string,
  k: number,
  features: { overrides: Record<string, unknown>; finetune: unknown },
): Record<string, unknown> {
  if (features.finetune === null || features.finetune === undefined) return features.overrides;
  return { ...features.overrides, tuned: join(foldDir(runDir, k), TUNED_BACKBONE_FILE) };
}

/** The fold index of a folder name (`fold-3` → 3), or null. */
export function foldIndexOf(name: string): number | null {
  const m = /^fold-(\d+)$/.exec(name);
  return m ? Number(m[1]) : null;
}
