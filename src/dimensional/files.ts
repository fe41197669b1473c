/**
 * The dimensional run folder. It shares the categorical run's layout (config.json, split.json,
 * metrics.json, fold-K/{norm.json, best.safetensors, checkpoint.safetensors, result.json});
 * `config.json` carries `task: dimensional`, and each fold adds `targets.json` (the training
 * set's label mean and standard deviation, inverted at prediction) and `model.json`.
 * Every read is validated, every write atomic.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { readJsonWith, writeFileAtomicSync } from '../core/index.js';
import { ATTRIBUTES } from '../data/index.js';
import { CONFIG_FILE, METRICS_FILE, MODEL_INFO_FILE, ModelConfig, RESULT_FILE, foldDir } from '../run/index.js';
import { loadDimensionalConfig, isDimensionalConfig, type DimensionalConfig } from './config.js';

/** fold-K/targets.json: the label z-normalization of the fold. */
export const TARGETS_FILE = 'targets.json';

/** A number that JSON may have turned from NaN into null (a constant series' CCC), read back as NaN. */
const numOrNaN = z
  .number()
  .nullable()
  .transform((v) => (v === null ? Number.NaN : v));

const TargetNormSchema = z
  .object({ targets: z.array(z.enum(ATTRIBUTES)).min(1), mean: z.array(z.number()), std: z.array(z.number().positive()) })
  .refine((n) => n.mean.length === n.targets.length && n.std.length === n.targets.length, {
    message: 'mean and std need one value per target',
  });
export type TargetNorm = z.infer<typeof TargetNormSchema>;

const RegressionMetricsSchema = z.object({ ccc: numOrNaN, pearson: numOrNaN, rmse: numOrNaN, n: z.number().int().min(0) });
const PerTarget = <T extends z.ZodType>(v: T) => z.partialRecord(z.enum(ATTRIBUTES), v);

const DimensionalPredictionSchema = z.object({
  id: z.string(),
  path: z.string(),
  speaker: z.string(),
  truth: z.array(z.number()),
  pred: z.array(z.number()),
});
export type DimensionalPrediction = z.infer<typeof DimensionalPredictionSchema>;

const DimensionalEpochSchema = z.object({
  epoch: z.number().int().min(1),
  trainLoss: numOrNaN,
  devCcc: z.array(numOrNaN),
  seconds: z.number(),
});

export const DimensionalFoldResultSchema = z.object({
  fold: z.number().int().min(0),
  name: z.string(),
  targets: z.array(z.enum(ATTRIBUTES)).min(1),
  bestEpoch: z.number().int().min(0),
  devCcc: z.array(numOrNaN),
  test: PerTarget(RegressionMetricsSchema),
  predictions: z.array(DimensionalPredictionSchema),
  history: z.array(DimensionalEpochSchema),
});
export type DimensionalFoldResult = z.infer<typeof DimensionalFoldResultSchema>;

const MeanStd = z.object({ mean: numOrNaN, std: numOrNaN });
export const DimensionalMetricsSchema = z.object({
  task: z.literal('dimensional'),
  attributes: z.enum(['corpus', 'proxy']),
  targets: z.array(z.enum(ATTRIBUTES)).min(1),
  folds: z.array(
    z.object({ fold: z.number().int(), name: z.string(), bestEpoch: z.number().int(), devCcc: z.array(numOrNaN), ccc: z.array(numOrNaN) }),
  ),
  ccc: PerTarget(MeanStd),
  pearson: PerTarget(MeanStd),
  rmse: PerTarget(MeanStd),
  pooled: PerTarget(RegressionMetricsSchema),
  trainSeconds: z.number(),
});
export type DimensionalMetrics = z.infer<typeof DimensionalMetricsSchema>;

const DimensionalModelInfoSchema = z.object({
  model: ModelConfig,
  targets: z.array(z.enum(ATTRIBUTES)).min(1),
  geometry: z.object({ inputShape: z.array(z.number().int().min(1)).min(1) }),
  inputKind: z.enum(['vector', 'frames', 'layers']),
});
export type DimensionalModelInfo = z.infer<typeof DimensionalModelInfoSchema>;

const json = (v: unknown, pretty = false) => (pretty ? JSON.stringify(v, null, 2) : JSON.stringify(v));

/** True when `runDir` holds a dimensional run (its config.json says `task: dimensional`). */
export function isDimensionalRun(runDir: string): boolean {
  const path = join(resolve(runDir), CONFIG_FILE);
  if (!existsSync(path)) return false;
  try {
    return isDimensionalConfig(JSON.parse(readFileSync(path, 'utf8')));
  } catch {
    return false;
  }
}

/** The dimensional run's configuration (errors name the folder when it is not one). */
export function dimensionalRunConfig(runDir: string): DimensionalConfig {
  const dir = resolve(runDir);
  if (!isDimensionalRun(dir)) throw new Error(`${dir}: not a dimensional trustser run (no ${CONFIG_FILE} with task: dimensional)`);
  return loadDimensionalConfig(join(dir, CONFIG_FILE));
}

export const writeDimensionalConfig = (dir: string, cfg: DimensionalConfig) => writeFileAtomicSync(join(dir, CONFIG_FILE), json(cfg, true));
export const writeTargetNorm = (dir: string, k: number, n: TargetNorm) => writeFileAtomicSync(join(foldDir(dir, k), TARGETS_FILE), json(n));
export const readTargetNorm = (dir: string, k: number): TargetNorm =>
  readJsonWith(join(foldDir(dir, k), TARGETS_FILE), TargetNormSchema, "the fold's target normalization");
export const writeDimensionalModelInfo = (dir: string, k: number, m: DimensionalModelInfo) =>
  writeFileAtomicSync(join(foldDir(dir, k), MODEL_INFO_FILE), json(m, true));
export const readDimensionalModelInfo = (dir: string, k: number): DimensionalModelInfo =>
  readJsonWith(join(foldDir(dir, k), MODEL_INFO_FILE), DimensionalModelInfoSchema, "the fold's model description");
export const writeDimensionalFoldResult = (dir: string, k: number, r: DimensionalFoldResult) =>
  writeFileAtomicSync(join(foldDir(dir, k), RESULT_FILE), json(r));
export const readDimensionalFoldResult = (dir: string, k: number): DimensionalFoldResult =>
  readJsonWith(join(foldDir(dir, k), RESULT_FILE), DimensionalFoldResultSchema, "the fold's test predictions");
export const writeDimensionalMetrics = (dir: string, m: DimensionalMetrics) => writeFileAtomicSync(join(dir, METRICS_FILE), json(m, true));
export const readDimensionalMetrics = (dir: string): DimensionalMetrics =>
  readJsonWith(join(resolve(dir), METRICS_FILE), DimensionalMetricsSchema, "the run's metrics", {
    hint: '; train the run to the end first (trustser train --task dimensional --out RUN)',
  });
