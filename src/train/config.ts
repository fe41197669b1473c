/**
 * Run configuration: one YAML/JSON file (or CLI flags) that fully describes a training run.
 * Validated with zod; errors name the file and the field.
 */
import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';

export const CorpusConfig = z.object({
  /** Adapter name (see `trustser corpora`); 'synthetic' needs no root. */
  name: z.string().min(1),
  root: z.string().optional(),
  /** Label map of the adapter (default: its own default). */
  labelMap: z.string().optional(),
  options: z.record(z.string(), z.unknown()).default({}),
});

export const ProtocolConfig = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('speaker-kfold'),
    folds: z.number().int().min(2).default(5),
    seed: z.number().int().default(1),
    balanceBy: z.enum(['gender']).optional(),
    devSpeakers: z.number().int().min(1).default(2),
  }),
  z.object({ kind: z.literal('leave-one-speaker-out'), seed: z.number().int().default(1), devSpeakers: z.number().int().min(1).default(2) }),
  z.object({ kind: z.literal('leave-one-session-out'), seed: z.number().int().default(1) }),
  z.object({ kind: z.literal('official') }),
  z.object({ kind: z.literal('manifest'), path: z.string() }),
]);

export const FeatureConfig = z.object({
  /** Feature set name (see `trustser features list`). */
  set: z.string().default('logmel'),
  overrides: z.record(z.string(), z.unknown()).default({}),
  /** Frame models: utterances are cropped/padded to this many frames (10 ms each by default). */
  maxFrames: z.number().int().min(1).default(400),
  /** Segment models: segment length and hop in frames (seed 003). */
  segmentFrames: z.number().int().min(1).default(300),
  segmentHopFrames: z.number().int().min(1).optional(),
  /**
   * Speaker-level normalization (src/train/speaker-norm.ts): standardize each utterance's features
   * with its speaker's statistics before the training normalizer. Uses unlabelled utterances of
   * every speaker, test speakers included; prediction then needs each speaker's utterances.
   */
  speakerNorm: z.boolean().default(false),
});

export const ModelConfig = z.object({
  name: z.string().min(1),
  options: z.record(z.string(), z.unknown()).default({}),
  /** Initial weights: a torchvision AlexNet .pth (alexnet, fcn-gap) or a state dict (.safetensors/.pth). */
  weights: z.string().optional(),
});

export const TrainingConfig = z.object({
  epochs: z.number().int().min(1).default(30),
  batchSize: z.number().int().min(1).default(32),
  optimizer: z.enum(['adam', 'adamw']).default('adam'),
  lr: z.number().positive().default(1e-3),
  weightDecay: z.number().min(0).default(0),
  /** Cosine decay of the lr to lr·minLrFactor over the epochs. */
  cosine: z.boolean().default(true),
  minLrFactor: z.number().min(0).max(1).default(0.05),
  /** Early stopping: epochs without a better dev UA. */
  patience: z.number().int().min(1).default(10),
  /** Class balance: loss weights ∝ 1/frequency, or random oversampling of rare classes. */
  balance: z.enum(['none', 'weights', 'oversample']).default('none'),
  labelSmoothing: z.number().min(0).max(0.5).default(0),
  /** Mixup (Zhang et al. 2018): mixing weight λ ~ Beta(alpha, alpha); null = off. */
  mixupAlpha: z.number().positive().nullable().default(null),
  /** Stability training (Zheng et al. 2016; seed 003): Gaussian input noise σ (in normalized feature units) and loss weight; null = off. */
  stability: z.object({ sigma: z.number().positive(), weight: z.number().positive() }).nullable().default(null),
  /** Bootstrap sampling of the training set each epoch (seed 001). */
  bootstrap: z.boolean().default(false),
  gradClip: z.number().positive().nullable().default(5),
  seed: z.number().int().default(1),
  /** libtorch intra-op threads (default: all cores). */
  threads: z.number().int().min(1).optional(),
});

export const RunConfig = z.object({
  corpus: CorpusConfig,
  protocol: ProtocolConfig,
  features: FeatureConfig.default(FeatureConfig.parse({})),
  model: ModelConfig,
  training: TrainingConfig.default(TrainingConfig.parse({})),
  /** Only these fold indices (default: all). */
  folds: z.array(z.number().int().min(0)).optional(),
});

export type RunConfig = z.infer<typeof RunConfig>;
export type TrainingConfig = z.infer<typeof TrainingConfig>;

/** Formats zod issues as `label: field.path: message` lines. */
export function formatIssues(label: string, error: z.ZodError): string {
  return error.issues.map((i) => `${label}: ${i.path.length ? i.path.join('.') : '(root)'}: ${i.message}`).join('\n');
}

/** Validates a config object; `label` (a file name) prefixes every error. */
export function parseRunConfig(value: unknown, label = 'config'): RunConfig {
  const r = RunConfig.safeParse(value);
  if (!r.success) throw new Error(formatIssues(label, r.error));
  return r.data;
}

/** Reads and validates a YAML (.yaml/.yml) or JSON run config file. */
export function loadRunConfig(path: string): RunConfig {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new Error(`${path}: cannot read the config (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  let value: unknown;
  try {
    value = extname(path).toLowerCase() === '.json' ? JSON.parse(text) : parseYaml(text);
  } catch (e) {
    throw new Error(`${path}: not valid ${extname(path).toLowerCase() === '.json' ? 'JSON' : 'YAML'} (${(e as Error).message.split('\n')[0]})`);
  }
  return parseRunConfig(value, path);
}
