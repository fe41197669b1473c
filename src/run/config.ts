/**
 * Run configuration: one YAML/JSON file (or CLI flags) that fully describes a training run.
 * Validated with zod; errors name the file and the field.
 */
import { readFileSync } from 'node:fs';
import { dirname, extname, isAbsolute, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { getCorpus, listCorpora } from '../data/index.js';
import { FUSION_SEPARATOR, getFeatureSet, listFeatureSets, type FeatureKind } from '../features/index.js';
import { ENGINE_BACKBONE_NAMES } from '../backbones/index.js';
import { listModels, modelConfigSchemas, modelInfo, type ModelName } from '../models/index.js';
import { closestName, issueLines } from '../core/pure.js';
import { AUGMENT_NOISE_KINDS } from '../audio/index.js';

export const CorpusConfig = z.strictObject({
  /** Adapter name (see `trustser corpora`); 'synthetic' needs no root. */
  name: z.string().min(1),
  /** Name of this corpus in the run (protocols, ids, results); default: the adapter name. Needed when one adapter is listed twice. */
  id: z
    .string()
    .regex(/^[a-z0-9][a-z0-9._-]*$/, 'expected a lower-case name such as my-corpus')
    .optional(),
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
  /**
   * Train on some corpora, test on others (ids of `corpus` entries): the label space is the
   * classes every corpus has (`shared`) or the ones listed. Dev data comes from the training
   * corpora: `devSpeakers` whole speakers of corpora with enough speakers, else a stratified
   * `devFraction` of a corpus' utterances.
   */
  z.strictObject({
    kind: z.literal('cross-corpus'),
    train: z.array(z.string().min(1)).min(1),
    test: z.array(z.string().min(1)).min(1),
    classes: z.union([z.literal('shared'), z.array(z.string().min(1)).min(2)]).default('shared'),
    devSpeakers: z.number().int().min(0).default(2),
    devFraction: z.number().gt(0).lt(1).default(0.1),
    seed: z.number().int().default(1),
  }),
  /** The model a user deploys: every utterance trains except a dev set (as in cross-corpus); no test set. */
  z.strictObject({
    kind: z.literal('all'),
    devSpeakers: z.number().int().min(0).default(2),
    devFraction: z.number().gt(0).lt(1).default(0.1),
    seed: z.number().int().default(1),
  }),
]);

/** Learning rate of a fine-tuned backbone unless set: the usual value for fine-tuning wav2vec 2.0-size speech models. */
export const DEFAULT_BACKBONE_LR = 1e-5;

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
  /**
   * Fine-tuning of an engine backbone set's network inside the run (src/train/finetune.ts); null
   * = frozen backbone, its features computed once and cached.
   */
  finetune: z
    .strictObject({
      /** Learning rate of the backbone (the downstream keeps training.lr; the schedule scales both). */
      lr: z.number().positive().default(DEFAULT_BACKBONE_LR),
      /** Keep the learned front end (wav2vec 2.0's convolutional feature encoder, Whisper's convolutions) frozen. */
      freezeFrontEnd: z.boolean().default(true),
    })
    .nullable()
    .default(null),
});

export const ModelConfig = z.strictObject({
  name: z.string().min(1),
  options: z.record(z.string(), z.unknown()).default({}),
  /** Initial weights: a torchvision AlexNet .pth (alexnet, fcn-gap) or a state dict (.safetensors/.pth). */
  weights: z.string().optional(),
});

const prob = z.number().min(0).max(1);
const range = (lo: number, hi: number) =>
  z
    .tuple([z.number().finite(), z.number().finite()])
    .refine(([a, b]) => a <= b, 'expected [low, high] with low ≤ high')
    .default([lo, hi]);
/** Most augmented copies per training utterance. */
const MAX_AUGMENT_COPIES = 10;

/**
 * Waveform augmentation of the training utterances (src/audio augmentSignal): `copies`
 * augmented copies of every training utterance join the originals, each a random chain drawn
 * from `seed`, the utterance and the copy. Dev and test audio is never augmented.
 */
