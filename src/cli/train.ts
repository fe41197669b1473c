/** `trustser train`, `trustser evaluate`, `trustser predict`. */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { availableParallelism } from 'node:os';
import type { Command } from 'commander';
import cliProgress from 'cli-progress';
import { stringify } from 'csv-stringify/sync';
import { scanDir } from '../audio/index.js';
import { loadRunConfig, parseRunConfig, type RunConfig } from '../run/index.js';
import { predictFiles, runConfig, type FilePrediction } from '../run/index.js';
import { predictFilesOnnx } from '../runtime/index.js';
import { trainRun } from '../train/index.js';
import type { RunMetrics } from '../run/index.js';
import { throwIfFailed } from '../core/pure.js';
import { choiceFlag, intFlag, numberFlag, positiveFlag } from '../core/index.js';

interface TrainFlags {
  config?: string;
  corpus?: string;
  data?: string;
  labelMap?: string;
  model?: string;
  features?: string;
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
}

const pct = (x: number) => `${(100 * x).toFixed(1)}`;

/** The run config from --config, with command-line flags overriding its fields. */
function configFromFlags(f: TrainFlags): RunConfig {
  const base: Record<string, unknown> = f.config ? (loadRunConfig(f.config) as unknown as Record<string, unknown>) : {};
  const corpus = { ...(base.corpus as object), ...(f.corpus ? { name: f.corpus } : {}), ...(f.data ? { root: f.data } : {}), ...(f.labelMap ? { labelMap: f.labelMap } : {}) };
  const folds = f.folds;
  const protocol = base.protocol ?? { kind: 'speaker-kfold', folds: folds ?? 5, balanceBy: 'gender' };
  if (folds !== undefined) Object.assign(protocol as object, { folds });
  const training = { ...(base.training as object), ...defined({ epochs: f.epochs, batchSize: f.batchSize, lr: f.lr, weightDecay: f.weightDecay, seed: f.seed }) };
  const features = { ...(base.features as object), ...(f.features ? { set: f.features } : {}), ...(f.speakerNorm ? { speakerNorm: true } : {}) };
  const model = { ...(base.model as object), ...(f.model ? { name: f.model } : {}) };
  return parseRunConfig({ ...base, corpus, protocol, features, model, training }, f.config ?? 'command line');
}

function defined(o: Record<string, number | undefined>): Record<string, number> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Record<string, number>;
}

/** Prints a run's metrics table (per fold, mean ± std, per-class recall, pooled confusion). */
export function formatMetrics(m: RunMetrics): string {
  const lines = ['fold            UA %    WA %   macro-F1 %   best epoch'];
  for (const f of m.folds) lines.push(`${f.name.padEnd(14)}${pct(f.ua).padStart(6)}${pct(f.wa).padStart(8)}${pct(f.macroF1).padStart(13)}${String(f.bestEpoch).padStart(13)}`);
  lines.push(`${'mean ± std'.padEnd(14)}${pct(m.ua.mean).padStart(6)} ± ${pct(m.ua.std)}   WA ${pct(m.wa.mean)} ± ${pct(m.wa.std)}   macro-F1 ${pct(m.macroF1.mean)} ± ${pct(m.macroF1.std)}`);
  lines.push('', 'per-class recall (pooled over folds):');
  m.classes.forEach((c, i) => lines.push(`  ${c.padEnd(12)}${pct(m.pooled.recall[i]).padStart(6)} %`));
  lines.push('', 'confusion (rows = truth, columns = prediction):', `  ${''.padEnd(12)}${m.classes.map((c) => c.slice(0, 7).padStart(8)).join('')}`);
  m.pooled.confusion.forEach((row, i) => lines.push(`  ${m.classes[i].padEnd(12)}${row.map((v) => String(v).padStart(8)).join('')}`));
  return lines.join('\n');
}

