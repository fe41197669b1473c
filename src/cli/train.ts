/** `trustser train`: train (or resume) a run from a config file and/or flags. */
import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { intFlag, numberFlag, positiveFlag } from '../core/index.js';
import { getCorpus } from '../data/index.js';
import { loadRunConfig, parseRunConfig, type RunConfig } from '../run/index.js';
import { trainRun } from '../train/index.js';
import { defaultCacheDir } from '../features/index.js';
import { checkQueueUrl, openQueue, queueFoldTrainer, queueTaskRunner } from '../queue/index.js';
import { columnsFlag, formatMetrics, progressBar } from './common.js';

interface TrainFlags {
  config?: string;
  corpus?: string;
  data?: string;
  labelMap?: string;
  columns?: Record<string, string>;
  model?: string;
  features?: string;
  backbone?: string;
  weights?: string;
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

/** The run config from --config, with command-line flags overriding its fields. */
function configFromFlags(f: TrainFlags): RunConfig {
  const base: Record<string, unknown> = f.config ? (loadRunConfig(f.config) as unknown as Record<string, unknown>) : {};
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
  const features = {
    ...baseFeatures,
    ...(set ? { set } : {}),
    ...(f.weights ? { overrides: { ...baseFeatures.overrides, weights: resolve(f.weights) } } : {}),
    ...(f.speakerNorm ? { speakerNorm: true } : {}),
  };
  const model = { ...(base.model as object), ...(f.model ? { name: f.model } : {}) };
  return parseRunConfig({ ...base, corpus, protocol, features, model, training }, f.config ?? 'command line');
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

export function registerTrain(program: Command): void {
  program
    .command('train')
    .description('train an emotion recognizer with a speaker-independent protocol (resumes an interrupted run in the same --out)')
    .option('--config <file>', 'run configuration (YAML or JSON); flags below override its fields')
    .option('--corpus <name>', "corpus adapter (ravdess, tess, crema-d, iemocap, ..., or 'synthetic')")
    .option('--data <dir>', 'corpus folder')
    .option('--label-map <name>', "the corpus' label map (e.g. ravdess: 8class, 4class)")
    .option('--columns <mapping>', "--corpus manifest: the CSV's own column names, e.g. path=file,label=emotion,speaker=actor", columnsFlag)
    .option(
      '--model <name>',
      'model (trust-ser-cnn, cnn-lstm, cnn-lstm-att, cnn-lstm-att-multitask, mlp, logreg, linear-svm, alexnet, fcn-gap)',
    )
    .option('--features <set>', 'feature set (logmel, mfcc, mfcc-delta, logmelspec, ..., egemaps-ts, mel-functionals, egemaps-mel)')
    .option(
      '--backbone <name>',
      'a pretrained backbone as the features (wav2vec2, hubert, wavlm, whisper, apc, tera, speech-embedding; with -stats for vector models)',
    )
    .option('--weights <path>', "the backbone's checkpoint file or Hugging Face folder (trustser never downloads weights)")
    .option('--speaker-norm', "standardize features per speaker (uses every speaker's unlabelled utterances; see README)")
    .option('--folds <k>', 'speaker-independent folds', intFlag(2))
    .option('--epochs <n>', 'maximum epochs', intFlag(1))
    .option('--batch-size <n>', 'batch size', intFlag(1))
    .option('--lr <x>', 'learning rate', positiveFlag)
    .option('--weight-decay <x>', 'weight decay (L2)', numberFlag({ min: 0 }))
    .option('--seed <n>', 'random seed', intFlag())
    .option('--workers <n>', 'feature worker threads (default: all cores; 0 = main thread)', intFlag(0))
    .option('--cache <dir>', 'feature cache folder (default: $TRUSTSER_CACHE or ~/.cache/trustser/features)')
    .option(
      '--queue <url>',
      'enqueue feature extraction and one job per fold on a Redis queue for `trustser worker`s (they must share --out and the cache)',
      (v) => checkQueueUrl(v),
    )
    .requiredOption('--out <dir>', 'run directory')
    .option('--json', 'print the metrics as JSON')
    .action(async (f: TrainFlags) => {
      const cfg = configFromFlags(f);
      const bar = progressBar(!f.json, 'fold {fold} epoch {epoch}/{epochs} [{bar}] {value}/{total} batches');
      let started = false;
      const cacheDir = resolve(f.cache ?? defaultCacheDir());
      const queue = f.queue ? await openQueue(f.queue) : null;
      const foldBar = queue ? progressBar(!f.json, 'folds on the queue [{bar}] {value}/{total}') : null;
      const queued = queue
        ? {
            runner: queueTaskRunner(queue),
            trainFolds: async (dir: string, folds: number[]) => {
              process.stderr.write(`${folds.length} fold job(s) on ${f.queue}; waiting for \`trustser worker --queue ${f.queue}\`\n`);
              foldBar?.start(folds.length, 0);
              await queueFoldTrainer(queue, { cacheDir, onFold: () => foldBar?.increment() })(dir, folds);
              foldBar?.stop();
            },
          }
        : {};
      const metrics = await trainRun(cfg, f.out!, {
        cacheDir,
        ...queued,
        workers: f.workers ?? availableParallelism(),
        log: (l) => {
          if (started) bar?.stop();
          started = false;
          if (!f.json || l.startsWith('warning:')) process.stderr.write(`${l}\n`);
        },
        onProgress: (fold, p) => {
          if (!bar) return;
          if (!started || p.batch === 1) {
            bar.start(p.batches, 0, { fold, epoch: p.epoch, epochs: p.epochs });
            started = true;
          }
          bar.update(p.batch, { fold, epoch: p.epoch, epochs: p.epochs });
        },
      }).finally(() => queue?.close());
      bar?.stop();
      process.stdout.write(f.json ? `${JSON.stringify(metrics)}\n` : `${formatMetrics(metrics)}\n\nrun directory: ${resolve(f.out!)}\n`);
    });
}
