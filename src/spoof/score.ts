/**
 * Scoring audio files with a countermeasure: one bona fide score per file (the bona fide logit,
 * as in the published evaluation; higher = more bona fide), optionally with the emotion a trained
 * SER run predicts for the same file (`trustser analyze`).
 */
import { stringify } from 'csv-stringify/sync';
import { loadAudioBatch } from '../audio/index.js';
import { noGrad, tidy } from '../engine/index.js';
import { AASIST_SAMPLES, AASIST_SAMPLE_RATE_HZ, BONAFIDE_CLASS, aasistBatch } from '../models/index.js';
import { predictFiles, requireUtteranceLevelRun } from '../run/index.js';
import { writeFileAtomic } from '../core/index.js';
import { settleBatch, type FileFailure } from '../core/pure.js';
import type { SpoofModel } from './model.js';

/** Files scored per forward pass. */
export const SCORE_BATCH = 8;

/** One scored file. */
export interface SpoofScore {
  path: string;
  /** Bona fide logit: higher = more bona fide. */
  score: number;
  /** Logits [spoof, bona fide]. */
  logits: [number, number];
  /** Emotion predicted by the SER run, with its calibrated probability (when one was given); `unknown` below `minConfidence`. */
  emotion?: string;
  emotionProb?: number;
}

/** Options of {@link scoreFiles}. */
export interface ScoreOptions {
  batchSize?: number;
  /** SER run directory whose ensemble predicts each file's emotion. */
  emotionRun?: string;
  /** With `emotionRun`: the emotion is `unknown` when its calibrated probability is below this (0–1; default 0: off). */
  minConfidence?: number;
  onProgress?: (done: number, total: number) => void;
}

/**
 * Scores `paths` in eval mode (each clip fitted to 64,600 samples as the published evaluation
 * does). A file that cannot be read or scored is listed in `failed` with its reason while the
 * others are scored.
 */
export async function scoreFiles(
  model: SpoofModel,
  paths: readonly string[],
  o: ScoreOptions = {},
): Promise<{ scores: SpoofScore[]; failed: FileFailure[] }> {
  if (paths.length === 0) throw new Error('spoof score: no audio files given');
  if (o.emotionRun) requireUtteranceLevelRun(o.emotionRun, 'spoof scoring with emotions');
  const batch = o.batchSize ?? SCORE_BATCH;
  model.module.eval();
  const scores: SpoofScore[] = [];
  const failed: FileFailure[] = [];
  for (let i = 0; i < paths.length; i += batch) {
    const loaded = await loadAudioBatch(paths.slice(i, i + batch), { sampleRateHz: AASIST_SAMPLE_RATE_HZ });
    failed.push(...loaded.failed.map((f) => ({ path: f.path, reason: f.error.message })));
    const r = await settleBatch(
      loaded.ok,
      (xs) => {
        const logits = noGrad(() =>
          tidy(() =>
            model
              .forward(
                aasistBatch(
                  xs.map((x) => x.samples),
                  AASIST_SAMPLES,
                ),
                xs.map((x) => x.path),
              )
              .toFloat32(),
          ),
        );
        return xs.map((_, j): [number, number] => [logits[2 * j], logits[2 * j + 1]]);
      },
      (x) => x.path,
    );
    failed.push(...r.failed);
    for (const { item, result: l } of r.results) scores.push({ path: item.path, score: l[BONAFIDE_CLASS], logits: l });
    o.onProgress?.(scores.length + failed.length, paths.length);
  }
  if (o.emotionRun && scores.length > 0) {
    const { predictions, failed: emotionFailed } = await predictFiles(
      o.emotionRun,
      scores.map((s) => s.path),
      { minConfidence: o.minConfidence },
    );
    const byPath = new Map(predictions.map((p) => [p.path, p]));
    for (const s of scores) {
      const p = byPath.get(s.path);
      if (p) Object.assign(s, { emotion: p.label, ...(p.probs.length ? { emotionProb: Math.max(...p.probs) } : {}) });
    }
    failed.push(...emotionFailed.map((f) => ({ path: f.path, reason: `emotion: ${f.reason}` })));
  }
  return { scores, failed };
}

/** Scores as CSV: path, score, both logits, and emotion columns when present. */
export function scoresCsv(scores: readonly SpoofScore[]): string {
  const withEmotion = scores.some((s) => s.emotion !== undefined);
  return stringify(
    scores.map((s) => [s.path, s.score, s.logits[0], s.logits[1], ...(withEmotion ? [s.emotion ?? '', s.emotionProb ?? ''] : [])]),
    { header: true, columns: ['path', 'score', 'logit_spoof', 'logit_bonafide', ...(withEmotion ? ['emotion', 'emotion_prob'] : [])] },
  );
}

/** Writes {@link scoresCsv} atomically. */
export async function writeScores(path: string, scores: readonly SpoofScore[]): Promise<void> {
  await writeFileAtomic(path, scoresCsv(scores));
}
