/**
 * The jobs trustser puts on the queue: what each carries and returns. Job data comes back from
 * Redis, so workers validate it before use; results are small (features stay in the shared
 * cache, fold results in the shared run folder).
 */
import { z } from 'zod';

/** Extract the features of a few files into the shared feature cache. */
export const FEATURES_JOB = 'features';
/** Train (or resume) one fold of a prepared run in the shared run folder. */
export const TRAIN_FOLD_JOB = 'train-fold';
/** Measure one fold of a trained run for its audit (attacks, robustness, privacy, cost). */
export const AUDIT_FOLD_JOB = 'audit-fold';

/** Attempts per job before it fails (a job whose worker died counts as one). */
export const JOB_ATTEMPTS = 3;
/** First retry delay, ms (doubled at each attempt). */
const RETRY_DELAY_MS = 1000;
/** Finished jobs stay in Redis this long (s), for inspection and for clients that wait on them late. */
const KEEP_COMPLETED_S = 3600;
const KEEP_FAILED_S = 24 * 3600;

/** Options of every job trustser adds. */
export const JOB_OPTIONS = {
  attempts: JOB_ATTEMPTS,
  backoff: { type: 'exponential', delay: RETRY_DELAY_MS },
  removeOnComplete: { age: KEEP_COMPLETED_S },
  removeOnFail: { age: KEEP_FAILED_S },
} as const;

const extractTask = z.strictObject({
  id: z.string(),
  path: z.string().min(1),
  setName: z.string().min(1),
  overrides: z.record(z.string(), z.unknown()).optional(),
  cacheDir: z.string().min(1),
  augment: z.strictObject({ spec: z.record(z.string(), z.unknown()), seed: z.number(), babble: z.array(z.string()) }).optional(),
});

export const featuresJobData = z.strictObject({ tasks: z.array(extractTask).min(1) });
export type FeaturesJobData = z.infer<typeof featuresJobData>;

/** One file's outcome; the features themselves are in the cache under `key`. */
export type FeaturesJobResult = ({ id: string; ok: true; cached: boolean; key: string } | { id: string; ok: false; reason: string })[];

export const trainFoldJobData = z.strictObject({
  runDir: z.string().min(1),
  fold: z.number().int().min(0),
  cacheDir: z.string().min(1),
});
export type TrainFoldJobData = z.infer<typeof trainFoldJobData>;

export interface TrainFoldJobResult {
  fold: number;
  /** The fold's test UA (0–1), or null without a test set. */
  ua: number | null;
}

export const auditFoldJobData = z.strictObject({
  runDir: z.string().min(1),
  fold: z.number().int().min(0),
  sustainability: z.boolean(),
  settings: z.strictObject({
    snrDb: z.array(z.number()),
    attacks: z.array(z.enum(['fgsm', 'pgd'])),
    pgdSteps: z.number().int().min(1),
    maxUtterancesPerFold: z.number().int().min(1),
    robustness: z.boolean(),
    seed: z.number().int(),
  }),
});
export type AuditFoldJobData = z.infer<typeof auditFoldJobData>;

/** Stand-ins for the numbers JSON cannot carry (a rate over no utterance is NaN). */
const NON_FINITE: Record<string, number> = {
  '\u0000NaN': Number.NaN,
  '\u0000Infinity': Number.POSITIVE_INFINITY,
  '\u0000-Infinity': Number.NEGATIVE_INFINITY,
};

/** JSON text of `value` that keeps NaN and ±Infinity (job results travel through Redis as JSON). */
export function encodeResult(value: unknown): string {
  return JSON.stringify(value, (_, v) => (typeof v === 'number' && !Number.isFinite(v) ? `\u0000${v}` : v));
}

/** The value {@link encodeResult} encoded. */
export function decodeResult<T>(text: string): T {
  return JSON.parse(text, (_, v) => (typeof v === 'string' && v in NON_FINITE ? NON_FINITE[v] : v)) as T;
}

/** The data of a job, validated; the error names the job and the field. */
export function jobData<T>(schema: z.ZodType<T>, name: string, id: string | undefined, data: unknown): T {
  const r = schema.safeParse(data);
  if (r.success) return r.data;
  const issues = r.error.issues.map((i) => `${i.path.join('.') || '(data)'}: ${i.message}`).join('; ');
  throw new Error(`queue job ${id ?? '?'} (${name}): malformed data: ${issues}`);
}
