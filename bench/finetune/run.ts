/**
 * bench/finetune: a frozen backbone against the same backbone fine-tuned inside the run
 * (`features.finetune`), under the Trust-SER downstream of bench:compare-backbones (same
 * epochs, seed, folds), on RAVDESS 8 classes, speaker-independent folds. The backbone is the
 * APC that bench:compare-backbones pre-trained on the deployable pool (TESS + LibriSpeech, no
 * RAVDESS audio), so run that first. Fine-tuning is costly on a CPU (every epoch runs the
 * backbone forward and backward over the training audio), so by default two folds and
 * 5 epochs, one process per fold in parallel, one thread each.
 *
 * Usage: npm run bench:finetune [-- --folds 0,1] [--epochs 5] [--backbone-lr 1e-4]
 * Every run resumes where it stopped; finished ones are skipped.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { packageRoot } from '../../src/core/paths.js';
import { parseRunConfig } from '../../src/run/config.js';
import type { RunMetrics } from '../../src/run/index.js';
import { trainRun } from '../../src/train/index.js';
import { machineLine, writeResultsSection } from '../results.js';

const RAVDESS = join(packageRoot(), '..', 'shared', 'data', 'ravdess-speech-16k');
const APC = join(packageRoot(), 'bench', 'out', 'compare-backbones', 'deployable', 'pretrain-apc');
const OUT = join(packageRoot(), 'bench', 'out', 'finetune');
const SEED = 1;
const FOLDS = 6;
/** bench:compare-backbones' downstream (Trust-SER's defaults) but for the epochs. */
const DOWNSTREAM_MODEL = { name: 'trust-ser-cnn', options: { pooling: 'mean', hiddenSize: 128, convLayers: 2 } };
const DOWNSTREAM = { lr: 5e-4, batchSize: 32, threads: 1 };
/** The backbone's learning rate unless set: a fifth of the downstream's, fixed in advance (not tuned on any split). */
const BACKBONE_LR = 1e-4;

const ROWS = ['frozen', 'finetuned'] as const;
type Row = (typeof ROWS)[number];

const runDir = (row: Row, fold: number) => join(OUT, `apc-${row}-fold${fold}`);

async function trainOne(row: Row, fold: number, epochs: number, backboneLr: number): Promise<void> {
  const cfg = parseRunConfig(
    {
      corpus: { name: 'ravdess', root: RAVDESS, labelMap: '8class' },
      protocol: { kind: 'speaker-kfold', folds: FOLDS, seed: SEED, balanceBy: 'gender', devSpeakers: 2 },
      features: { set: 'apc', overrides: { weights: APC }, finetune: row === 'finetuned' ? { lr: backboneLr } : null },
      model: DOWNSTREAM_MODEL,
      training: { ...DOWNSTREAM, epochs, patience: epochs, seed: SEED },
      folds: [fold],
    },
    `row ${row}`,
  );
  await trainRun(cfg, runDir(row, fold), { workers: 1, log: (l) => console.error(`   [${row} ${fold}] ${l}`) });
}

function child(args: string[]): Promise<void> {
  return new Promise((ok, fail) => {
    const p = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), ...args], {
      stdio: 'inherit',
      env: { ...process.env, OPENBLAS_NUM_THREADS: '1' },
    });
    p.on('exit', (code) => (code === 0 ? ok() : fail(new Error(`${args.join(' ')}: exit ${code}`))));
  });
}

const readJson = <T>(p: string): T | null => (existsSync(p) ? (JSON.parse(readFileSync(p, 'utf8')) as T) : null);

