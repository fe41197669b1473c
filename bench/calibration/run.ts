/**
 * bench/calibration: how well the probabilities of trained RAVDESS runs (bench:ser-ravdess, 8
 * classes, 6 speaker-independent folds) are calibrated, before and after each fold's temperature
 * (fitted on the fold's 2 dev actors, `trustser calibrate`). Reports the test ECE (15 bins) and
 * NLL pooled over the folds, and the temperatures. Runs trained before calibration existed are
 * calibrated here first (fold-K/calibration.json is written into their folders).
 * Usage: npm run bench:calibration [-- --runs id,id]
 */
import { existsSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { measureCalibration } from '../../src/audit/index.js';
import { packageRoot } from '../../src/core/paths.js';
import { finishedFolds, foldTemperature, readFoldResult, runConfig } from '../../src/run/index.js';
import { calibrateRun } from '../../src/train/index.js';
import { machineLine, writeResultsSection } from '../results.js';

/** The best deployable recipe, the former one, and a neural model on the backbone's frames. */
const DEFAULT_RUNS = ['logreg-sel-wd0.3', 'logreg-sel-aug-wd0.3', 'logreg-fused', 'trust-ser-sel'];
const runDir = (id: string) => join(packageRoot(), 'bench', 'out', 'ser-ravdess', id);
const pct = (x: number | undefined) => (x === undefined ? '—' : (100 * x).toFixed(1));

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { runs: { type: 'string' } } });
  const ids = values.runs?.split(',') ?? DEFAULT_RUNS;
  const started = performance.now();
  const rows: string[] = [];
  for (const id of ids) {
    const dir = runDir(id);
    if (!existsSync(join(dir, 'metrics.json'))) {
      console.error(`== ${id}: no finished run in ${dir} (npm run bench:ser-ravdess -- --only ${id}); skipped`);
      continue;
    }
    console.error(`== ${id}`);
    await calibrateRun(dir, { log: (l) => console.error(`   ${l}`) });
    const folds = finishedFolds(dir);
    const out = measureCalibration(
      folds.map((k) => readFoldResult(dir, k)),
      folds.map((k) => foldTemperature(dir, k)),
    );
    if ('skipped' in out) throw new Error(`${id}: ${out.skipped}`);
    const c = out.section;
    const ts = c.folds.map((f) => f.temperature);
    const cfg = runConfig(dir);
    rows.push(
      `| ${id} | ${cfg.model.name} on ${cfg.features.set}${cfg.training.augment ? ', augmented' : ''} | ${Math.min(...ts).toFixed(2)}–${Math.max(...ts).toFixed(2)} | ${pct(c.eceBefore)} | **${pct(c.eceAfter)}** | ${c.nllBefore.toFixed(3)} | ${c.nllAfter?.toFixed(3) ?? '—'} |`,
    );
  }
  if (rows.length === 0) throw new Error('no run to measure');
  const md = [
    '## Calibration of RAVDESS runs: ECE before and after temperature scaling (`npm run bench:calibration`)',
    '',
    `${machineLine()}; load average ${loadavg()[0].toFixed(1)} on ${availableParallelism()} cores at the end (${((performance.now() - started) / 60000).toFixed(1)} min). Runs of bench:ser-ravdess (8 classes, 6 speaker-independent folds). Each fold's temperature T is fitted on that fold's 2 dev actors only (minimum NLL; docs/metrics.md); ECE (15 equal-width bins) and NLL (nats) are of the pooled test predictions of all folds, each fold scaled by its own T. T > 1: the model was over-confident. The class, and so UA, never changes.`,
    '',
    '| run | model | T (range over folds) | test ECE % before | test ECE % after | test NLL before | test NLL after |',
    '|---|---|---:|---:|---:|---:|---:|',
    ...rows,
  ].join('\n');
  console.log(md);
  console.log(`\nwritten to ${writeResultsSection('calibration', md)}`);
}

await main();
