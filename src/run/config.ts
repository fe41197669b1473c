/**
 * Run configuration: one YAML/JSON file (or CLI flags) that fully describes a training run.
 * Validated with zod; errors name the file and the field.
 */
import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { getCorpus, listCorpora } from '../data/index.js';
import { getFeatureSet, listFeatureSets, type FeatureKind } from '../features/index.js';
import { listModels, modelConfigSchemas, modelInfo, type ModelName } from '../models/index.js';
import { closestName, issueLines } from '../core/pure.js';

export const CorpusConfig = z.strictObject({
  /** Adapter name (see `trustser corpora`); 'synthetic' needs no root. */
  name: z.string().min(1),
  root: z.string().optional(),
  /** Label map of the adapter (default: its own default). */
  labelMap: z.string().optional(),
  options: z.record(z.string(), z.unknown()).default({}),
});

export const ProtocolConfig = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.literal('speaker-kfold'),
    folds: z.number().int().min(2).default(5),
    seed: z.number().int().default(1),
    balanceBy: z.enum(['gender']).optional(),
    devSpeakers: z.number().int().min(1).default(2),
  }),
  z.strictObject({
    kind: z.literal('leave-one-speaker-out'),
    seed: z.number().int().default(1),
    devSpeakers: z.number().int().min(1).default(2),
  }),
  z.strictObject({ kind: z.literal('leave-one-session-out'), seed: z.number().int().default(1) }),
  z.strictObject({ kind: z.literal('official') }),
  z.strictObject({ kind: z.literal('manifest'), path: z.string() }),
]);

export const FeatureConfig = z.strictObject({
  /** Feature set name (see `trustser features list`). */
  set: z.string().default('logmel'),
  overrides: z.record(z.string(), z.unknown()).default({}),
  /** Frame models: utterances are cropped/padded to this many frames (10 ms each by default). */
  maxFrames: z.number().int().min(1).default(400),
  /** Segment models: segment length and hop in frames (the spectrogram-image recipe). */
  segmentFrames: z.number().int().min(1).default(300),
  segmentHopFrames: z.number().int().min(1).optional(),
  /**
   * Speaker-level normalization (src/train/speaker-norm.ts): standardize each utterance's features
   * with its speaker's statistics before the training normalizer. Uses unlabelled utterances of
   * every speaker, test speakers included; prediction then needs each speaker's utterances.
   */
  speakerNorm: z.boolean().default(false),
});

export const ModelConfig = z.strictObject({
  name: z.string().min(1),
  options: z.record(z.string(), z.unknown()).default({}),
  /** Initial weights: a torchvision AlexNet .pth (alexnet, fcn-gap) or a state dict (.safetensors/.pth). */
  weights: z.string().optional(),
});

export const TrainingConfig = z.strictObject({
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
  /** Stability training (Zheng et al. 2016; the spectrogram-image recipe): Gaussian input noise σ (in normalized feature units) and loss weight; null = off. */
  stability: z.strictObject({ sigma: z.number().positive(), weight: z.number().positive() }).nullable().default(null),
  /** Bootstrap sampling of the training set each epoch (the gender/race bias study of SER on CREMA-D). */
  bootstrap: z.boolean().default(false),
  gradClip: z.number().positive().nullable().default(5),
  seed: z.number().int().default(1),
  /** libtorch intra-op threads (default: all cores). */
  threads: z.number().int().min(1).optional(),
});

