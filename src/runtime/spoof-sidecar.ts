/**
 * The sidecar `spoof.onnx.json` of an exported spoofing countermeasure (AASIST / AASIST-L): the
 * spoof-model contract — input `wave` float32 [batch, samples] at `sampleRateHz`, each clip fitted
 * to `samples` as the published evaluation does (its first samples, shorter clips tiled from the
 * start), output `logits` [batch, 2] = [spoof, bona fide], score = the bona fide logit — plus the
 * model it came from and the export's check against the engine.
 *
 * It shares `format` and `version` with the emotion models' sidecar (sidecar.ts) and is told apart
 * by `input.kind: 'waveform'`; the emotion schema's feature, corpus and fold fields have no meaning
 * for a model on raw samples, so it has its own schema instead of dummy values in those.
 */
import { z } from 'zod';
import { SpoofCalibrationSchema } from '../metrics/pure.js';
import { SPOOF_VAD_MODES } from '../models/pure.js';
import { SIDECAR_FORMAT, SIDECAR_VERSION, WAVEFORM_INPUT_KIND } from './sidecar.js';

/** Graph input and output names of the spoof-model contract. */
export const WAVE_INPUT = 'wave';
export const LOGITS_OUTPUT = 'logits';
/** Classes in logit order, and the index of the score logit (bona fide: higher = more bona fide). */
export const SPOOF_CLASSES = ['spoof', 'bonafide'] as const;
export const SCORE_INDEX = 1;
/** How a clip is fitted to the input length (src/models/aasist/input.ts fitAasistInput). */
export const FIT_FIRST_OR_TILE = 'first-or-tile';

const count = z.number().int().min(0);

const WaveformInputSchema = z.strictObject({
  kind: z.literal(WAVEFORM_INPUT_KIND),
  name: z.literal(WAVE_INPUT),
  /** Samples per clip (the graph's fixed second input dim). */
  samples: z.number().int().positive(),
  fit: z.literal(FIT_FIRST_OR_TILE),
  /** What of each clip the model hears (models/aasist SPOOF_VAD_MODES); absent: all of it. */
  vad: z.enum(SPOOF_VAD_MODES).optional(),
});

export const SpoofSidecarSchema = z.strictObject({
  format: z.literal(SIDECAR_FORMAT),
  version: z.literal(SIDECAR_VERSION),
  trustserVersion: z.string().min(1),
  createdAt: z.string().min(1),
  /** `name`: AASIST, AASIST-L or AASIST-custom; `source`: the weights file or spoof run exported. */
  model: z.strictObject({ name: z.string().min(1), params: count, config: z.record(z.string(), z.unknown()), source: z.string().min(1) }),
  classes: z.tuple([z.literal(SPOOF_CLASSES[0]), z.literal(SPOOF_CLASSES[1])]),
  scoreIndex: z.literal(SCORE_INDEX),
  sampleRateHz: z.number().positive(),
  input: WaveformInputSchema,
  /** Graph output names; the first is `logits`. */
  outputs: z.array(z.string().min(1)).min(1),
  /** Largest |ONNX − engine| logit difference on the export's probe signals. */
  verification: z.strictObject({ maxAbsDiff: z.number().min(0), probes: z.number().int().positive() }),
  /** P(spoof) from the score and the dev set's EER threshold (`trustser spoof calibrate`); absent: uncalibrated. */
  calibration: SpoofCalibrationSchema.optional(),
});

export type SpoofSidecar = z.infer<typeof SpoofSidecarSchema>;

/** Validates a spoof sidecar object; `label` (a file name) prefixes every error. */
export function parseSpoofSidecar(value: unknown, label = 'spoof.onnx.json'): SpoofSidecar {
  const kind = (value as { input?: { kind?: unknown } } | null)?.input?.kind;
  if (kind !== undefined && kind !== WAVEFORM_INPUT_KIND) {
    throw new Error(
      `${label}: input.kind: '${String(kind)}' is an emotion model's input; a spoofing countermeasure takes '${WAVEFORM_INPUT_KIND}'`,
    );
  }
  const r = SpoofSidecarSchema.safeParse(value);
  if (!r.success) {
    const first = r.error.issues[0];
    throw new Error(
      `${label}: ${first.path.length ? first.path.join('.') : '(root)'}: ${first.message}${r.error.issues.length > 1 ? ` (and ${r.error.issues.length - 1} more)` : ''}`,
    );
  }
  if (r.data.outputs[0] !== LOGITS_OUTPUT)
    throw new Error(`${label}: outputs: the first output must be '${LOGITS_OUTPUT}', got '${r.data.outputs[0]}'`);
  return r.data;
}
