/** `trustser train`: train (or resume) a run from a config file and/or flags. */
import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { intFlag, numberFlag, positiveFlag } from '../core/index.js';
import { DEFAULT_BACKBONE_LR, loadRunConfig, parseRunConfig, type RunConfig } from '../run/index.js';
import { trainRun } from '../train/index.js';
import { defaultCacheDir } from '../features/index.js';
import { checkQueueUrl, openQueue, queueFoldTrainer, queueTaskRunner } from '../queue/index.js';
import { columnsFlag, formatMetrics, listFlag, progressBar, trainingProgress } from './common.js';
import { mergeFlags, type TrainFlags } from './train-flags.js';
import { trainDimensionalCommand, wantsDimensional } from './train-dimensional.js';

/** The run config from --config, with command-line flags overriding its fields. */
function configFromFlags(f: TrainFlags): RunConfig {
  const base: Record<string, unknown> = f.config ? (loadRunConfig(f.config) as unknown as Record<string, unknown>) : {};
  return parseRunConfig(mergeFlags(base, f), f.config ?? 'command line');
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
    .option('--finetune', "train the backbone's network with the model (engine backbones; its conv front end stays frozen)")
    .option(
      '--backbone-lr <x>',
      `learning rate of the fine-tuned backbone (default ${DEFAULT_BACKBONE_LR}; the model keeps --lr)`,
      positiveFlag,
    )
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
    .option('--task <kind>', 'categorical (default) or dimensional (arousal/valence/dominance regression, CCC)')
    .option('--targets <list>', 'dimensional: attributes to predict (default arousal,valence,dominance)', listFlag)
    .option('--attributes <source>', "dimensional: 'corpus' ratings (default) or 'proxy' values derived from the classes")
    .option('--loss <kind>', 'dimensional: ccc (1 − CCC, default) or mse')
    .action(async (f: TrainFlags) => {
      if (wantsDimensional(f)) return trainDimensionalCommand(f);
      const cfg = configFromFlags(f);
      const progress = trainingProgress(f.json);
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
        log: progress.log,
        onProgress: progress.onProgress,
      }).finally(() => queue?.close());
      progress.stop();
      process.stdout.write(f.json ? `${JSON.stringify(metrics)}\n` : `${formatMetrics(metrics)}\n\nrun directory: ${resolve(f.out!)}\n`);
    });
}
