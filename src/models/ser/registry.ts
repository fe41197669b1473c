/**
 * The model registry: `createModel(name, { inputDim | inputShape, numClasses, ...config })` with
 * zod-validated configs (errors name the offending field) and `listModels()`.
 */
import { z } from 'zod';
import { fail, type InputKind, type SerModel } from './base.js';
import { TrustSerCnn, trustSerCnnConfigSchema } from './trust-ser-cnn.js';
import { CnnLstm, CnnLstmAtt, cnnLstmConfigSchema, cnnLstmShape } from './cnn-lstm.js';
import { CnnLstmMultitask, multitaskConfigSchema } from './cnn-lstm-multitask.js';
import { LinearSvm, LogisticRegression, linearConfigSchema, logregConfigSchema } from './linear.js';
import { Mlp, mlpConfigSchema } from './mlp.js';
import { GATED_LOGREG, GatedLogisticRegression, gatedLogregConfigSchema } from './gated.js';
import { AlexNet, FcnGap, alexnetConfigSchema } from './alexnet.js';

/** Input geometry and output size given to {@link createModel}. */
export interface ModelInput {
  /** Feature dimension D per frame (frames) or per utterance (vector). */
  inputDim?: number;
  /** Per-example geometry without batch and time: frames [D], layers [L, D], vector [D], image [C, F, T]. */
  inputShape?: number[];
  /** Emotion classes (≥ 2). */
  numClasses: number;
}

interface Entry {
  kinds: InputKind[];
  description: string;
  schema: z.ZodType;
  build(shape: number[], numClasses: number, config: never): SerModel;
}

const cnnLstmAttSchema = z.strictObject({ ...cnnLstmShape, pooling: z.literal('att').optional() });

const REGISTRY = {
  'trust-ser-cnn': {
    kinds: ['frames', 'layers'],
    schema: trustSerCnnConfigSchema,
    description: 'Trust-SER downstream: layer mix, point-wise Conv1d, mean/attention pooling, MLP head',
    build: (s, n, c) => new TrustSerCnn(s, n, c),
  },
  'cnn-lstm': {
    kinds: ['frames'],
    schema: cnnLstmConfigSchema,
    description: '2-D CNN blocks over log-mel, (Bi)LSTM, last-step or mean pooling, dense head',
    build: (s, n, c) => new CnnLstm(s[0], n, c),
  },
  'cnn-lstm-att': {
    kinds: ['frames'],
    schema: cnnLstmAttSchema,
    description: 'CNN-LSTM with attention pooling',
    build: (s, n, c) => new CnnLstmAtt(s[0], n, c),
  },
  'cnn-lstm-att-multitask': {
    kinds: ['frames'],
    schema: multitaskConfigSchema,
    description: 'attention CNN-LSTM with gender and race heads',
    build: (s, n, c) => new CnnLstmMultitask(s[0], n, c),
  },
  'linear-svm': {
    kinds: ['vector'],
    schema: linearConfigSchema,
    description: 'linear one-vs-rest L2-loss SVM (squared hinge) on functionals',
    build: (s, n, c) => new LinearSvm(s[0], n, c),
  },
  logreg: {
    kinds: ['vector'],
    schema: logregConfigSchema,
    description: 'multinomial logistic regression on functionals',
    build: (s, n, c) => new LogisticRegression(s[0], n, c),
  },
  [GATED_LOGREG]: {
    kinds: ['vector'],
    schema: gatedLogregConfigSchema,
    description: 'two logistic regressions on fused functionals, gated per utterance by the backbone features’ shift',
    build: (s, n, c) => new GatedLogisticRegression(s[0], n, c),
  },
  mlp: {
    kinds: ['vector'],
    schema: mlpConfigSchema,
    description: 'feed-forward network on (standardized) functionals',
    build: (s, n, c) => new Mlp(s[0], n, c),
  },
  alexnet: {
    kinds: ['image'],
    schema: alexnetConfigSchema,
    description: 'AlexNet (torchvision names, width multiplier) on spectrogram segments',
    build: (s, n, c) => new AlexNet(s, n, c),
  },
  'fcn-gap': {
    kinds: ['image'],
    schema: alexnetConfigSchema,
    description: 'AlexNet conv stack + 1×1 conv + global average pooling on spectrogram segments',
    build: (s, n, c) => new FcnGap(s, n, c),
  },
} satisfies Record<string, Entry>;