/** Audio files named by `inputs` (files, or folders scanned recursively); errors name a missing input. */
export async function audioFiles(inputs: string[]): Promise<string[]> {
  const out: string[] = [];
  for (const p of inputs) {
    if (!existsSync(p)) throw new Error(`${p}: no such file or directory`);
    if (statSync(p).isDirectory()) out.push(...(await scanDir(p)).map((it) => it.path));
    else out.push(p);
  }
  if (out.length === 0) throw new Error(`no audio files in ${inputs.join(', ')}`);
  return out;
}

export function registerTrain(program: Command): void {
  program
    .command('train')
    .description('train an emotion recognizer with a speaker-independent protocol (resumes an interrupted run in the same --out)')
    .option('--config <file>', 'run configuration (YAML or JSON); flags below override its fields')
    .option('--corpus <name>', "corpus adapter (ravdess, crema-d, iemocap, ..., or 'synthetic')")
    .option('--data <dir>', 'corpus folder')
    .option('--label-map <name>', "the corpus' label map (e.g. ravdess: 8class, 4class)")
    .option('--model <name>', 'model (trust-ser-cnn, cnn-lstm, cnn-lstm-att, cnn-lstm-att-multitask, mlp, logreg, linear-svm, alexnet, fcn-gap)')
    .option('--features <set>', 'feature set (logmel, mfcc, mfcc-delta, logmelspec, ..., egemaps-ts, mel-functionals, egemaps-mel)')
    .option('--speaker-norm', "standardize features per speaker (uses every speaker's unlabelled utterances; see README)")
    .option('--folds <k>', 'speaker-independent folds', intFlag(2))
    .option('--epochs <n>', 'maximum epochs', intFlag(1))
    .option('--batch-size <n>', 'batch size', intFlag(1))
    .option('--lr <x>', 'learning rate', positiveFlag)
    .option('--weight-decay <x>', 'weight decay (L2)', numberFlag({ min: 0 }))
    .option('--seed <n>', 'random seed', intFlag())
    .option('--workers <n>', 'feature worker threads (default: all cores; 0 = main thread)', intFlag(0))
    .requiredOption('--out <dir>', 'run directory')
    .option('--json', 'print the metrics as JSON')
    .action(async (f: TrainFlags) => {
      const cfg = configFromFlags(f);
      const tty = process.stderr.isTTY && !f.json;
      const bar = tty ? new cliProgress.SingleBar({ stream: process.stderr, format: 'fold {fold} epoch {epoch}/{epochs} [{bar}] {value}/{total} batches' }, cliProgress.Presets.shades_classic) : null;
      let started = false;
      const metrics = await trainRun(cfg, f.out!, {
        workers: f.workers ?? availableParallelism(),
        log: (l) => {
          if (started) bar?.stop();
          started = false;
          if (!f.json) process.stderr.write(`${l}\n`);
        },
        onProgress: (fold, p) => {
          if (!bar) return;
          if (!started || p.batch === 1) {
            bar.start(p.batches, 0, { fold, epoch: p.epoch, epochs: p.epochs });
            started = true;
          }
          bar.update(p.batch, { fold, epoch: p.epoch, epochs: p.epochs });
        },
      });
      bar?.stop();
      process.stdout.write(f.json ? `${JSON.stringify(metrics)}\n` : `${formatMetrics(metrics)}\n\nrun directory: ${resolve(f.out!)}\n`);
    });

  program
    .command('evaluate')
    .description("show a trained run's test metrics: UA, WA, macro-F1, per-class recall, confusion, per fold and mean ± std")
    .argument('<run-dir>', 'run directory written by `trustser train`')
    .option('--json', 'machine-readable output')
    .action((dir: string, o: { json?: boolean }) => {
      const path = join(dir, 'metrics.json');
      if (!existsSync(path)) throw new Error(`${dir}: no metrics.json (is the run finished? rerun 'trustser train' with the same --out to resume)`);
      const m = JSON.parse(readFileSync(path, 'utf8')) as RunMetrics;
      const note = runConfig(dir).features.speakerNorm
        ? "\nfeatures were normalized per speaker with each test speaker's unlabelled utterances (enrollment); report these numbers as such\n"
        : '';
      process.stdout.write(o.json ? `${JSON.stringify(m)}\n` : `${formatMetrics(m)}\n${note}`);
    });

  program
    .command('predict')
    .description("class probabilities for audio files with a trained run (the folds' models averaged) or an exported ONNX model")
    .option('--model <run-dir>', 'run directory written by `trustser train`')
    .option('--onnx <file>', 'ONNX model written by `trustser export` (its sidecar next to it)')
    .argument('<inputs...>', 'audio files or folders')
    .option('--fold <k>', 'use one fold’s model instead of the ensemble', intFlag(0))
    .option('--format <fmt>', 'table, csv or json', choiceFlag(PREDICT_FORMATS), 'table' as const)
    .option('--window <s>', '--onnx: classify windows of this many seconds and average them (default: whole files, as training)', positiveFlag)
    .option('--hop <s>', '--onnx: seconds between window starts (default: the window)', positiveFlag)
    .option('--threads <n>', '--onnx: ONNX Runtime intra-op threads', intFlag(1))
    .option('--speaker-by <how>', "runs with speaker normalization: 'all' (every file is one speaker) or 'dir' (a file's folder names its speaker)", choiceFlag(['all', 'dir'] as const), 'all' as const)
    .action(async (inputs: string[], o: PredictFlags) => {
      if ((o.model === undefined) === (o.onnx === undefined)) throw new Error('predict: give either --model <run-dir> or --onnx <file>');
      const files = await audioFiles(inputs);
      const r = o.onnx !== undefined ? await predictOnnx(o.onnx, files, o) : await predictFiles(o.model!, files, {
        fold: o.fold,
        speakerOf: o.speakerBy === 'dir' ? (p) => dirname(resolve(p)) : undefined,
      });
      writePredictions(r.classes, r.predictions, o.format);
      throwIfFailed('prediction', r.failed, files.length);
    });
}

