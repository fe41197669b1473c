/**
 * Evaluation of a scores file against a spoof-set manifest: EER (with its threshold), min DCF,
 * DET-curve data, and the EER per group of any manifest column (emotion by default) or of the
 * emotion a SER model predicted for each file.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { getCorpus } from '../data/index.js';
import type { Utterance } from '../data/index.js';
import { parseCsv, requireColumns, cell, numberCell } from '../data/index.js';
import {
  detCurve,
  eerByGroup,
  equalErrorRate,
  minDcf,
  splitScores,
  DEFAULT_DCF,
  type DcfOptions,
  type DetPoint,
  type EerResult,
  type GroupEer,
  type MinDcfResult,
  type SpoofTrial,
} from '../metrics/index.js';

/** Columns of a scores file (`trustser spoof score`): one row per audio file. */
export const SCORE_COLUMNS = ['path', 'score'] as const;
/** Optional column holding the emotion a SER model predicted. */
const EMOTION_COLUMN = 'emotion';

/** One row of a scores file. */
export interface ScoredFile {
  path: string;
  /** Higher = more bona fide (AASIST: the bona fide logit). */
  score: number;
  /** Emotion predicted by a SER model, when scored with one. */
  emotion?: string;
  /** Both logits [spoof, bona fide], when the file has them (`logit_spoof`, `logit_bonafide`). */
  logits?: [number, number];
}

/** Optional logit columns of a scores file. */
const LOGIT_COLUMNS = ['logit_spoof', 'logit_bonafide'] as const;

/** Reads a scores CSV; paths are resolved against the current folder. Errors name file and line. */
export function readScores(file: string): ScoredFile[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    throw new Error(`${file}: cannot read the scores file`);
  }
  const table = parseCsv(text, file);
  requireColumns(table, SCORE_COLUMNS);
  const withLogits = LOGIT_COLUMNS.every((c) => table.columns.includes(c));
  const rows = table.rows.map((row) => ({
    path: resolve(cell(table, row, 'path')),
    score: numberCell(table, row, 'score'),
    ...(row.values[EMOTION_COLUMN] ? { emotion: row.values[EMOTION_COLUMN] } : {}),
    ...(withLogits
      ? { logits: [numberCell(table, row, LOGIT_COLUMNS[0]), numberCell(table, row, LOGIT_COLUMNS[1])] as [number, number] }
      : {}),
  }));
  if (rows.length === 0) throw new Error(`${file}: no scores`);
  return rows;
}

/** What to group the per-group EER by. */
type GroupBy = 'emotion' | 'predicted-emotion' | string;

/** Options of {@link evaluateScores}. */
export interface EvaluateSpoofOptions {
  /** Grouping: the manifest's emotion label (default), the predicted emotion, or any attribute. */
  groupBy?: GroupBy;
  /** Score each group's spoofs against all bona fide trials (for spoof-only attributes: codec, voice). */
  pooledBonafide?: boolean;
  dcf?: DcfOptions;
}

/** Result of {@link evaluateScores}. */
export interface SpoofEvaluation {
  trials: { bonafide: number; spoof: number };
  eer: EerResult;
  minDcf: MinDcfResult & { costs: Required<DcfOptions> };
  det: DetPoint[];
  groupBy: string;
  groups: GroupEer[];
  /** Groups holding one class only (no EER). */
  skipped: string[];
  /** Manifest rows without a score (reported, not counted). */
  unscored: number;
}

function groupOf(u: Utterance, s: ScoredFile, groupBy: GroupBy): string | undefined {
  if (groupBy === 'emotion') return u.labels.emotion === undefined ? undefined : String(u.labels.emotion);
  if (groupBy === 'predicted-emotion') return s.emotion;
  const v = u.attributes[groupBy];
  return v === undefined ? undefined : String(v);
}

/** Joins scores to the manifest by path and computes every spoofing metric. */
export function evaluateScores(
  scores: readonly ScoredFile[],
  utterances: readonly Utterance[],
  o: EvaluateSpoofOptions = {},
): SpoofEvaluation {
  const groupBy = o.groupBy ?? 'emotion';
  const byPath = new Map(scores.map((s) => [resolve(s.path), s]));
  if (groupBy === 'predicted-emotion' && !scores.some((s) => s.emotion !== undefined)) {
    throw new Error("group by predicted-emotion: the scores file has no 'emotion' column (score with --emotion-model)");
  }
  const trials: SpoofTrial[] = [];
  let unscored = 0;
  for (const u of utterances) {
    if (u.labels.spoof === undefined) throw new Error(`manifest row '${u.id}' has no spoof key (column 'spoof': bonafide or spoof)`);
    const s = byPath.get(resolve(u.path));
    if (!s) {
      unscored++;
      continue;
    }
    trials.push({ score: s.score, bonafide: u.labels.spoof === 'bonafide', group: groupOf(u, s, groupBy) });
  }
  if (trials.length === 0) throw new Error('no scored file is listed in the manifest (are the paths the same?)');
  const { bona, spoof } = splitScores(trials);
  const costs = { ...DEFAULT_DCF, ...o.dcf };
  const eer = equalErrorRate(bona, spoof);
  const { groups, skipped } = eerByGroup(trials, { pooledBonafide: o.pooledBonafide, sharedThreshold: eer.threshold });
  return {
    trials: { bonafide: bona.length, spoof: spoof.length },
    eer,
    minDcf: { ...minDcf(bona, spoof, costs), costs },
    det: detCurve(bona, spoof),
    groupBy,
    groups,
    skipped,
    unscored,
  };
}

/** Loads a spoof-set manifest (the generic manifest format with a `spoof` column). */
export async function loadSpoofManifest(path: string): Promise<Utterance[]> {
  return getCorpus('manifest').list(path, { corpus: 'spoof-set' });
}

/** Human-readable summary: overall EER/min DCF and the per-group table. */
export function formatSpoofEvaluation(e: SpoofEvaluation): string {
  const pct = (x: number) => `${(100 * x).toFixed(2)} %`;
  const rate = (x: number) => (Number.isNaN(x) ? '—' : pct(x));
  const lines = [
    `${e.trials.bonafide} bona fide, ${e.trials.spoof} spoof trials${e.unscored ? ` (${e.unscored} manifest rows unscored)` : ''}`,
    `EER ${pct(e.eer.eer)} at threshold ${e.eer.threshold.toFixed(4)}`,
    `min DCF ${e.minDcf.minDcf.toFixed(4)} (C_miss ${e.minDcf.costs.costMiss}, C_fa ${e.minDcf.costs.costFa}, π_spoof ${e.minDcf.costs.priorSpoof}) at threshold ${e.minDcf.threshold.toFixed(4)}`,
    '',
    `EER by ${e.groupBy}, and each group's error rates at the pooled EER threshold:`,
    `  ${'group'.padEnd(14)}${'bona fide'.padStart(10)}${'spoof'.padStart(8)}${'EER'.padStart(10)}${'miss'.padStart(10)}${'false acc.'.padStart(12)}`,
    ...e.groups.map(
      (g) =>
        `  ${g.group.padEnd(14)}${String(g.bonafide).padStart(10)}${String(g.spoof).padStart(8)}${pct(g.eer).padStart(10)}${rate(g.pMissShared).padStart(10)}${rate(g.pFaShared).padStart(12)}`,
    ),
  ];
  if (e.skipped.length) lines.push(`  (one class only, no EER: ${e.skipped.join(', ')})`);
  return lines.join('\n');
}