export type ModelName = keyof typeof REGISTRY;

/** Model class per registry name. */
export interface ModelTypes {
  'trust-ser-cnn': TrustSerCnn;
  'cnn-lstm': CnnLstm;
  'cnn-lstm-att': CnnLstmAtt;
  'cnn-lstm-att-multitask': CnnLstmMultitask;
  'linear-svm': LinearSvm;
  logreg: LogisticRegression;
  'gated-logreg': GatedLogisticRegression;
  mlp: Mlp;
  alexnet: AlexNet;
  'fcn-gap': FcnGap;
}

/** Registered model names. */
export function listModels(): ModelName[] {
  return Object.keys(REGISTRY) as ModelName[];
}

/** Input kinds, description and config schema of a registered model. */
export function modelInfo(name: string): { name: ModelName; inputKinds: InputKind[]; description: string; configSchema: z.ZodType } {
  const e = entry(name);
  return { name: name as ModelName, inputKinds: [...e.kinds], description: e.description, configSchema: e.schema };
}

/** The zod schema of each model's config (without inputDim / inputShape / numClasses), for the config loader. */
export const modelConfigSchemas: { [K in ModelName]: z.ZodType } = Object.fromEntries(
  Object.entries(REGISTRY).map(([k, e]) => [k, e.schema]),
) as { [K in ModelName]: z.ZodType };

function entry(name: string): Entry {
  if (!Object.hasOwn(REGISTRY, name)) throw new Error(`unknown model '${name}'; available: ${listModels().join(', ')}`);
  return REGISTRY[name as ModelName] as Entry;
}

/** Formats a zod issue path as `a.b[0]`. */
function fieldOf(path: readonly PropertyKey[]): string {
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : `${i === 0 ? '' : '.'}${String(p)}`)).join('');
}

function resolveShape(name: string, kinds: InputKind[], o: ModelInput): number[] {
  const shape = o.inputShape ?? (o.inputDim !== undefined ? [o.inputDim] : undefined);
  if (shape === undefined) {
    fail(name, kinds.includes('image') ? 'inputShape [C, F, T] is required' : 'inputDim (or inputShape) is required');
  }
  if (!Array.isArray(shape) || shape.some((d) => !Number.isInteger(d) || d < 1))
    fail(name, `inputShape must hold positive integers, got ${JSON.stringify(shape)}`);
  if (o.inputShape && o.inputDim !== undefined && o.inputShape[o.inputShape.length - 1] !== o.inputDim) {
    fail(name, `inputDim ${o.inputDim} disagrees with inputShape [${o.inputShape.join(', ')}]`);
  }
  return shape;
}

/**
 * Builds a registered model. `options` holds the input geometry (`inputDim` or `inputShape`),
 * `numClasses` (outputs: classes, or the attributes of a regression) and the model's config fields; unknown names and invalid or unknown config fields
 * throw errors that list the available names or name the field.
 */
export function createModel<N extends ModelName>(name: N, options: ModelInput & Record<string, unknown>): ModelTypes[N];
export function createModel(name: string, options: ModelInput & Record<string, unknown>): SerModel;
export function createModel(name: string, options: ModelInput & Record<string, unknown>): SerModel {
  const e = entry(name);
  const { inputDim, inputShape, numClasses, ...config } = options;
  if (!Number.isInteger(numClasses) || numClasses < 1) fail(name, `numClasses (outputs) must be an integer ≥ 1, got ${numClasses}`);
  const shape = resolveShape(name, e.kinds, { inputDim, inputShape, numClasses });
  const parsed = e.schema.safeParse(config);
  if (!parsed.success) {
    const msg = parsed.error.issues.map((i) => (i.path.length > 0 ? `${fieldOf(i.path)}: ${i.message}` : i.message)).join('; ');
    fail(name, `invalid config: ${msg}`);
  }
  return e.build(shape, numClasses, parsed.data as never);
}
