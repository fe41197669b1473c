/**
 * Prediction with a trained run over audio files: the ensemble of its folds (or one fold) on
 * calibrated posteriors, with the speech check, speaker enrollment for speaker-normalized runs,
 * the low-confidence label, and per-file failures.
 */
import { resolve } from 'node:path';
import { loadAudioBatch, speechActivity } from '../audio/index.js';
import { settleBatch, type FileFailure } from '../core/index.js';
import { getFeatureSet } from '../features/index.js';
import { UNKNOWN_LABEL, checkMinConfidence, confidentLabel } from '../metrics/index.js';
import { runConfig, trainedFolds, type FoldTemperature } from './files.js';
import { loadFold, type TrainedFold } from './fold.js';

/** Label of a file without speech (silence, low-level noise, too short): no emotion is given. */
export const NO_SPEECH_LABEL = 'no-speech';

export interface FilePrediction {
  path: string;
  /** Class probabilities, in `classes` order; empty when the file holds no speech. */
  probs: number[];
  /** The most probable class, {@link UNKNOWN_LABEL} when it is below the confidence threshold, or {@link NO_SPEECH_LABEL}. */
  label: string;
  /** Why the file got no emotion (absent when it holds speech). */
  noSpeech?: string;
}

/** The prediction of a file without speech. */
export function noSpeechPrediction(path: string, reason: string): FilePrediction {
  return { path, probs: [], label: NO_SPEECH_LABEL, noSpeech: reason };
}

/**
 * Predicts the emotion of each file with the run in `runDir` (all folds averaged, or one). A file
 * that cannot be read or analyzed is listed in `failed` with its reason while the others are
 * predicted; a file without speech gets {@link NO_SPEECH_LABEL}. Each fold's posteriors are
 * calibrated with its temperature before the mean (`temperatures` lists them; folds trained
 * before calibration existed have T = 1 and say so). With `minConfidence`, a file whose top
 * probability is below it is labelled {@link UNKNOWN_LABEL}. Speaker-normalized runs enroll each
 * speaker from the given files: `speakerOf(path)` names a file's speaker (default: all files are
 * one speaker).
 */
export async function predictFiles(
  runDir: string,
  paths: string[],
  o: {
    fold?: number;
    speakerOf?: (path: string) => string;
    /** 'target': feature statistics from the given files themselves (corpus-level adaptation, see TrainedFold.adaptToTarget). */
    normalization?: 'training' | 'target';
    /** Top probability below which the label is {@link UNKNOWN_LABEL} (0–1; default 0: off). */
    minConfidence?: number;
  } = {},
): Promise<{ classes: string[]; predictions: FilePrediction[]; failed: FileFailure[]; temperatures: FoldTemperature[] }> {
  const minConfidence = checkMinConfidence(o.minConfidence ?? 0, 'minConfidence');
  const dir = resolve(runDir);
  const cfg = runConfig(dir);
  const folds = trainedFolds(dir).filter((k) => o.fold === undefined || k === o.fold);
  if (folds.length === 0) throw new Error(`${dir}: no trained fold${o.fold === undefined ? '' : ` ${o.fold}`} (fold-K/best.safetensors)`);
  const rate = getFeatureSet(cfg.features.set, cfg.features.overrides).sampleRateHz;
  const loaded = await loadAudioBatch(paths, { sampleRateHz: rate });
  const failed: FileFailure[] = loaded.failed.map((f) => ({ path: f.path, reason: f.error.message }));
  const silent = new Map<string, string>();
  let items = loaded.ok.flatMap(({ path, samples }) => {
    const a = speechActivity(samples, rate);
    if (!a.detected) silent.set(path, a.reason!);
    return a.detected ? [{ path, samples, speaker: o.speakerOf?.(path) ?? SINGLE_SPEAKER }] : [];
  });
  let classes: string[] = [];
  const temperatures: FoldTemperature[] = [];
  const sums = new Map<string, number[]>();
  for (const k of folds) {
    const fp = await loadFold(dir, k);
    classes = fp.classes;
    temperatures.push(fp.calibration);
    if (fp.speakerNorm)
      await enrollAll(
        fp,
        items.map((it) => it.samples),
        items.map((it) => it.speaker),
      );
    if (o.normalization === 'target')
      await fp.adaptToTarget(
        items.map((it) => it.samples),
        items.map((it) => it.speaker),
      );
    const r = await settleBatch(
      items,
      (xs) =>
        fp.predict(
          xs.map((x) => x.samples),
          xs.map((x) => x.speaker),
        ),
      (x) => x.path,
    );
    fp.dispose();
    failed.push(...r.failed);
    items = r.results.map((x) => x.item);
    for (const { item, result } of r.results) {
      const acc = sums.get(item.path);
      sums.set(item.path, acc ? acc.map((v, c) => v + result[c]) : [...result]);
    }
  }
  const kept = new Set(items.map((it) => it.path));
  const predictions = paths.flatMap((path): FilePrediction[] => {
    if (silent.has(path)) return [noSpeechPrediction(path, silent.get(path)!)];
    if (!kept.has(path)) return [];
    const probs = sums.get(path)!.map((v) => v / folds.length);
    return [{ path, probs, label: confidentLabel(classes, probs, minConfidence) }];
  });
  const failedAt = new Map(failed.map((f) => [f.path, f]));
  return { classes, predictions, failed: paths.flatMap((p) => failedAt.get(p) ?? []), temperatures };
}

/** Speaker name of every file when `predictFiles` is given no `speakerOf`. */
export const SINGLE_SPEAKER = 'speaker';

/** Enrolls every speaker of `speakers` from their signals (errors name the speakers with too few). */
export async function enrollAll(fp: TrainedFold, signals: Float32Array[], speakers: string[]): Promise<void> {
  const groups = new Map<string, Float32Array[]>();
  signals.forEach((x, i) => {
    const g = groups.get(speakers[i]);
    if (g) g.push(x);
    else groups.set(speakers[i], [x]);
  });
  for (const [speaker, xs] of groups) await fp.enroll(speaker, xs);
}

/**
 * Refuses speaker-normalized runs where no speaker enrollment exists (`what` names the use, e.g.
 * 'ONNX export'): their models expect features standardized with each speaker's statistics.
 */
export function requireUtteranceLevelRun(runDir: string, what: string): void {
  if (runConfig(runDir).features.speakerNorm) {
    throw new Error(
      `${resolve(runDir)}: ${what} cannot use this run: it normalizes features per speaker (features.speakerNorm) and ${what} has no speaker enrollment; train a run without speakerNorm for it`,
    );
  }
}
