/**
 * zod schemas of the run folder's JSON files (see layout.ts), so every reader gets validated,
 * typed values and a damaged or foreign file is an error naming the file and the field.
 */
import { z } from 'zod';
import { ModelConfig } from './config.js';

/** A rate; JSON turns NaN (a class absent from a test set) into null, read back as NaN. */
const rateOrNaN = z
  .number()
  .nullable()
  .transform((v) => (v === null ? Number.NaN : v));

/** Metrics of one set of predictions (metrics/classification). */
export const ClassificationMetricsSchema = z.object({
  wa: rateOrNaN,
  ua: rateOrNaN,
  macroF1: rateOrNaN,
  recall: z.array(rateOrNaN),
  confusion: z.array(z.array(z.number().int().min(0))),
  n: z.number().int().min(0),
});

/** fold-K/norm.json: standardization statistics per (channel, dim). */
export const NormalizerSchema = z
  .object({
    channels: z.number().int().min(1),
    dims: z.number().int().min(1),
    mean: z.array(z.number()),
    std: z.array(z.number().positive()),
  })
  .refine((n) => n.mean.length === n.channels * n.dims && n.std.length === n.mean.length, {
    message: 'mean and std need channels × dims values',
  });

/** fold-K/model.json: enough to rebuild the fold's model. */
export const FoldModelInfoSchema = z.object({
  model: ModelConfig,
  classes: z.array(z.string().min(1)).min(2),
  geometry: z.object({ inputShape: z.array(z.number().int().min(1)).min(1) }),
  describe: z.record(z.string(), z.unknown()).optional(),
});
export type FoldModelInfo = z.infer<typeof FoldModelInfoSchema>;

/** One test prediction, as stored in fold-K/result.json. */
export const PredictionSchema = z.object({
  id: z.string(),
  /** Older runs did not store it: the corpus listing fills it in. */
  path: z.string().optional(),
  speaker: z.string(),
  truth: z.number().int().min(0),
  pred: z.number().int().min(0),
  probs: z.array(z.number()),
});

/** A temperature of temperature scaling (metrics/calibration). */
const temperature = z.number().positive().finite();

/** fold-K/result.json: the fold's test predictions and metrics. */
export const FoldResultSchema = z.object({
  fold: z.number().int().min(0),
  name: z.string(),
  bestEpoch: z.number().int().min(0),
  devUa: z.number(),
  test: ClassificationMetricsSchema,
  /** The raw (uncalibrated) posteriors are in `predictions`. */
  predictions: z.array(PredictionSchema),
  /** The fold's temperature (calibration.json); runs trained before calibration existed have none. */
  temperature: temperature.optional(),
});

/** A number measured on the dev set, before and after temperature scaling; null without dev utterances. */
const beforeAfter = z.object({ before: z.number().min(0).nullable(), after: z.number().min(0).nullable() });

/**
 * fold-K/calibration.json: the temperature fitted on the fold's dev posteriors (minimum mean
 * NLL), with the dev NLL (nats) and ECE before and after it; `note` says why no temperature was
 * fitted (then it is 1).
 */
export const FoldCalibrationSchema = z.object({
  temperature,
  devUtterances: z.number().int().min(0),
  devNll: beforeAfter,
  devEce: beforeAfter,
  note: z.string().min(1).optional(),
});
export type FoldCalibration = z.infer<typeof FoldCalibrationSchema>;

/** Mean ± std over folds (NaN, stored as null, when there is no test set). */
const meanStd = z.object({ mean: rateOrNaN, std: rateOrNaN });

/** metrics.json: per fold and mean ± std, plus the pooled metrics. */
export const RunMetricsSchema = z.object({
  classes: z.array(z.string()),
  folds: z.array(
    z.object({
      fold: z.number().int(),
      name: z.string(),
      ua: rateOrNaN,
      wa: rateOrNaN,
      macroF1: rateOrNaN,
      bestEpoch: z.number().int(),
      /** Older runs did not store it. */
      devUa: z.number().optional(),
    }),
  ),
  ua: meanStd,
  wa: meanStd,
  macroF1: meanStd,
  pooled: ClassificationMetricsSchema,
  /** Pooled test metrics of each corpus, when the run tests on several. */
  byCorpus: z.record(z.string(), ClassificationMetricsSchema).optional(),
  trainSeconds: z.number().min(0),
});