const PREDICT_FORMATS = ['table', 'csv', 'json'] as const;

interface PredictFlags {
  model?: string;
  onnx?: string;
  fold?: number;
  format: (typeof PREDICT_FORMATS)[number];
  window?: number;
  hop?: number;
  threads?: number;
  speakerBy: 'all' | 'dir';
}

/** `predict --onnx`: the exported model's posteriors (per-window posteriors go into the JSON output). */
function predictOnnx(file: string, files: string[], o: PredictFlags) {
  if (o.fold !== undefined) throw new Error('--fold applies to --model run directories; an ONNX file holds one fold');
  return predictFilesOnnx(file, files, { windowSeconds: o.window, hopSeconds: o.hop, intraOpThreads: o.threads });
}

/** Prints predictions as a table, CSV or JSON (shared by `--model` and `--onnx`). */
function writePredictions(classes: string[], predictions: FilePrediction[], format: string): void {
  if (format === 'json') {
    process.stdout.write(`${JSON.stringify({ classes, predictions })}\n`);
  } else if (format === 'csv') {
    process.stdout.write(stringify([['path', 'label', ...classes], ...predictions.map((p) => [p.path, p.label, ...(p.probs.length ? p.probs.map((v) => v.toFixed(4)) : classes.map(() => ''))])]));
  } else {
    const width = Math.max(...predictions.map((p) => p.path.length), 4);
    process.stdout.write(`${'file'.padEnd(width)}  ${'label'.padEnd(10)}${classes.map((c) => c.slice(0, 8).padStart(9)).join('')}\n`);
    for (const p of predictions) {
      const cells = p.probs.length ? p.probs.map((v) => v.toFixed(3).padStart(9)).join('') : `  (${p.noSpeech})`;
      process.stdout.write(`${p.path.padEnd(width)}  ${p.label.padEnd(10)}${cells}\n`);
    }
  }
}
