/** What several commands share: audio file arguments, the metrics table, progress bars. */
import cliProgress from 'cli-progress';
import { InvalidArgumentError } from 'commander';
import { choiceFlag, intFlag, numberFlag } from '../core/index.js';
import { parseColumnMapping } from '../data/index.js';
import type { FileFailure } from '../core/index.js';
import type { RunMetrics } from '../run/index.js';
import { loadSpoofModel, scoreFiles, type SpoofScore } from '../spoof/index.js';
import { AASIST_SAMPLE_RATE_HZ, DEFAULT_TOP_K, SPOOF_AGGREGATIONS, type SpoofAggregation, type SpoofWindowing } from '../models/index.js';
import type { Command } from 'commander';

/** A rate as a percentage with one decimal. */
export const pct = (x: number) => `${(100 * x).toFixed(1)}`;

/** Prints a run's metrics table (per fold, mean ± std, per-class recall, pooled confusion). */
export function formatMetrics(m: RunMetrics): string {
  if (m.pooled.n === 0) {
    const dev = m.folds.map((f) => `${f.name}: dev UA ${f.devUa === undefined ? '?' : pct(f.devUa)} % (best epoch ${f.bestEpoch})`);
    return [...dev, 'no test set (this protocol trains on all data); measure it with `trustser evaluate RUN --on CORPUS`'].join('\n');
  }
  const lines = ['fold            UA %    WA %   macro-F1 %   best epoch'];
  for (const f of m.folds)
    lines.push(
      `${f.name.padEnd(14)}${pct(f.ua).padStart(6)}${pct(f.wa).padStart(8)}${pct(f.macroF1).padStart(13)}${String(f.bestEpoch).padStart(13)}`,
    );
  lines.push(
    `${'mean ± std'.padEnd(14)}${pct(m.ua.mean).padStart(6)} ± ${pct(m.ua.std)}   WA ${pct(m.wa.mean)} ± ${pct(m.wa.std)}   macro-F1 ${pct(m.macroF1.mean)} ± ${pct(m.macroF1.std)}`,
  );
  lines.push('', 'per-class recall (pooled over folds):');
  m.classes.forEach((c, i) => lines.push(`  ${c.padEnd(12)}${pct(m.pooled.recall[i]).padStart(6)} %`));
  lines.push(
    '',
    'confusion (rows = truth, columns = prediction):',
    `  ${''.padEnd(12)}${m.classes.map((c) => c.slice(0, 7).padStart(8)).join('')}`,
  );
  m.pooled.confusion.forEach((row, i) => lines.push(`  ${m.classes[i].padEnd(12)}${row.map((v) => String(v).padStart(8)).join('')}`));
  if (m.byCorpus) {
    lines.push('', 'per corpus (pooled over folds):   UA %    WA %   macro-F1 %   utterances');
    for (const [c, r] of Object.entries(m.byCorpus))
      lines.push(
        `  ${c.padEnd(30)}${pct(r.ua).padStart(6)}${pct(r.wa).padStart(8)}${pct(r.macroF1).padStart(13)}${String(r.n).padStart(13)}`,
      );
  }
  return lines.join('\n');
}

/** `--min-confidence <p>` of predict, analyze and serve: a probability in [0, 1]. */
export const minConfidenceFlag = numberFlag({ min: 0, max: 1 });
export const MIN_CONFIDENCE_HELP =
  "label 'unknown' when the top calibrated probability is below p (0–1; the probabilities are still shown; default: off)";

/** Help of `--columns` (shared by the commands that read CSV manifests). */
export const COLUMNS_HELP = "CSV manifests: the file's own column names, e.g. path=file,id=name";

/** Parser of `--columns <mapping>` (`path=file,label=emotion`): a bad mapping is refused before any work. */
export function columnsFlag(v: string): Record<string, string> {
  try {
    return parseColumnMapping(v);
  } catch (err) {
    throw new InvalidArgumentError((err as Error).message);
  }
}