/** Mean seconds per epoch of a run (its log). */
function secondsPerEpoch(dir: string): number {
  const lines = readFileSync(join(dir, 'log.jsonl'), 'utf8').trim().split('\n');
  const s = lines.map((l) => (JSON.parse(l) as { seconds: number }).seconds);
  return s.reduce((a, b) => a + b, 0) / s.length;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      folds: { type: 'string', default: '0,1' },
      epochs: { type: 'string', default: '5' },
      'backbone-lr': { type: 'string' },
      child: { type: 'string' },
    },
  });
  const epochs = Number(values.epochs);
  const backboneLr = Number(values['backbone-lr'] ?? BACKBONE_LR);
  if (values.child) {
    const [row, fold] = values.child.split(':');
    return trainOne(row as Row, Number(fold), epochs, backboneLr);
  }
  if (!existsSync(join(APC, 'backbone.safetensors')))
    throw new Error(`${APC}: no pre-trained APC; run 'npm run bench:compare-backbones -- --only pretrain-apc' first`);
  const folds = values.folds.split(',').map(Number);
  // Fine-tuned folds in parallel (one per core), then the cheap frozen ones.
  const common = ['--epochs', String(epochs), '--backbone-lr', String(backboneLr)];
  await Promise.all(folds.map((k) => child(['--child', `finetuned:${k}`, ...common])));
  for (const k of folds) await child(['--child', `frozen:${k}`, ...common]);
  const cells = (row: Row) =>
    folds.map((k) => {
      const m = readJson<RunMetrics>(join(runDir(row, k), 'metrics.json'))!;
      return { ua: m.folds[0].ua, dev: m.folds[0].devUa ?? Number.NaN, s: secondsPerEpoch(runDir(row, k)) };
    });
  const pct = (x: number) => (100 * x).toFixed(1);
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  const table = ROWS.map((row) => {
    const c = cells(row);
    return `| APC ${row} | ${c.map((x) => pct(x.ua)).join(' / ')} | ${pct(mean(c.map((x) => x.ua)))} | ${c.map((x) => pct(x.dev)).join(' / ')} | ${mean(c.map((x) => x.s)).toFixed(0)} |`;
  });
  // Context: the frozen row of bench:compare-backbones (30 epochs) on the same folds, when its run is here.
  const reference = readJson<RunMetrics>(join(packageRoot(), 'bench', 'out', 'compare-backbones', 'apc-deployable', 'metrics.json'));
  const refFolds = reference ? folds.map((k) => reference.folds.find((f) => f.fold === k)) : [];
  if (reference && refFolds.every((f) => f !== undefined))
    table.push(
      `| APC frozen, 30 epochs (bench:compare-backbones) | ${refFolds.map((f) => pct(f!.ua)).join(' / ')} | ${pct(mean(refFolds.map((f) => f!.ua)))} | ${refFolds.map((f) => pct(f!.devUa ?? Number.NaN)).join(' / ')} | — |`,
    );
  const md = [
    '## Fine-tuning a backbone inside the run vs frozen (`npm run bench:finetune`)',
    '',
    `${machineLine()}. RAVDESS 8 classes, folds ${folds.join(', ')} of the 6 speaker-independent folds of bench:compare-backbones (4 test / 2 dev actors, split seed ${SEED}); the Trust-SER downstream (trust-ser-cnn, every layer mixed, 2 point-wise convs of 128, mean pooling, lr ${DOWNSTREAM.lr}, batch ${DOWNSTREAM.batchSize}, seed ${SEED}, one thread), ${epochs} epochs, best dev epoch kept. Backbone: the APC pre-trained by bench:compare-backbones on the deployable pool (TESS + LibriSpeech; no RAVDESS audio). Fine-tuned: the APC network trains with the downstream from the waveform at lr ${backboneLr} (fixed in advance, not tuned on any split), the fold's normalization fitted on the frozen features. No hyper-parameter was chosen on test data. Training time per fold (the runs' logs): fine-tuned ${((mean(cells('finetuned').map((x) => x.s)) * epochs) / 60).toFixed(0)} min, frozen ${((mean(cells('frozen').map((x) => x.s)) * epochs) / 60).toFixed(1)} min (the fine-tuned folds ran in parallel, one per core); load average at the end ${loadavg()
      .map((l) => l.toFixed(1))
      .join(' / ')} (1 / 5 / 15 min) on ${availableParallelism()} cores.`,
    '',
    '| row | test UA per fold | mean | dev UA per fold | s / epoch |',
    '|---|---|---|---|---|',
    ...table,
  ].join('\n');
  console.log(md);
  console.log(`wrote ${writeResultsSection('finetune', md)}`);
}

await main();
