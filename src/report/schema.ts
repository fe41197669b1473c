/**
 * The `trust.json` record: everything the trust report shows about one trained, audited model.
 *
 * Every trust dimension (accuracy, fairness, safety, robustness, privacy, sustainability) is
 * optional: a report shows what was measured and says "not measured" for the rest. Rates and
 * scores are fractions in [0, 1] (shown as percentages); fairness gaps are distances in [0, 1]
 * as defined in docs/metrics.md. Parsing validates every field with zod; errors name the field.
 */
import { z } from 'zod';
import { formatIssues } from '../core/pure.js';
import type { ReliabilityBin } from '../metrics/pure.js';

export type { ReliabilityBin };

/** Version of the `trust.json` layout this module reads and writes. */
export const TRUST_REPORT_VERSION = 1;
/** File names inside a run directory. */
export const TRUST_JSON = 'trust.json';
export const TRUST_HTML = 'trust.html';

/**
 * How an interval was formed: `percentile` bootstrap around the plug-in value, or — when the
 * plug-in lies outside the percentile range (a biased estimate) — the `basic` bootstrap interval
 * around the bias-corrected value, with the plug-in kept in `plugIn`.
 */
export type IntervalMethod = 'percentile' | 'basic';

/** What a bootstrap resampled: speakers (cluster bootstrap) or single utterances. */
export type IntervalUnit = 'speaker' | 'utterance';

/** A point estimate with an optional confidence interval (e.g. a bootstrap 95 % CI). */
export interface Estimate {
  value: number;
  low?: number;
  high?: number;
  method?: IntervalMethod;
  unit?: IntervalUnit;
  /** The plug-in value when `value` is bias-corrected (`method: 'basic'`). */
  plugIn?: number;
}

/** A point estimate with its confidence interval (required). */
export interface Interval extends Estimate {
  low: number;
  high: number;
}

/** Accuracy on the test set (speaker-independent). */
export interface AccuracySection {
  /** Unweighted average recall (macro recall). */
  ua: Estimate;
  /** Weighted accuracy (overall accuracy). */
  wa: Estimate;
  macroF1: Estimate;
  /** Counts, `confusion[true][predicted]`, K × K in the order of `classes`. */
  confusion: number[][];
  /** Recall of each class, in the order of `classes`. */
  perClassRecall: number[];
  /** UA of guessing (1 / classes). */
  chance?: number;
}

/** The temperature a fold's posteriors are scaled by; `calibrated` false when none was fitted (`note` says why, T = 1). */
export interface FoldTemperatureRecord {
  fold: number;
  temperature: number;
  calibrated: boolean;
  note?: string;
}

/**
 * Calibration of the test posteriors, pooled over the audited folds: expected calibration error
 * and mean NLL of the raw posteriors (before) and of each fold's posteriors scaled by that fold's
 * temperature (after; absent when no fold is calibrated), and the reliability tables.
 */
export interface CalibrationSection {
  /** Equal-width confidence bins of the ECE. */
  bins: number;
  eceBefore: number;
  eceAfter?: number;
  /** Mean negative log-likelihood of the true classes (nats). */
  nllBefore: number;
  nllAfter?: number;
  folds: FoldTemperatureRecord[];
  reliability: { before: ReliabilityBin[]; after?: ReliabilityBin[] };
}

/** One value of a protected attribute (e.g. `female`) and the model's UA on it. */
export interface FairnessGroup {
  name: string;
  /** Test utterances in the group. */
  n: number;
  ua: Estimate;
}

/** Fairness with respect to one protected attribute (docs/metrics.md gives the definitions). */
export interface FairnessAttribute {
  groups: FairnessGroup[];
  /** Multiclass statistical parity gap (total-variation distance of prediction rates). */
  statisticalParity: Interval;
  /** Multiclass equality-of-opportunity gap. */
  equalOpportunity?: Interval;
  /** Trust-SER's demographic parity (two groups only). */
  demographicParity?: Interval;
  trueRatesDifference?: Interval;
  averageOdds?: Interval;
  /** How pairwise distances are aggregated over group pairs (default `max`). */
  aggregation?: 'max' | 'mean';
}

/** Success rate of one adversarial attack at one perturbation SNR. */
export interface AttackPoint {
  method: 'fgsm' | 'pgd';
  snrDb: number;
  /** Fraction of correctly classified utterances that the attack flips. Higher = less safe. */
  successRate: number;
  /** Utterances attacked (those classified correctly before the attack) and how many flipped. */
  attacked?: number;
  flipped?: number;
  /** 95 % Wilson score interval of the success rate. */
  low?: number;
  high?: number;
}

export interface SafetySection {
  attacks: AttackPoint[];
}

/** UA under one corruption: white/babble noise at `level` dB SNR, reverb at RT60 `level` s; `clean` has no level. */
export interface RobustnessPoint {
  kind: 'white' | 'babble' | 'reverb' | 'clean';
  level: number | null;
  ua: number;
}

