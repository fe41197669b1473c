/**
 * `trustser demo`: the main job on a bundled default. Trains an MLP on egemaps-ts functionals of
 * RAVDESS (../shared/data/ravdess-speech-16k when present, else a synthesized corpus) with one
 * speaker-independent fold, prints its test metrics, and predicts a few held-out files. The MLP is
 * chosen because it trains in seconds on 2 cores and is among the stronger from-scratch models in
 * bench/ser-ravdess.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { corpusLabel, parseRunConfig, type RunConfig } from '../run/index.js';
import { predictFiles, type FilePrediction } from '../run/index.js';
import { trainRun } from '../train/index.js';
import { readFoldResult, type Prediction, type RunMetrics } from '../run/index.js';
import { packageRoot } from '../core/index.js';
import { formatMetrics } from './common.js';

/** RAVDESS beside the project (the layout of this repository's CI and development machines). */
function defaultRavdessRoot(): string | null {
  const p = join(packageRoot(), '..', 'shared', 'data', 'ravdess-speech-16k');
  return existsSync(p) ? p : null;
}

/** Demo settings: one of six folds (4 test actors), an MLP on functionals, about a minute on 2 cores. */
function demoConfig(data: string | null, o: { epochs?: number; seed?: number } = {}): RunConfig {
  return parseRunConfig(
    {
      corpus: data ? { name: 'ravdess', root: data, labelMap: '8class' } : { name: 'synthetic' },
      protocol: data
        ? { kind: 'speaker-kfold', folds: 6, balanceBy: 'gender', devSpeakers: 2, seed: o.seed ?? 1 }
        : { kind: 'speaker-kfold', folds: 3, devSpeakers: 1, seed: o.seed ?? 1 },
      features: { set: 'egemaps-ts' },
      model: { name: 'mlp', options: {} },
      training: { epochs: o.epochs ?? 150, batchSize: 32, lr: 1e-3, weightDecay: 1e-3, patience: 40, seed: o.seed ?? 1 },
      folds: [0],
    },
    'demo',
  );
}

export interface DemoResult {
  corpus: string;
  out: string;
  metrics: RunMetrics;
  predictions: (FilePrediction & { truth: string })[];
}

/** Trains the demo run into `out` (resumable) and predicts up to `predict` held-out files. */
export async function runDemo(o: {
  data: string | null;
  out: string;
  epochs?: number;
  seed?: number;
  predict?: number;
  log?: (l: string) => void;
}): Promise<DemoResult> {
  const cfg = demoConfig(o.data, o);
  const metrics = await trainRun(cfg, o.out, { log: o.log });
  const result = readFoldResult(o.out, 0);
  // One held-out file per class where possible.
  const picked = new Map<number, Prediction>();
  for (const p of result.predictions) if (!picked.has(p.truth)) picked.set(p.truth, p);
  const chosen = [...picked.values()].slice(0, o.predict ?? 4);
  const { predictions } = await predictFiles(
    o.out,
    chosen.map((p) => p.path),
    { fold: 0 },
  );
  return {
    corpus: corpusLabel(cfg),
    out: resolve(o.out),
    metrics,
    predictions: predictions.map((p, i) => ({ ...p, truth: metrics.classes[chosen[i].truth] })),
  };
}

export function registerDemo(program: Command): void {
  program
    .command('demo')
    .description('train a small emotion recognizer on RAVDESS (or a synthesized corpus) with held-out actors, then predict a few files')
    .option('--data <dir>', 'RAVDESS folder (default: ../shared/data/ravdess-speech-16k when present, else a synthesized corpus)')
    .option('--synthetic', 'use the synthesized corpus even when RAVDESS is present')
    .option('--out <dir>', 'run directory', 'trustser-demo')
    .option('--json', 'machine-readable output')
    .action(async (opts: { data?: string; synthetic?: boolean; out: string; json?: boolean }) => {
      const data = opts.synthetic ? null : (opts.data ?? defaultRavdessRoot());
      if (!opts.json)
        process.stderr.write(`demo: ${data ? `RAVDESS at ${data}` : 'synthesized corpus (RAVDESS not found)'} → ${resolve(opts.out)}\n`);
      const r = await runDemo({ data, out: opts.out, log: opts.json ? undefined : (l) => process.stderr.write(`${l}\n`) });
      if (opts.json) {
        process.stdout.write(`${JSON.stringify(r)}\n`);
        return;
      }
      process.stdout.write(`${formatMetrics(r.metrics)}\n\npredictions on held-out files:\n`);
      for (const p of r.predictions) {
        const conf = Math.max(...p.probs);
        process.stdout.write(`  ${p.path}\n    truth ${p.truth.padEnd(10)} predicted ${p.label.padEnd(10)} (p = ${conf.toFixed(2)})\n`);
      }
      process.stdout.write(
        `\nrun directory: ${r.out} (try: npx trustser evaluate ${opts.out}; npx trustser predict --model ${opts.out} FILE.wav)\n`,
      );
    });
}
