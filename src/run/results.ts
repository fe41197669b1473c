/** What a finished run records about its test folds (fold-K/result.json, metrics.json). */
import type { z } from 'zod';
import type { FoldResultSchema, PredictionSchema, RunMetricsSchema } from './schemas.js';

/** One test prediction, as stored in fold-K/result.json. */
export type Prediction = z.output<typeof PredictionSchema> & { path: string };

/** A finished fold: its best epoch, dev UA, test metrics and predictions. */
export type FoldResult = Omit<z.output<typeof FoldResultSchema>, 'predictions'> & { predictions: Prediction[] };

/** metrics.json: per fold, mean ± std, and pooled over every fold's test predictions. */
export type RunMetrics = z.output<typeof RunMetricsSchema>;
