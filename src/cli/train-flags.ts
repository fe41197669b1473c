/** The flags of `trustser train` and how they override a config file's fields (categorical and dimensional runs). */
import { resolve } from 'node:path';
import { getCorpus } from '../data/index.js';

export interface TrainFlags {
  task?: string;
  targets?: string[];
  attributes?: string;
  loss?: string;
  config?: string;
  corpus?: string;
  data?: string;
  labelMap?: string;
  columns?: Record<string, string>;
  model?: string;
  features?: string;
  backbone?: string;
  weights?: string;
  finetune?: boolean;
  backboneLr?: number;
  folds?: number;
  epochs?: number;
  batchSize?: number;
  lr?: number;
  weightDecay?: number;
  seed?: number;
  speakerNorm?: boolean;
  out?: string;
  workers?: number;
  json?: boolean;
  queue?: string;
  cache?: string;
}

/**
 * A parsed config (`base`, or `{}`) with the corpus, protocol, features, model and training
 * flags laid over it, as an unvalidated object for the categorical or dimensional parser.
 */
export function mergeFlags(base: Record<string, unknown>, f: TrainFlags): Record<string, unknown> {
  const listed = (base.corpus as object[] | undefined) ?? [];
  const flagged = f.corpus !== undefined || f.data !== undefined || f.labelMap !== undefined || f.columns !== undefined;
  if (listed.length > 1 && flagged)
    throw new Error(
      `${f.config}: the config lists ${listed.length} corpora; set their names and folders in the config, not with --corpus/--data/--label-map/--columns`,
    );
  const corpus =
    listed.length > 1
      ? listed
      : {
          ...listed[0],
          ...(f.corpus ? { name: f.corpus } : {}),
          ...(f.data ? { root: f.data } : {}),
          ...(f.labelMap ? { labelMap: f.labelMap } : {}),
        };
  if (f.columns) withColumns(corpus as { name?: unknown; options?: unknown }, f.columns);
  const folds = f.folds;
  const protocol = base.protocol ?? { kind: 'speaker-kfold', folds: folds ?? 5, balanceBy: 'gender' };
  if (folds !== undefined) Object.assign(protocol as object, { folds });
  const training = {
    ...(base.training as object),
    ...defined({ epochs: f.epochs, batchSize: f.batchSize, lr: f.lr, weightDecay: f.weightDecay, seed: f.seed }),
  };
  if (f.backbone && f.features)
    throw new Error('--backbone and --features both name the feature set; pass one (--backbone NAME is the set of that backbone)');
  const baseFeatures = (base.features ?? {}) as { overrides?: Record<string, unknown> };
  const set = f.backbone ?? f.features;
  if (f.backboneLr !== undefined && !f.finetune)
    throw new Error('--backbone-lr is the learning rate of a fine-tuned backbone; add --finetune');
  const finetune = (baseFeatures as { finetune?: Record<string, unknown> | null }).finetune;
  const features = {
    ...baseFeatures,
    ...(set ? { set } : {}),
    ...(f.weights ? { overrides: { ...baseFeatures.overrides, weights: resolve(f.weights) } } : {}),
    ...(f.speakerNorm ? { speakerNorm: true } : {}),
    ...(f.finetune ? { finetune: { ...finetune, ...(f.backboneLr === undefined ? {} : { lr: f.backboneLr }) } } : {}),
  };
  const model = { ...(base.model as object), ...(f.model ? { name: f.model } : {}) };
  return { ...base, corpus, protocol, features, model, training };
}

/** Puts `--columns` into the corpus options of a CSV manifest corpus. */
function withColumns(corpus: { name?: unknown; options?: unknown }, columns: Record<string, string>): void {
  const name = typeof corpus.name === 'string' ? corpus.name : '';
  const isManifest = (() => {
    try {
      return getCorpus(name).name === 'manifest';
    } catch {
      return false;
    }
  })();
  if (!isManifest) throw new Error(`--columns applies to CSV manifests only (--corpus manifest), not to the '${name || '(none)'}' corpus`);
  corpus.options = { ...(corpus.options as object), columns };
}

function defined(o: Record<string, number | undefined>): Record<string, number> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Record<string, number>;
}