/** Attribute-inference probes on the model's utterance embeddings. Higher accuracy = less private. */
export interface PrivacySection {
  genderProbe: { accuracy: number; majority: number };
  speakerProbe?: { accuracy: number; chance: number };
}

export interface SustainabilitySection {
  params: number;
  /** Multiply-accumulates per second of audio. */
  macsPerSecond: number;
  latencyMs: number;
  realTimeFactor: number;
  peakMemoryMb: number;
  /** Training wall time (s); null when the run did not record it. */
  trainSeconds?: number | null;
  /** The frozen backbone the features come from, counted in `params` and (where known) `macsPerSecond`. */
  backbone?: { name: string; params: number; macsPerSecond: number | null };
}

/** The trust dimensions, each a section of the report. */
export const TRUST_DIMENSIONS = ['accuracy', 'calibration', 'fairness', 'safety', 'robustness', 'privacy', 'sustainability'] as const;
export type TrustDimension = (typeof TRUST_DIMENSIONS)[number];

/** The whole `trust.json` record. */
export interface TrustReport {
  version?: typeof TRUST_REPORT_VERSION;
  model: { name: string; description?: string };
  corpus?: { name: string; protocol?: string; testUtterances?: number };
  /** Class names, in the order used by the confusion matrix and the per-class recalls. */
  classes: string[];
  /** ISO 8601 time the audit was made. */
  createdAt?: string;
  accuracy?: AccuracySection;
  /** Reports of audits made before calibration existed have none. */
  calibration?: CalibrationSection;
  /** Keyed by protected attribute, e.g. `gender`, `age`. */
  fairness?: Record<string, FairnessAttribute>;
  safety?: SafetySection;
  robustness?: RobustnessPoint[];
  privacy?: PrivacySection;
  sustainability?: SustainabilitySection;
  /** Caveats per dimension, shown in its section (e.g. intervals that could not be formed). */
  notes?: Partial<Record<TrustDimension, string[]>>;
  /** Why a dimension was not measured (shown instead of a bare "not measured"). */
  notMeasured?: Partial<Record<TrustDimension, string>>;
  /** Findings that change how the whole report reads (e.g. accuracy at chance level); shown in the summary. */
  warnings?: string[];
  /** Everything else the audit measured (pairwise fairness tables, both CI kinds, probe sizes); not rendered. */
  details?: Record<string, unknown>;
}

const rate = z.number().min(0).max(1);
const nonNegative = z.number().min(0);

const ciOrdered = (e: { low?: number; high?: number }) => e.low === undefined || e.high === undefined || e.low <= e.high;
const ciMessage = { message: 'low must not exceed high' };

const estimateShape = {
  value: rate,
  low: rate.optional(),
  high: rate.optional(),
  method: z.enum(['percentile', 'basic']).optional(),
  unit: z.enum(['speaker', 'utterance']).optional(),
  plugIn: rate.optional(),
};
const EstimateSchema = z
  .object(estimateShape)
  .refine((e) => (e.low === undefined) === (e.high === undefined), { message: 'give both low and high, or neither' })
  .refine(ciOrdered, ciMessage);
const IntervalSchema = z.object({ ...estimateShape, low: rate, high: rate }).refine(ciOrdered, ciMessage);

const AccuracySchema = z.object({
  ua: EstimateSchema,
  wa: EstimateSchema,
  macroF1: EstimateSchema,
  confusion: z.array(z.array(nonNegative)),
  perClassRecall: z.array(rate),
  chance: rate.optional(),
});

const ReliabilityBinSchema = z
  .object({
    lower: rate,
    upper: rate,
    count: z.number().int().min(0),
    accuracy: rate.nullable(),
    confidence: rate.nullable(),
  })
  .refine((b) => b.lower < b.upper, { message: 'lower must be below upper', path: ['upper'] })
  .refine((b) => (b.count === 0) === (b.accuracy === null) && (b.count === 0) === (b.confidence === null), {
    message: 'accuracy and confidence are null exactly for an empty bin',
    path: ['count'],
  });

const CalibrationSchema = z
  .object({
    bins: z.number().int().min(1),
    eceBefore: rate,
    eceAfter: rate.optional(),
    nllBefore: nonNegative,
    nllAfter: nonNegative.optional(),
    folds: z.array(
      z.object({
        fold: z.number().int().min(0),
        temperature: z.number().positive(),
        calibrated: z.boolean(),
        note: z.string().optional(),
      }),
    ),
    reliability: z.object({ before: z.array(ReliabilityBinSchema), after: z.array(ReliabilityBinSchema).optional() }),
  })
  .refine((c) => c.reliability.before.length === c.bins && (c.reliability.after ?? c.reliability.before).length === c.bins, {
    message: 'each reliability table needs one row per bin',
    path: ['reliability'],
  })
  .refine((c) => (c.eceAfter === undefined) === (c.reliability.after === undefined), {
    message: 'eceAfter and reliability.after come together',
    path: ['eceAfter'],
  });

