/** What several commands share: audio file arguments, the metrics table, progress bars. */
import { existsSync, statSync } from 'node:fs';
import cliProgress from 'cli-progress';
import { scanDir } from '../audio/index.js';
import type { FileFailure } from '../core/index.js';
import type { RunMetrics } from '../run/index.js';
import { loadSpoofModel, scoreFiles, type SpoofScore } from '../spoof/index.js';

const pct = (x: number) => `${(100 * x).toFixed(1)}`;

/** Prints a run's metrics table (per fold, mean ± std, per-class recall, pooled confusion). */
export function formatMetrics(m: RunMetrics): string {
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

/** A progress bar on stderr when it is a terminal and `enabled`; null otherwise. */
export function progressBar(enabled: boolean, format: string): cliProgress.SingleBar | null {
  return enabled && process.stderr.isTTY
    ? new cliProgress.SingleBar({ stream: process.stderr, format }, cliProgress.Presets.shades_classic)
    : null;
}

/** Scores files with a spoof model, showing progress; failed files are listed, not fatal. */
export async function scoreWithProgress(
  spec: string,
  files: string[],
  o: { emotionModel?: string; batchSize?: number; quiet?: boolean },
): Promise<{ scores: SpoofScore[]; failed: FileFailure[] }> {
  const model = await loadSpoofModel(spec, { emotionRun: o.emotionModel, paths: files });
  const bar = progressBar(!o.quiet, 'scoring [{bar}] {value}/{total} files | {eta_formatted} left');
  bar?.start(files.length, 0);
  try {
    return await scoreFiles(model, files, { emotionRun: o.emotionModel, batchSize: o.batchSize, onProgress: (d) => bar?.update(d) });
  } finally {
    bar?.stop();
    model.module.dispose();
  }
}