export const RunConfig = z.strictObject({
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

/** Long-hand spellings of config keys (squashed: lower case, no separators) and the key they mean. */
const KEY_ALIASES: Readonly<Record<string, string>> = {
  learningrate: 'lr',
  lrate: 'lr',
  batch: 'batchSize',
  bs: 'batchSize',
  numepochs: 'epochs',
  maxepochs: 'epochs',
  epoch: 'epochs',
  wd: 'weightDecay',
  l2: 'weightDecay',
  featureset: 'set',
  mixup: 'mixupAlpha',
  smoothing: 'labelSmoothing',
  nfolds: 'folds',
  numfolds: 'folds',
};

/** A field of a not-yet-validated config, if it has the expected type. */
function field<T>(v: unknown, path: string[], type: 'string' | 'object' | 'array'): T | undefined {
  let cur = v;
  for (const k of path) cur = cur !== null && typeof cur === 'object' ? (cur as Record<string, unknown>)[k] : undefined;
  const ok =
    type === 'array'
      ? Array.isArray(cur)
      : type === 'object'
        ? cur !== null && typeof cur === 'object' && !Array.isArray(cur)
        : typeof cur === type;
  return ok ? (cur as T) : undefined;
}

/**
 * Names the registries do not know (corpus, model, feature set), model options and feature
 * overrides that do not fit, folds outside the protocol. Reads the raw value defensively, so these
 * are reported together with the schema's own issues.
 */
function registryIssues(cfg: unknown): string[] {
  const out: string[] = [];
  const unknown = (f: string, what: string, name: string, known: readonly string[]) => {
    const near = closestName(name, known);
    out.push(`${f}: unknown ${what} '${name}' (${near ? `did you mean '${near}'? ` : ''}known: ${known.join(', ')})`);
  };
  const corpus = field<string>(cfg, ['corpus', 'name'], 'string');
  if (corpus !== undefined && corpus !== 'synthetic') {
    try {
      getCorpus(corpus);
    } catch {
      unknown(
        'corpus.name',
        'corpus',
        corpus,
        listCorpora().map((a) => a.name),
      );
    }
    if (field(cfg, ['corpus', 'root'], 'string') === undefined)
      out.push(`corpus.root: the '${corpus}' corpus needs its folder (--data DIR)`);
  }
  const model = field<string>(cfg, ['model', 'name'], 'string');
  const models: readonly string[] = listModels();
  if (model !== undefined && !models.includes(model)) unknown('model.name', 'model', model, models);
  else if (model !== undefined) {
    const schema = modelConfigSchemas[model as ModelName];
    const r = schema.safeParse(field(cfg, ['model', 'options'], 'object') ?? {});
    if (!r.success) out.push(...issueLines(r.error, { schema, at: ['model', 'options'] }));
  }
  const set = field<string>(cfg, ['features', 'set'], 'string');
  const sets = listFeatureSets();
  let kind: FeatureKind | null = null;
  if (set !== undefined && !sets.includes(set)) unknown('features.set', 'feature set', set, sets);
  else if (set !== undefined) {
    try {
      kind = getFeatureSet(set, field(cfg, ['features', 'overrides'], 'object')).kind;
    } catch (e) {
      out.push(`features.overrides: ${(e as Error).message}`);
    }
  }
  if (kind !== null && model !== undefined && models.includes(model)) {
    const takes = modelInfo(model).inputKinds;
    if (!takes.includes(kind) && !(kind === 'frames' && takes.includes('layers'))) {
      const fitting = sets.filter((n) => takes.includes(getFeatureSet(n).kind));
      out.push(
        `features.set: model '${model}' takes ${takes.join('/')} features, but '${set}' gives ${kind} (sets that fit: ${fitting.join(', ') || 'none'})`,
      );
    }
  }
  const folds = field<unknown[]>(cfg, ['folds'], 'array');
  const k = field<Record<string, unknown>>(cfg, ['protocol'], 'object')?.folds;
  if (folds && typeof k === 'number') {
    for (const f of folds)
      if (typeof f === 'number' && f >= k) out.push(`folds: fold ${f} does not exist (the protocol has ${k} folds, 0…${k - 1})`);
  }
  return out;
}

/**
 * Validates a config object: every schema issue (unknown keys name the closest valid key), then
 * the registries' names and options. `label` (a file name) prefixes every error line; the error
 * lists every problem found, one per line.
 */
export function parseRunConfig(value: unknown, label = 'config'): RunConfig {
  const r = RunConfig.safeParse(value);
  const lines = [...(r.success ? [] : issueLines(r.error, { schema: RunConfig, aliases: KEY_ALIASES })), ...registryIssues(value)];
  if (lines.length > 0 || !r.success) throw new Error(lines.map((l) => `${label}: ${l}`).join('\n'));
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
    throw new Error(
      `${path}: not valid ${extname(path).toLowerCase() === '.json' ? 'JSON' : 'YAML'} (${(e as Error).message.split('\n')[0]})`,
    );
  }
  return parseRunConfig(value, path);
}
