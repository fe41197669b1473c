/** `trustser evaluate RUN`: a finished run's test metrics. */
import type { Command } from 'commander';
import { METRICS_FILE, readRunMetrics, runConfig } from '../run/index.js';
import { formatMetrics } from './common.js';

export function registerEvaluate(program: Command): void {
  program
    .command('evaluate')
    .description("show a trained run's test metrics: UA, WA, macro-F1, per-class recall, confusion, per fold and mean ± std")
    .argument('<run-dir>', 'run directory written by `trustser train`')
    .option('--json', 'machine-readable output')
    .action((dir: string, o: { json?: boolean }) => {
      const cfg = runConfig(dir);
      const m = readRunMetrics(dir);
      if (!m) throw new Error(`${dir}: no ${METRICS_FILE} (is the run finished? rerun 'trustser train' with the same --out to resume)`);
      const note = cfg.features.speakerNorm
        ? "\nfeatures were normalized per speaker with each test speaker's unlabelled utterances (enrollment); report these numbers as such\n"
        : '';
      process.stdout.write(o.json ? `${JSON.stringify(m)}\n` : `${formatMetrics(m)}\n${note}`);
    });
}
