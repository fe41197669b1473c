/**
 * The epoch logs of a run. Each fold writes only its own `fold-K/log.jsonl` (so folds can train
 * in parallel, in other processes or on other hosts, without writing one file together); the
 * run's `log.jsonl` is assembled from them, folds in run order.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomicSync } from '../core/index.js';
import { LOG_FILE, foldDir } from '../run/index.js';
import type { EpochRecord } from './loop.js';

function readLog(path: string): EpochRecord[] {
  if (!existsSync(path)) return [];
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as EpochRecord);
}

const linesOf = (records: EpochRecord[]) => records.map((l) => `${JSON.stringify(l)}\n`).join('');

/**
 * Writes fold `k`'s checkpointed `history` as its log (atomic): the log is derived from the
 * checkpoints, so it holds every finished epoch once, whenever a kill came.
 */
export function writeFoldLog(runDir: string, k: number, history: EpochRecord[]): void {
  writeFileAtomicSync(join(foldDir(runDir, k), LOG_FILE), linesOf(history));
}

/**
 * Rebuilds the run's log from the fold logs, in `foldOrder`. A fold without a log of its own (a
 * run written before fold logs existed) keeps its lines of the current run log.
 */
export function assembleRunLog(runDir: string, foldOrder: number[]): void {
  const path = join(runDir, LOG_FILE);
  const previous = readLog(path);
  const lines = foldOrder.flatMap((k) => {
    const own = join(foldDir(runDir, k), LOG_FILE);
    return existsSync(own) ? readLog(own) : previous.filter((r) => r.fold === k);
  });
  writeFileAtomicSync(path, linesOf(lines));
}

/** Sum of the per-epoch wall times in the run's log (each kept epoch once; an epoch redone after a kill counts once), s. */
export function trainingSeconds(runDir: string): number {
  return readLog(join(runDir, LOG_FILE)).reduce((s, l) => s + (l.seconds ?? 0), 0);
}