const FairnessAttributeSchema = z.object({
  groups: z.array(z.object({ name: z.string().min(1), n: z.number().int().min(0), ua: EstimateSchema })).min(1),
  statisticalParity: IntervalSchema,
  equalOpportunity: IntervalSchema.optional(),
  demographicParity: IntervalSchema.optional(),
  trueRatesDifference: IntervalSchema.optional(),
  averageOdds: IntervalSchema.optional(),
  aggregation: z.enum(['max', 'mean']).optional(),
});

const RobustnessPointSchema = z
  .object({ kind: z.enum(['white', 'babble', 'reverb', 'clean']), level: z.number().nullable(), ua: rate })
  .refine((p) => (p.kind === 'clean') === (p.level === null), { message: 'level is null exactly for kind "clean"', path: ['level'] })
  .refine((p) => p.kind !== 'reverb' || (p.level ?? 0) >= 0, { message: 'an RT60 (s) cannot be negative', path: ['level'] });

const SustainabilitySchema = z.object({
  params: z.number().int().min(0),
  macsPerSecond: nonNegative,
  latencyMs: nonNegative,
  realTimeFactor: nonNegative,
  peakMemoryMb: nonNegative,
  trainSeconds: nonNegative.nullable().optional(),
  backbone: z.object({ name: z.string().min(1), params: z.number().int().min(0), macsPerSecond: nonNegative.nullable() }).optional(),
});

/**
 * zod schema of `trust.json`. Unknown top-level keys are refused (a misspelt section would
 * otherwise silently read as "not measured"); unknown keys inside sections are dropped.
 */
export const TrustReportSchema = z
  .strictObject({
    version: z.literal(TRUST_REPORT_VERSION).optional(),
    model: z.object({ name: z.string().min(1), description: z.string().optional() }),
    corpus: z
      .object({ name: z.string().min(1), protocol: z.string().optional(), testUtterances: z.number().int().min(0).optional() })
      .optional(),
    classes: z.array(z.string().min(1)).min(1),
    createdAt: z.string().optional(),
    accuracy: AccuracySchema.optional(),
    calibration: CalibrationSchema.optional(),
    fairness: z.record(z.string().min(1), FairnessAttributeSchema).optional(),
    safety: z
      .object({
        attacks: z.array(
          z
            .object({
              method: z.enum(['fgsm', 'pgd']),
              snrDb: z.number(),
              successRate: rate,
              attacked: z.number().int().min(0).optional(),
              flipped: z.number().int().min(0).optional(),
              low: rate.optional(),
              high: rate.optional(),
            })
            .refine(ciOrdered, ciMessage),
        ),
      })
      .optional(),
    robustness: z.array(RobustnessPointSchema).optional(),
    privacy: z
      .object({
        genderProbe: z.object({ accuracy: rate, majority: rate }),
        speakerProbe: z.object({ accuracy: rate, chance: rate }).optional(),
      })
      .optional(),
    sustainability: SustainabilitySchema.optional(),
    notes: z.partialRecord(z.enum(TRUST_DIMENSIONS), z.array(z.string())).optional(),
    notMeasured: z.partialRecord(z.enum(TRUST_DIMENSIONS), z.string()).optional(),
    warnings: z.array(z.string()).optional(),
    details: z.record(z.string(), z.unknown()).optional(),
  })
  .superRefine((r, ctx) => {
    const k = r.classes.length;
    if (!r.accuracy) return;
    if (r.accuracy.confusion.length !== k) {
      ctx.addIssue({
        code: 'custom',
        path: ['accuracy', 'confusion'],
        message: `expected ${k} rows (one per class), got ${r.accuracy.confusion.length}`,
      });
    }
    r.accuracy.confusion.forEach((row, i) => {
      if (row.length !== k)
        ctx.addIssue({
          code: 'custom',
          path: ['accuracy', 'confusion', i],
          message: `expected ${k} columns (one per class), got ${row.length}`,
        });
    });
    if (r.accuracy.perClassRecall.length !== k) {
      ctx.addIssue({
        code: 'custom',
        path: ['accuracy', 'perClassRecall'],
        message: `expected ${k} values (one per class), got ${r.accuracy.perClassRecall.length}`,
      });
    }
  });

/** Compile-time proof that the schema's output and the hand-written interface agree both ways. */
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const schemaMatchesInterface: Same<z.output<typeof TrustReportSchema>, TrustReport> = true;
void schemaMatchesInterface;

/**
 * Validates a trust record.
 * @param value - parsed JSON.
 * @param label - prefixes every error line (a file name).
 * @throws Error whose message has one `label: field.path: problem` line per issue.
 */
export function parseTrustReport(value: unknown, label = TRUST_JSON): TrustReport {
  const r = TrustReportSchema.safeParse(value);
  if (!r.success) throw new Error(formatIssues(label, r.error, { schema: TrustReportSchema }));
  return r.data;
}