/** Parser of a comma-separated flag (`a,b,c`); empty items are refused. */
export function listFlag(v: string): string[] {
  const items = v.split(',').map((s) => s.trim());
  if (items.some((s) => s === '')) throw new InvalidArgumentError(`expected a comma-separated list, got '${v}'`);
  return items;
}

/** A progress bar on stderr when it is a terminal and `enabled`; null otherwise. */
export function progressBar(enabled: boolean, format: string): cliProgress.SingleBar | null {
  return enabled && process.stderr.isTTY
    ? new cliProgress.SingleBar({ stream: process.stderr, format }, cliProgress.Presets.shades_classic)
    : null;
}

/**
 * The log and progress callbacks of a training command: a per-epoch batch bar on stderr (when it
 * is a terminal and `json` is off) that a log line interrupts; log lines go to stderr unless
 * `json` (warnings always do). `stop()` ends the bar.
 */
export function trainingProgress(json: boolean | undefined) {
  const bar = progressBar(!json, 'fold {fold} epoch {epoch}/{epochs} [{bar}] {value}/{total} batches');
  let started = false;
  return {
    log: (l: string) => {
      if (started) bar?.stop();
      started = false;
      if (!json || l.startsWith('warning:')) process.stderr.write(`${l}\n`);
    },
    onProgress: (fold: number, p: { epoch: number; epochs: number; batch: number; batches: number }) => {
      if (!bar) return;
      if (!started || p.batch === 1) {
        bar.start(p.batches, 0, { fold, epoch: p.epoch, epochs: p.epochs });
        started = true;
      }
      bar.update(p.batch, { fold, epoch: p.epoch, epochs: p.epochs });
    },
    stop: () => bar?.stop(),
  };
}

/** The windowing flags of `spoof score` and `analyze` as parsed. */
export interface WindowingFlags {
  hop?: number;
  aggregate?: SpoofAggregation;
  topK?: number;
}

/** Adds the flags that say how a whole file is scored in windows of the model's 4.04 s input. */
export function windowingOptions(cmd: Command): Command {
  return cmd
    .option(
      '--hop <seconds>',
      'seconds between the starts of the 4.04 s windows each file is scored in (default: one window, no overlap)',
      numberFlag({ min: 1 / AASIST_SAMPLE_RATE_HZ }),
    )
    .option(
      '--aggregate <how>',
      `how window scores make the file's: mean (default) of the logits, max (the most spoof-like window) or top-k (mean of the k most spoof-like)`,
      choiceFlag(SPOOF_AGGREGATIONS),
    )
    .option('--top-k <k>', `windows --aggregate top-k averages (default ${DEFAULT_TOP_K})`, intFlag(1));
}

/** The windowing the flags ask for (hop in samples at the countermeasures' 16 kHz). */
function windowingOf(f: WindowingFlags): SpoofWindowing {
  return {
    ...(f.hop === undefined ? {} : { hopSamples: Math.round(f.hop * AASIST_SAMPLE_RATE_HZ) }),
    ...(f.aggregate === undefined ? {} : { aggregate: f.aggregate }),
    ...(f.topK === undefined ? {} : { topK: f.topK }),
  };
}

/** Scores files with a spoof model, showing progress; failed files are listed, not fatal. */
export async function scoreWithProgress(
  spec: string,
  files: string[],
  o: { emotionModel?: string; minConfidence?: number; batchSize?: number; quiet?: boolean } & WindowingFlags,
): Promise<{ scores: SpoofScore[]; failed: FileFailure[] }> {
  const model = await loadSpoofModel(spec, { emotionRun: o.emotionModel, paths: files });
  const bar = progressBar(!o.quiet, 'scoring [{bar}] {value}/{total} files | {eta_formatted} left');
  bar?.start(files.length, 0);
  try {
    return await scoreFiles(model, files, {
      emotionRun: o.emotionModel,
      minConfidence: o.minConfidence,
      batchSize: o.batchSize,
      ...windowingOf(o),
      onProgress: (d) => bar?.update(d),
    });
  } finally {
    bar?.stop();
    model.module.dispose();
  }
}
