/**
 * The sidecar `model.onnx.json` written next to an exported model: everything a runtime needs to
 * turn audio into the graph's input exactly as training did (sample rate, feature set and its
 * settings, crop length, segment geometry), the class labels, the input layout, the temperature
 * that calibrates the graph's posteriors, and a summary of the run's trust audit. Validated with zod when read; errors name the file and field.
 */
import { z } from 'zod';

/** Identifies the file kind. */
export const SIDECAR_FORMAT = 'trustser-onnx';
/** Version of the layout this module reads and writes. */
export const SIDECAR_VERSION = 1;
/** Suffix of the sidecar next to the model (`model.onnx` → `model.onnx.json`). */
const SIDECAR_SUFFIX = '.json';
/**
 * `input.kind` of a spoofing countermeasure's sidecar (raw waveform in, logits out; see
 * spoof-sidecar.ts). Such a sidecar shares `format` and `version` but not this schema.
 */
export const WAVEFORM_INPUT_KIND = 'waveform';

const dim = z.union([z.number().int().positive(), z.string().min(1)]);
const count = z.number().int().min(0);

const LayoutSchema = z.strictObject({
  kind: z.enum(['frames', 'layers', 'vector', 'image']),
  /** Dims of the `features` input; strings are symbolic (batch, time, segments). */
  features: z.array(dim).min(2),
  /** Whether the graph takes `lengths` [batch] int64: valid frames per utterance. */
  lengths: z.boolean(),
  minFrames: z.number().int().positive(),
  segment: z.strictObject({ frames: z.number().int().positive(), hop: z.number().int().positive() }).optional(),
  /** The run's feature normalizer (norm.json) is folded into the graph: features go in raw. */
  normalization: z.literal('in-graph'),
});

const TrustSummarySchema = z.strictObject({
  ua: z.number().nullable(),
  wa: z.number().nullable(),
  /** Per protected attribute: statistical-parity and equal-opportunity gaps (docs/metrics.md). */
  fairness: z.record(z.string(), z.strictObject({ statisticalParity: z.number(), equalOpportunity: z.number().nullable() })),
  attackSuccess: z.array(z.strictObject({ method: z.string(), snrDb: z.number(), successRate: z.number() })),
  privacy: z.strictObject({ genderProbeAccuracy: z.number(), majority: z.number() }).nullable(),
  macsPerSecond: z.number().nullable(),
  params: count.nullable(),
  realTimeFactor: z.number().nullable(),
});

export const SidecarSchema = z.strictObject({
  format: z.literal(SIDECAR_FORMAT),
  version: z.literal(SIDECAR_VERSION),
  trustserVersion: z.string().min(1),
  createdAt: z.string().min(1),
  model: z.strictObject({ name: z.string().min(1), params: count, config: z.record(z.string(), z.unknown()) }),
  /** Fold of the run whose best checkpoint was exported, and its name in the split. */
  fold: count,
  foldName: z.string().nullable(),
  classes: z.array(z.string().min(1)).min(2),
  corpus: z.string().min(1),
  /** The corpus' label map, when the run named one. */
  labelMap: z.string().nullable(),
  sampleRateHz: z.number().positive(),
  features: z.strictObject({
    set: z.string().min(1),
    overrides: z.record(z.string(), z.unknown()),
    /** The feature set's settings key when exported; the runtime refuses a set whose settings differ. */
    settingsKey: z.string().min(1),
    /** Frame models: utterances are centre-cropped to this many frames, as in training. */
    maxFrames: z.number().int().positive(),
    segmentFrames: z.number().int().positive(),
    segmentHopFrames: z.number().int().positive(),
    /**
     * Backbone runs: the exported backbone graph (relative to the model file's folder), which
     * replaces the checkpoint named in `overrides.weights`; it records that checkpoint's identity.
     */
    backboneFile: z.string().min(1).optional(),
  }),
  input: LayoutSchema,
  /** Graph output names: `probs` [batch, classes], `embedding` [batch, E], extra heads. */
  outputs: z.array(z.string().min(1)).min(1),
  trust: TrustSummarySchema.nullable(),
  /**
   * Temperature scaling of the graph's `probs` (metrics/calibration): the runtime reports
   * normalize(probs^(1/T)). Sidecars written before calibration existed have none: T = 1.
   */
  temperature: z.number().positive().finite().default(1),
  /** Whether `temperature` was fitted on the fold's dev set (false: the probabilities are uncalibrated). */
  calibrated: z.boolean().default(false),
  /** Largest |ONNX − engine| posterior difference on the export's probe signals (calibrated posteriors). */
  verification: z.strictObject({ maxAbsDiff: z.number().min(0), probes: z.number().int().positive() }),
});

export type Sidecar = z.infer<typeof SidecarSchema>;
export type TrustSummary = z.infer<typeof TrustSummarySchema>;
export type InputLayoutRecord = z.infer<typeof LayoutSchema>;

/** The sidecar path of a model file. */
export function sidecarPath(modelPath: string): string {
  return `${modelPath}${SIDECAR_SUFFIX}`;
}

/** Validates a sidecar object; `label` (a file name) prefixes every error. */
export function parseSidecar(value: unknown, label = 'model.onnx.json'): Sidecar {
  const kind = (value as { input?: { kind?: unknown } } | null)?.input?.kind;
  if (kind === WAVEFORM_INPUT_KIND)
    throw new Error(
      `${label}: input.kind: a spoofing countermeasure (waveform input), not an emotion model; open it with loadSpoofSession`,
    );
  const r = SidecarSchema.safeParse(value);
  if (!r.success) {
    const first = r.error.issues[0];
    throw new Error(
      `${label}: ${first.path.length ? first.path.join('.') : '(root)'}: ${first.message}${r.error.issues.length > 1 ? ` (and ${r.error.issues.length - 1} more)` : ''}`,
    );
  }
  const s = r.data;
  if (s.outputs[0] !== 'probs') throw new Error(`${label}: outputs: the first output must be 'probs', got '${s.outputs[0]}'`);
  if (s.input.kind === 'image' && s.input.segment === undefined) throw new Error(`${label}: input.segment: required for image models`);
  return s;
}