export const AugmentConfig = z.strictObject({
  copies: z.number().int().min(1).max(MAX_AUGMENT_COPIES).default(2),
  seed: z.number().int().default(1),
  speed: z.strictObject({ prob: prob.default(0.5), factor: range(0.9, 1.1) }).default({ prob: 0.5, factor: [0.9, 1.1] }),
  reverb: z.strictObject({ prob: prob.default(0.3), rt60S: range(0.2, 0.8) }).default({ prob: 0.3, rt60S: [0.2, 0.8] }),
  noise: z
    .strictObject({
      prob: prob.default(0.5),
      snrDb: range(5, 30),
      kinds: z.array(z.enum(AUGMENT_NOISE_KINDS)).min(1).default(['white', 'pink']),
      /** Folder(s) of recordings whose talkers make the babble (needed when kinds has 'babble'; never test audio). */
      babbleDir: z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]).optional(),
    })
    .refine((n) => !n.kinds.includes('babble') || n.babbleDir !== undefined, {
      message: "babble noise needs babbleDir: a folder of other talkers' recordings (never the test audio)",
      path: ['babbleDir'],
    })
    .default({ prob: 0.5, snrDb: [5, 30], kinds: ['white', 'pink'] }),
  telephone: z.strictObject({ prob: prob.default(0.1) }).default({ prob: 0.1 }),
  codec: z.strictObject({ prob: prob.default(0.1), bitrateKbps: range(16, 64) }).default({ prob: 0.1, bitrateKbps: [16, 64] }),
  gain: z.strictObject({ prob: prob.default(0.5), db: range(-12, 12) }).default({ prob: 0.5, db: [-12, 12] }),
  silence: z.strictObject({ prob: prob.default(0.2), maxS: z.number().min(0).max(10).default(1.5) }).default({ prob: 0.2, maxS: 1.5 }),
});
export type AugmentConfig = z.infer<typeof AugmentConfig>;

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
  /** Waveform augmentation of the training utterances; null = off. */
  augment: AugmentConfig.nullable().default(null),
  /** SpecAugment masks on training batches of frame and image models (widths in feature dims and frames); null = off. */
  specAugment: z
    .strictObject({
      freqMasks: z.number().int().min(0).default(2),
      maxFreqWidth: z.number().int().min(0).default(8),
      timeMasks: z.number().int().min(0).default(2),
      maxTimeWidth: z.number().int().min(0).default(20),
    })
    .nullable()
    .default(null),
});

export const RunConfig = z.strictObject({
  /** One corpus, or several trained (and split) together, each with its own adapter. */
  corpus: z.union([CorpusConfig, z.array(CorpusConfig).min(1)]).transform((c) => (Array.isArray(c) ? c : [c])),
  protocol: ProtocolConfig,
  features: FeatureConfig.default(FeatureConfig.parse({})),
  model: ModelConfig,
  training: TrainingConfig.default(TrainingConfig.parse({})),
  /** Only these fold indices (default: all). */
  folds: z.array(z.number().int().min(0)).optional(),
});

export type RunConfig = z.infer<typeof RunConfig>;
export type CorpusConfig = z.infer<typeof CorpusConfig>;

/** The id of a corpus entry: its `id`, else its adapter name. */
export function corpusId(c: CorpusConfig): string {
  return c.id ?? c.name;
}

/** The run's corpora as one label, e.g. `ravdess` or `ravdess+tess`. */
export function corpusLabel(cfg: RunConfig): string {
  return cfg.corpus.map(corpusId).join('+');
}
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
 * are reported together with the schema's own issues. Shared with the dimensional stage's config.
 */
