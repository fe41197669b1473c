/**
 * Scoring audio files with a countermeasure: one bona fide score per file (the bona fide logit,
 * as in the published evaluation, of the file's windows aggregated; higher = more bona fide), optionally with the emotion a trained
 * SER run predicts for the same file (`trustser analyze`).
 */
import { stringify } from 'csv-stringify/sync';
import { loadAudioBatch } from '../audio/index.js';
import { noGrad, tensor, tidy } from '../engine/index.js';
import {
  AASIST_SAMPLES,
  AASIST_SAMPLE_RATE_HZ,
  BONAFIDE_CLASS,
  resolveWindowing,
  scoreInWindows,
  spoofInput,
  type SpoofWindowing,
  windowedSummary,
} from '../models/index.js';
import { predictFiles, requireUtteranceLevelRun } from '../run/index.js';
import { spoofProbability, spoofVerdictAt, type SpoofCalibration } from '../metrics/index.js';
import { writeFileAtomic } from '../core/index.js';
import { settleBatch, type FileFailure } from '../core/pure.js';
import type { SpoofModel } from './model.js';

/** Files scored per forward pass. */
export const SCORE_BATCH = 8;

/** One scored file. */
export interface SpoofScore {
  path: string;
  /** Bona fide logit of the aggregated windows: higher = more bona fide. */
  score: number;
  /** Aggregated logits [spoof, bona fide]. */
  logits: [number, number];
  /** Windows of the model's input length scored. */
  windows: number;
  /** Length of the file (s, at the model's rate). */
  seconds: number;
  /** Audio some window covered (s): the whole file unless the hop skips some. */
  scoredSeconds: number;
  /** Emotion predicted by the SER run, with its calibrated probability (when one was given); `unknown` below `minConfidence`. */
  emotion?: string;
  emotionProb?: number;
}

/** Options of {@link scoreFiles}: batching, windowing, emotions. */
export interface ScoreOptions extends SpoofWindowing {
  /** Files decoded and windows scored at a time (default {@link SCORE_BATCH}). */
  batchSize?: number;
  /** SER run directory whose ensemble predicts each file's emotion. */
  emotionRun?: string;
  /** With `emotionRun`: the emotion is `unknown` when its calibrated probability is below this (0–1; default 0: off). */
  minConfidence?: number;
  onProgress?: (done: number, total: number) => void;
}

/**
 * Scores `paths` in eval mode, each whole file in windows of the model's 64,600 samples
 * (4.04 s; default hop one window, the last window ending at the file's end; a shorter file is
 * tiled as the published evaluation does), the windows' logits aggregated (default their
 * mean). A file that cannot be read or scored is listed in `failed` with its reason while the
 * others are scored.
 * @throws Error for bad windowing options or no files, before anything is read.
 */
export async function scoreFiles(
  model: SpoofModel,
  paths: readonly string[],
  o: ScoreOptions = {},
): Promise<{ scores: SpoofScore[]; failed: FileFailure[] }> {
  if (paths.length === 0) throw new Error('spoof score: no audio files given');
  const windowing = resolveWindowing(o, AASIST_SAMPLES);
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
      (xs) =>
        scoreInWindows(
          xs.map((x) => spoofInput(x.samples, AASIST_SAMPLE_RATE_HZ, model.vad)),
          AASIST_SAMPLES,
          windowing,
          batch,
          (wave, rows, owners) =>
            noGrad(() =>
              tidy(() =>
                model
                  .forward(
                    tensor(wave, [rows, AASIST_SAMPLES]),
                    owners.map((k) => xs[k].path),
                  )
                  .toFloat32(),
              ),
            ),
          xs.map((x) => x.path),
        ),
      (x) => x.path,
    );
    failed.push(...r.failed);
    for (const { item, result } of r.results)
      scores.push({
        path: item.path,
        score: result.logits[BONAFIDE_CLASS],
        ...windowedSummary(result, item.samples.length, AASIST_SAMPLE_RATE_HZ),
      });
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

/**
 * Scores as CSV: path, score, both logits, the windows and seconds scored; with a `calibration`,
 * P(spoof) and the verdict at its threshold; emotion columns when present.
 */
export function scoresCsv(scores: readonly SpoofScore[], calibration?: SpoofCalibration): string {
  const withEmotion = scores.some((s) => s.emotion !== undefined);
  const s3 = (x: number) => Number(x.toFixed(3));
  return stringify(
    scores.map((s) => [
      s.path,
      s.score,
      s.logits[0],
      s.logits[1],
      s.windows,
      s3(s.seconds),
      s3(s.scoredSeconds),
      ...(calibration ? [spoofProbability(calibration, s.score), spoofVerdictAt(calibration, s.score)] : []),
      ...(withEmotion ? [s.emotion ?? '', s.emotionProb ?? ''] : []),
    ]),
    {
      header: true,
      columns: [
        'path',
        'score',
        'logit_spoof',
        'logit_bonafide',
        'windows',
        'duration_s',
        'scored_s',
        ...(calibration ? ['p_spoof', 'verdict'] : []),
        ...(withEmotion ? ['emotion', 'emotion_prob'] : []),
      ],
    },
  );
}

/** Writes {@link scoresCsv} atomically. */
export async function writeScores(path: string, scores: readonly SpoofScore[], calibration?: SpoofCalibration): Promise<void> {
  await writeFileAtomic(path, scoresCsv(scores, calibration));
}
