/**
 * Scoring audio files with a countermeasure: one bona fide score per file (the bona fide logit,
 * as in the published evaluation; higher = more bona fide), optionally with the emotion a trained
 * SER run predicts for the same file (`trustser analyze`).
 */
import { stringify } from 'csv-stringify/sync';
import { loadAudio } from '../audio/index.js';
import { noGrad, tidy } from '../torch/index.js';
import { AASIST_SAMPLES, AASIST_SAMPLE_RATE_HZ, BONAFIDE_CLASS, aasistBatch } from '../models/aasist/index.js';
import { predictFiles, requireUtteranceLevelRun } from '../train/predict.js';
import { writeFileAtomic } from '../util/atomic.js';
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
  /** Emotion predicted by the SER run, with its probability (when one was given). */
  emotion?: string;
  emotionProb?: number;
}

/** Options of {@link scoreFiles}. */
export interface ScoreOptions {
  batchSize?: number;
  /** SER run directory whose ensemble predicts each file's emotion. */
  emotionRun?: string;
  onProgress?: (done: number, total: number) => void;
}

/** Scores `paths` in eval mode (each clip fitted to 64,600 samples as the published evaluation does). */
export async function scoreFiles(model: SpoofModel, paths: readonly string[], o: ScoreOptions = {}): Promise<SpoofScore[]> {
  if (paths.length === 0) throw new Error('spoof score: no audio files given');
  if (o.emotionRun) requireUtteranceLevelRun(o.emotionRun, 'spoof scoring with emotions');
  const batch = o.batchSize ?? SCORE_BATCH;
  model.module.eval();
  const out: SpoofScore[] = [];
  for (let i = 0; i < paths.length; i += batch) {
    const part = paths.slice(i, i + batch);
    const clips = await Promise.all(part.map(async (p) => (await loadAudio(p, { sampleRateHz: AASIST_SAMPLE_RATE_HZ })).samples));
    const logits = noGrad(() => tidy(() => model.forward(aasistBatch(clips, AASIST_SAMPLES), part).toFloat32()));
    part.forEach((p, j) => {
      const l: [number, number] = [logits[2 * j], logits[2 * j + 1]];
      out.push({ path: p, score: l[BONAFIDE_CLASS], logits: l });
    });
    o.onProgress?.(out.length, paths.length);
  }
  if (o.emotionRun) {
    const { predictions } = await predictFiles(o.emotionRun, [...paths]);
    predictions.forEach((p, j) => {
      out[j].emotion = p.label;
      out[j].emotionProb = Math.max(...p.probs);
    });
  }
  return out;
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