export function registryIssues(cfg: unknown, baseDir: string): string[] {
  const out: string[] = [];
  const unknown = (f: string, what: string, name: string, known: readonly string[]) => {
    const near = closestName(name, known);
    out.push(`${f}: unknown ${what} '${name}' (${near ? `did you mean '${near}'? ` : ''}known: ${known.join(', ')})`);
  };
  const raw = cfg !== null && typeof cfg === 'object' ? (cfg as Record<string, unknown>).corpus : undefined;
  const entries = Array.isArray(raw) ? raw : raw === undefined ? [] : [raw];
  const ids: string[] = [];
  entries.forEach((entry, i) => {
    const at = Array.isArray(raw) ? `corpus.${i}` : 'corpus';
    const corpus = field<string>(entry, ['name'], 'string');
    const id = field<string>(entry, ['id'], 'string') ?? corpus;
    if (id !== undefined) {
      if (ids.includes(id)) out.push(`${at}.id: two corpora are called '${id}' (give each an id)`);
      ids.push(id);
    }
    if (corpus === undefined || corpus === 'synthetic') return;
    try {
      getCorpus(corpus);
    } catch {
      unknown(
        `${at}.name`,
        'corpus',
        corpus,
        listCorpora().map((a) => a.name),
      );
    }
    if (field(entry, ['root'], 'string') === undefined) out.push(`${at}.root: the '${corpus}' corpus needs its folder (--data DIR)`);
  });
  const protocol = field<Record<string, unknown>>(cfg, ['protocol'], 'object');
  if (protocol?.kind === 'cross-corpus') {
    const named = (k: 'train' | 'test') =>
      Array.isArray(protocol[k]) ? (protocol[k] as unknown[]).filter((v) => typeof v === 'string') : [];
    for (const k of ['train', 'test'] as const)
      for (const id of named(k))
        if (!ids.includes(id)) out.push(`protocol.${k}: '${id}' is not one of the run's corpora (${ids.join(', ') || 'none'})`);
    for (const id of named('train'))
      if (named('test').includes(id))
        out.push(`protocol: '${id}' is both a training and a test corpus (use a speaker-independent protocol within one corpus)`);
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
  const unknownPart = set?.split(FUSION_SEPARATOR).find((p) => !sets.includes(p));
  if (set !== undefined && unknownPart !== undefined) unknown('features.set', 'feature set', unknownPart, sets);
  else if (set !== undefined) {
    try {
      const fs = getFeatureSet(set, weightsResolved(field(cfg, ['features', 'overrides'], 'object') ?? {}, baseDir));
      fs.settingsKey(); // a backbone set checks its weights here, before anything is written
      kind = fs.kind;
    } catch (e) {
      out.push(`${set.includes(FUSION_SEPARATOR) ? 'features' : 'features.overrides'}: ${(e as Error).message}`);
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

/** The model whose speaker-attribute heads the fine-tuning chain does not carry. */
const MULTITASK_MODEL: ModelName = 'cnn-lstm-att-multitask';

/**
 * What fine-tuning a backbone (`features.finetune`) cannot go with: it trains an engine
 * backbone's hidden-state set (not its pooled `-stats`, not the ONNX speech-embedding model)
 * under a frame or layer model, with nothing that acts on the frozen features.
 */
function finetuneIssues(cfg: RunConfig, baseDir: string): string[] {
  if (cfg.features.finetune === null) return [];
  const out: string[] = [];
  const at = 'features.finetune';
  try {
    const fs = getFeatureSet(cfg.features.set, weightsResolved(cfg.features.overrides, baseDir));
    const backbone = fs.backbone?.name;
    if (!backbone || fs.name !== backbone || !ENGINE_BACKBONE_NAMES.includes(backbone))
      out.push(
        `${at}: fine-tuning trains a backbone's network, so features.set must be the hidden states of an engine backbone (${ENGINE_BACKBONE_NAMES.join(', ')}), not '${cfg.features.set}'`,
      );
  } catch {
    return out; // registryIssues names the set's problem
  }
  if (cfg.features.overrides.utteranceNorm !== undefined && cfg.features.overrides.utteranceNorm !== 'none')
    out.push(`${at}: utteranceNorm normalizes the frozen features; it does not apply to a fine-tuned backbone`);
  if (cfg.features.speakerNorm) out.push(`${at}: speaker normalization needs fixed features; a fine-tuned backbone's change as it trains`);
  if (cfg.training.specAugment !== null)
    out.push(`${at}: training.specAugment masks stored features; a fine-tuned run trains on waveforms (use training.augment)`);
  if (cfg.training.stability !== null)
    out.push(
      `${at}: training.stability adds noise in normalized feature units; a fine-tuned run trains on waveforms (use training.augment)`,
    );
  const models: readonly string[] = listModels();
  const kinds: readonly string[] = models.includes(cfg.model.name) ? modelInfo(cfg.model.name).inputKinds : [];
  if (cfg.model.name === MULTITASK_MODEL || !kinds.some((k) => k === 'frames' || k === 'layers'))
    out.push(`${at}: model '${cfg.model.name}' cannot be fine-tuned with a backbone (use a frame or layer model such as trust-ser-cnn)`);
  return out;
}

/** Feature overrides with their weights paths (`weights`, `part.weights`) made absolute against `baseDir`. */
export function weightsResolved(overrides: Record<string, unknown>, baseDir: string): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(overrides).map(([k, v]) => [
      k,
      (k === 'weights' || k.endsWith('.weights')) && typeof v === 'string' && !isAbsolute(v) ? resolve(baseDir, v) : v,
    ]),
  );
}

/** Every file or folder path of a config, made absolute against `baseDir`. */
function resolvePaths(cfg: RunConfig, baseDir: string): RunConfig {
  const abs = (p: string) => (isAbsolute(p) ? p : resolve(baseDir, p));
  const overrides = weightsResolved(cfg.features.overrides, baseDir);
  const aug = cfg.training.augment;
  return {
    ...cfg,
    corpus: cfg.corpus.map((c) => (c.root === undefined ? c : { ...c, root: abs(c.root) })),
    protocol: cfg.protocol.kind === 'manifest' ? { ...cfg.protocol, path: abs(cfg.protocol.path) } : cfg.protocol,
    features: { ...cfg.features, overrides },
    model: cfg.model.weights === undefined ? cfg.model : { ...cfg.model, weights: abs(cfg.model.weights) },
    training:
      aug?.noise.babbleDir === undefined
        ? cfg.training
        : {
            ...cfg.training,
            augment: {
              ...aug,
              noise: {
                ...aug.noise,
                babbleDir: typeof aug.noise.babbleDir === 'string' ? abs(aug.noise.babbleDir) : aug.noise.babbleDir.map(abs),
              },
            },
          },
  };
}

/**
 * Validates a config object: every schema issue (unknown keys name the closest valid key), then
 * the registries' names and options. `label` (a file name) prefixes every error line; the error
 * lists every problem found, one per line. Relative paths (corpus roots, split manifests, weights,
 * babble folders) are resolved against `baseDir` (default: the working directory), so the
 * result holds absolute paths only.
 */
export function parseRunConfig(value: unknown, label = 'config', baseDir = process.cwd()): RunConfig {
  const r = RunConfig.safeParse(value);
  const lines = [
    ...(r.success ? [] : issueLines(r.error, { schema: RunConfig, aliases: KEY_ALIASES })),
    ...registryIssues(value, baseDir),
    ...(r.success ? finetuneIssues(r.data, baseDir) : []),
  ];
  if (lines.length > 0 || !r.success) throw new Error(lines.map((l) => `${label}: ${l}`).join('\n'));
  return resolvePaths(r.data, baseDir);
}

/**
 * Reads and validates a YAML (.yaml/.yml) or JSON run config file; relative paths in it are
 * resolved against the file's folder (or `baseDir`).
 */
export function loadRunConfig(path: string, baseDir = dirname(resolve(path))): RunConfig {
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
  return parseRunConfig(value, path, baseDir);
}
