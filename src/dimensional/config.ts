/**
 * Configuration of a dimensional run (`task: dimensional`): regression of arousal, valence and
 * dominance from a corpus' attribute ratings (or proxies derived from its categories), the same
 * corpus / protocol / feature / model sections as a categorical run, and a regression loss.
 * Validated with zod; errors name the file and the field.
 */
import { readFileSync } from 'node:fs';
import { dirname, extname, isAbsolute, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { issueLines } from '../core/index.js';
import { ATTRIBUTES } from '../data/index.js';
import { modelInfo } from '../models/index.js';
import { DEFAULT_WIDTHS } from './deep-emo-cluster.js';
import { DEFAULT_LEVELS } from './deepmi.js';
import { CorpusConfig, FeatureConfig, ModelConfig, ProtocolConfig, registryIssues, weightsResolved } from '../run/index.js';

/** Where the attribute values come from: the corpus' own ratings, or proxies from its categories. */
export const ATTRIBUTE_SOURCES = ['corpus', 'proxy'] as const;
/** Regression losses: 1 − CCC (mean over attributes; the field's usual choice) or mean squared error. */
export const REGRESSION_LOSSES = ['ccc', 'mse'] as const;
/** Default model: a feed-forward network on utterance functionals. */
const DEFAULT_MODEL = { name: 'mlp', options: {} };
/** Default features: the eGeMAPS functionals (one vector per utterance). */
const DEFAULT_FEATURES = 'egemaps-ts';

export const DimensionalTraining = z.strictObject({
  epochs: z.number().int().min(1).default(60),
  batchSize: z.number().int().min(2).default(64),
  lr: z.number().positive().default(1e-3),
  weightDecay: z.number().min(0).default(1e-4),
  loss: z.enum(REGRESSION_LOSSES).default('ccc'),
  /** Epochs without a better dev CCC (mean over attributes) before stopping. */
  patience: z.number().int().min(1).default(15),
  gradClip: z.number().positive().nullable().default(null),
  /** Standardized features are clipped to ±this (the DeepMI recipe uses 3); null keeps them. */
  clipFeatures: z.number().positive().nullable().default(null),
  seed: z.number().int().default(1),
  threads: z.number().int().min(1).optional(),
});
export type DimensionalTraining = z.infer<typeof DimensionalTraining>;

/** Training methods: a plain regressor (`model`), or DeepEmoCluster (semi-supervised clusters + regressor). */
export const METHODS = ['regressor', 'deep-emo-cluster'] as const;
/** Curriculum orders: DeepMI easy → hard, its reverse (anti-curriculum), or a seeded random order (the control). */
export const CURRICULUM_ORDERS = ['deepmi', 'anti', 'random'] as const;

/** DeepEmoCluster settings (used when `method: deep-emo-cluster`). */
export const ClusterConfig = z.strictObject({
  /** k-means clusters (the published 50). */
  k: z.number().int().min(2).default(50),
  /** Encoder widths (the published 1024, 512, 256). */
  widths: z
    .array(z.number().int().positive())
    .min(1)
    .default([...DEFAULT_WIDTHS]),
  /** Folders or CSV manifests of unlabelled audio clustered with the labelled training set (semi-supervised). */
  unlabelled: z.array(z.string().min(1)).default([]),
  /** Learning rate (SGD) of the cluster top layer, re-initialised each epoch. */
  topLayerLr: z.number().positive().default(0.01),
  /** Levels each attribute is cut into for DeepMI. */
  levels: z.number().int().min(2).default(DEFAULT_LEVELS),
  /** DeepMI's weight of the predicted-level term per attribute (published: valence 0.5, others 0). */
  alpha: z.partialRecord(z.enum(ATTRIBUTES), z.number().min(0).max(1)).default({ valence: 0.5 }),
});

export type ClusterConfig = z.infer<typeof ClusterConfig>;

/** Curriculum training: the training set grows from easy to hard in `levels` steps of `epochsPerLevel` epochs. */
export const CurriculumConfig = z
  .strictObject({
    order: z.enum(CURRICULUM_ORDERS),
    /** A finished deep-emo-cluster run with the same split, whose fold-K/deepmi.json gives the metric. */
    metrics: z.string().min(1).optional(),
    levels: z.number().int().min(1).default(10),
    epochsPerLevel: z.number().int().min(1).default(5),
  })
  .refine((c) => c.order === 'random' || c.metrics !== undefined, {
    message: "the 'deepmi' and 'anti' orders need metrics: a deep-emo-cluster run folder",
    path: ['metrics'],
  });
export type CurriculumConfig = z.infer<typeof CurriculumConfig>;

export const DimensionalConfig = z.strictObject({
  task: z.literal('dimensional'),
  corpus: z.union([CorpusConfig, z.array(CorpusConfig).min(1)]).transform((c) => (Array.isArray(c) ? c : [c])),
  /** `corpus`: the adapter's arousal/valence/dominance; `proxy`: derived from each utterance's class (docs/dimensional.md). */
  attributes: z.enum(ATTRIBUTE_SOURCES).default('corpus'),
  targets: z
    .array(z.enum(ATTRIBUTES))
    .min(1)
    .refine((t) => new Set(t).size === t.length, 'lists an attribute twice')
    .default([...ATTRIBUTES]),
  /** Valid range of the ratings, [low, high]: a value outside it (or a missing one) stops the run before it starts. */
  range: z
    .tuple([z.number().finite(), z.number().finite()])
    .refine(([a, b]) => a < b, 'expected [low, high] with low < high')
    .optional(),
  protocol: ProtocolConfig,
  features: FeatureConfig.default(FeatureConfig.parse({ set: DEFAULT_FEATURES })),
  model: ModelConfig.default(DEFAULT_MODEL),
  method: z.enum(METHODS).default('regressor'),
  cluster: ClusterConfig.default(ClusterConfig.parse({})),
  curriculum: CurriculumConfig.nullable().default(null),
  training: DimensionalTraining.default(DimensionalTraining.parse({})),
  /** Only these fold indices (default: all). */
  folds: z.array(z.number().int().min(0)).optional(),
});
export type DimensionalConfig = z.infer<typeof DimensionalConfig>;

/** Model input kinds a dimensional run trains (segment models average posteriors, which a regression has not). */
const REGRESSION_INPUTS = new Set(['vector', 'frames', 'layers']);

/**
 * Validates a dimensional config object: the schema, the registries (corpus, features, model and
 * its options, as for a categorical run) and that the model gives one output per utterance.
 * Relative paths are resolved against `baseDir`.
 * @throws Error listing every problem, each line prefixed by `label`.
 */
export function parseDimensionalConfig(given: unknown, label = 'config', baseDir = process.cwd()): DimensionalConfig {
  const value = withSectionDefaults(given);
  const r = DimensionalConfig.safeParse(value);
  const lines = [...(r.success ? [] : issueLines(r.error, { schema: DimensionalConfig })), ...registryIssues(value, baseDir)];
  if (r.success && lines.length === 0) {
    const c = r.data;
    if (c.features.finetune !== null)
      lines.push('features.finetune: dimensional runs train on frozen backbone features (fine-tuning is for categorical runs)');
    if (c.curriculum && c.method !== 'regressor')
      lines.push('curriculum: applies to method regressor (the curriculum trains a regressor on the metric of a deep-emo-cluster run)');
    const ramp = c.curriculum ? (c.curriculum.levels - 1) * c.curriculum.epochsPerLevel : 0;
    if (ramp >= c.training.epochs)
      lines.push(`training.epochs: ${c.training.epochs} epochs end before the curriculum reaches the whole training set (after ${ramp})`);
    const kinds = modelInfo(r.data.model.name).inputKinds;
    if (c.method === 'regressor' && !kinds.some((k) => REGRESSION_INPUTS.has(k)))
      lines.push(
        `model.name: '${r.data.model.name}' classifies spectrogram segments; a dimensional run needs an utterance-level model (e.g. mlp, logreg, cnn-lstm)`,
      );
  }
  if (lines.length > 0 || !r.success) throw new Error(lines.map((l) => `${label}: ${l}`).join('\n'));
  const abs = (p: string) => (isAbsolute(p) ? p : resolve(baseDir, p));
  const c = r.data;
  return {
    ...c,
    corpus: c.corpus.map((e) => (e.root === undefined ? e : { ...e, root: abs(e.root) })),
    protocol: c.protocol.kind === 'manifest' ? { ...c.protocol, path: abs(c.protocol.path) } : c.protocol,
    features: { ...c.features, overrides: weightsResolved(c.features.overrides, baseDir) },
    model: c.model.weights === undefined ? c.model : { ...c.model, weights: abs(c.model.weights) },
    cluster: { ...c.cluster, unlabelled: c.cluster.unlabelled.map(abs) },
    curriculum: c.curriculum?.metrics === undefined ? c.curriculum : { ...c.curriculum, metrics: abs(c.curriculum.metrics) },
  };
}

/**
 * A config whose `features` or `model` section is present but names no set / model gets the
 * dimensional defaults (functionals, mlp), not the categorical run's (log-mel frames).
 */
function withSectionDefaults(value: unknown): unknown {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return value;
  const v = value as Record<string, unknown>;
  const section = (s: unknown, key: string, dflt: string) =>
    s !== null && typeof s === 'object' && !Array.isArray(s) && !(key in s) ? { ...s, [key]: dflt } : s;
  return {
    ...v,
    ...('features' in v ? { features: section(v.features, 'set', DEFAULT_FEATURES) } : {}),
    ...('model' in v ? { model: section(v.model, 'name', DEFAULT_MODEL.name) } : {}),
  };
}

/** The parsed YAML or JSON value of a config file (not validated). */
export function readConfigValue(path: string): unknown {
  try {
    const text = readFileSync(path, 'utf8');
    return extname(path).toLowerCase() === '.json' ? JSON.parse(text) : parseYaml(text);
  } catch (e) {
    throw new Error(`${path}: cannot read the config (${(e as Error).message.split('\n')[0]})`);
  }
}

/** Reads a YAML or JSON dimensional config; relative paths are taken from the file's folder. */
export function loadDimensionalConfig(path: string): DimensionalConfig {
  return parseDimensionalConfig(readConfigValue(path), path, dirname(resolve(path)));
}

/** True when a parsed YAML/JSON value asks for a dimensional run (`task: dimensional`). */
export function isDimensionalConfig(value: unknown): boolean {
  return value !== null && typeof value === 'object' && (value as Record<string, unknown>).task === 'dimensional';
}
