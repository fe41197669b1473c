/**
 * `trustser predict`: calibrated class probabilities of audio files with a run (its folds'
 * ensemble) or an exported ONNX model, with the `unknown` label below `--min-confidence`.
 */
import { dirname, resolve } from 'node:path';
import type { Command } from 'commander';
import { stringify } from 'csv-stringify/sync';
import { listInputFiles } from '../audio/index.js';
import { choiceFlag, intFlag, positiveFlag, throwIfFailed } from '../core/index.js';
import { predictFiles, type FilePrediction, type FoldTemperature } from '../run/index.js';
import { predictFilesOnnx } from '../runtime/index.js';
import { isDimensionalRun, predictDimensionalFiles } from '../dimensional/index.js';
import { COLUMNS_HELP, MIN_CONFIDENCE_HELP, columnsFlag, minConfidenceFlag } from './common.js';

const PREDICT_FORMATS = ['table', 'csv', 'json'] as const;

export function registerPredict(program: Command): void {
  program
    .command('predict')
    .description("class probabilities for audio files with a trained run (the folds' models averaged) or an exported ONNX model")
    .option('--model <run-dir>', 'run directory written by `trustser train`')
    .option('--onnx <file>', 'ONNX model written by `trustser export` (its sidecar next to it)')
    .argument('<inputs...>', 'audio files, folders or CSV manifests (a path column)')
    .option('--columns <mapping>', COLUMNS_HELP, columnsFlag)
    .option('--no-recurse', 'scan only the top level of each input folder')
    .option('--fold <k>', 'use one fold’s model instead of the ensemble', intFlag(0))
    .option('--format <fmt>', 'table, csv or json', choiceFlag(PREDICT_FORMATS), 'table' as const)
    .option(
      '--window <s>',
      '--onnx: classify windows of this many seconds and average them (default: whole files, as training)',
      positiveFlag,
    )
    .option('--hop <s>', '--onnx: seconds between window starts (default: the window)', positiveFlag)
    .option('--threads <n>', '--onnx: ONNX Runtime intra-op threads', intFlag(1))
    .option('--min-confidence <p>', MIN_CONFIDENCE_HELP, minConfidenceFlag)
    .option(
      '--speaker-by <how>',
      "runs with speaker normalization: 'all' (every file is one speaker) or 'dir' (a file's folder names its speaker)",
      choiceFlag(['all', 'dir'] as const),
      'all' as const,
    )
    .action(async (inputs: string[], o: PredictFlags) => {
      if ((o.model === undefined) === (o.onnx === undefined)) throw new Error('predict: give either --model <run-dir> or --onnx <file>');
      const files = await listInputFiles(inputs, { columns: o.columns, recurse: o.recurse });
      if (o.model !== undefined && isDimensionalRun(o.model)) return predictDimensional(o.model, files, o);
      const r =
        o.onnx !== undefined
          ? await predictOnnx(o.onnx, files, o)
          : await predictFiles(o.model!, files, {
              fold: o.fold,
              speakerOf: o.speakerBy === 'dir' ? (p) => dirname(resolve(p)) : undefined,
              minConfidence: o.minConfidence,
            });
      const calibration = 'temperatures' in r ? r.temperatures : r.calibration;
      for (const note of uncalibratedNotes(calibration)) process.stderr.write(`predict: ${note}\n`);
      writePredictions(r.classes, r.predictions, o.format, calibration);
      throwIfFailed('prediction', r.failed, files.length);
    });
}

interface PredictFlags {
  model?: string;
  columns?: Record<string, string>;
  recurse: boolean;
  onnx?: string;
  fold?: number;
  format: (typeof PREDICT_FORMATS)[number];
  window?: number;
  hop?: number;
  threads?: number;
  minConfidence?: number;
  speakerBy: 'all' | 'dir';
}

/** `predict --model` with a dimensional run: each file's attributes on the corpus' scale. */
async function predictDimensional(run: string, files: string[], o: PredictFlags): Promise<void> {
  const classifierOnly = { window: o.window, hop: o.hop, threads: o.threads, minConfidence: o.minConfidence };
  for (const [flag, v] of Object.entries(classifierOnly))
    if (v !== undefined) throw new Error(`--${flag.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}: does not apply to a dimensional run`);
  const r = await predictDimensionalFiles(run, files, { fold: o.fold });
  const cell = (v: number) => v.toFixed(3);
  if (o.format === 'json') process.stdout.write(`${JSON.stringify({ targets: r.targets, predictions: r.predictions })}\n`);
  else if (o.format === 'csv')
    process.stdout.write(
      stringify([
        ['path', ...r.targets],
        ...r.predictions.map((p) => [p.path, ...(p.values.length ? p.values.map(cell) : r.targets.map(() => ''))]),
      ]),
    );
  else {
    const width = Math.max(...r.predictions.map((p) => p.path.length), 4);
    process.stdout.write(`${'file'.padEnd(width)}${r.targets.map((t) => t.padStart(11)).join('')}\n`);
    for (const p of r.predictions)
      process.stdout.write(
        `${p.path.padEnd(width)}${p.values.length ? p.values.map((v) => cell(v).padStart(11)).join('') : `  (${p.noSpeech})`}\n`,
      );
  }
  throwIfFailed('prediction', r.failed, files.length);
}

/** `predict --onnx`: the exported model's posteriors (per-window posteriors go into the JSON output). */
function predictOnnx(file: string, files: string[], o: PredictFlags) {
  if (o.fold !== undefined) throw new Error('--fold applies to --model run directories; an ONNX file holds one fold');
  return predictFilesOnnx(file, files, {
    windowSeconds: o.window,
    hopSeconds: o.hop,
    intraOpThreads: o.threads,
    minConfidence: o.minConfidence,
  });
}

/** What `predict` says about probabilities that are not calibrated (folds of older runs, older exports). */
function uncalibratedNotes(c: FoldTemperature[] | { calibrated: boolean }): string[] {
  if (Array.isArray(c))
    return c.filter((t) => !t.calibrated).map((t) => `fold ${t.fold}: ${t.note}: its probabilities are the model's own (T = 1)`);
  return c.calibrated
    ? []
    : [
        "the model is not calibrated (exported before calibration existed, or from an uncalibrated fold): its probabilities are the graph's own (T = 1)",
      ];
}

/**
 * Prints predictions as a table, CSV or JSON (shared by `--model` and `--onnx`); the JSON holds
 * the temperature(s) the probabilities were calibrated with (`calibration`).
 */
function writePredictions(
  classes: string[],
  predictions: FilePrediction[],
  format: string,
  calibration: FoldTemperature[] | { temperature: number; calibrated: boolean },
): void {
  if (format === 'json') {
    process.stdout.write(`${JSON.stringify({ classes, predictions, calibration })}\n`);
  } else if (format === 'csv') {
    process.stdout.write(
      stringify([
        ['path', 'label', ...classes],
        ...predictions.map((p) => [p.path, p.label, ...(p.probs.length ? p.probs.map((v) => v.toFixed(4)) : classes.map(() => ''))]),
      ]),
    );
  } else {
    const width = Math.max(...predictions.map((p) => p.path.length), 4);
    process.stdout.write(`${'file'.padEnd(width)}  ${'label'.padEnd(10)}${classes.map((c) => c.slice(0, 8).padStart(9)).join('')}\n`);
    for (const p of predictions) {
      const cells = p.probs.length ? p.probs.map((v) => v.toFixed(3).padStart(9)).join('') : `  (${p.noSpeech})`;
      process.stdout.write(`${p.path.padEnd(width)}  ${p.label.padEnd(10)}${cells}\n`);
    }
  }
}
