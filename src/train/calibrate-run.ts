/**
 * Calibration of a finished run after the fact: each fold's temperature fitted on its dev set,
 * as training does at the end of a fold — for runs trained before calibration existed, or to
 * fit again. The dev utterances are predicted by the fold's best model exactly as `predict`
 * predicts files (speaker-normalized runs enroll each dev speaker from their dev utterances, as
 * training normalized them).
 */
import { join, resolve } from 'node:path';
import { loadAudioBatch } from '../audio/index.js';
import { temperatureScale } from '../metrics/index.js';
import {
  SPLIT_FILE,
  enrollAll,
  finishedFolds,
  listRunUtterances,
  loadFold,
  makeRunSplit,
  readFoldCalibration,
  readFoldResult,
  runConfig,
  writeFoldCalibration,
  writeFoldResult,
  type FoldCalibration,
} from '../run/index.js';
import { calibrateFold } from './calibrate.js';

export interface CalibrateRunOptions {
  /** Fit folds that already have a temperature again (default: only the folds without one). */
  force?: boolean;
  /** One line per fold. */
  log?: (line: string) => void;
  /** Where a synthetic corpus is kept (default: the feature cache); as given to trainRun. */
  cacheDir?: string | null;
}

/** What happened to one fold. */
export interface FoldCalibrationOutcome {
  fold: number;
  /** The fold's calibration (fitted now, or kept). */
  calibration: FoldCalibration;
  fitted: boolean;
}

/**
 * Fits the temperature of every finished fold of the run in `runDir` on its dev utterances and
 * writes fold-K/calibration.json (and the temperature into fold-K/result.json, whose posteriors
 * stay raw). Folds that already have one are kept unless `force`.
 * @throws Error when the directory holds no finished fold, or a dev file cannot be read.
 */
export async function calibrateRun(runDir: string, o: CalibrateRunOptions = {}): Promise<FoldCalibrationOutcome[]> {
  const dir = resolve(runDir);
  const cfg = runConfig(dir);
  const folds = finishedFolds(dir);
  if (folds.length === 0) throw new Error(`${dir}: no finished fold to calibrate (fold-K/result.json); finish training first`);
  const { utterances } = await listRunUtterances(cfg, o.cacheDir);
  const byId = new Map(utterances.map((u) => [u.id, u]));
  const { split } = await makeRunSplit(cfg, utterances, join(dir, SPLIT_FILE));
  const out: FoldCalibrationOutcome[] = [];
  for (const k of folds) {
    const kept = readFoldCalibration(dir, k);
    if (kept && !o.force) {
      out.push({ fold: k, calibration: kept, fitted: false });
      continue;
    }
    const dev = split.folds[k].dev.map((id) => byId.get(id)!);
    const fold = await loadFold(dir, k);
    try {
      const loaded = await loadAudioBatch(
        dev.map((u) => u.path),
        { sampleRateHz: fold.sampleRateHz },
      );
      if (loaded.failed.length > 0)
        throw new Error(
          `fold ${k}: ${loaded.failed.length} dev file(s) cannot be read: ${loaded.failed.map((f) => f.error.message).join('; ')}`,
        );
      const signals = loaded.ok.map((r) => r.samples);
      const speakers = dev.map((u) => u.speaker);
      if (fold.speakerNorm) await enrollAll(fold, signals, speakers);
      // predict applies the fold's current temperature; scaling by its inverse gives the model's own posteriors back.
      const scaled = await fold.predict(signals, speakers);
      const raw = fold.temperature === 1 ? scaled : temperatureScale(scaled, 1 / fold.temperature);
      const calibration = calibrateFold(
        raw,
        dev.map((u) => u.label),
      );
      writeFoldCalibration(dir, k, calibration);
      writeFoldResult(dir, k, { ...readFoldResult(dir, k), temperature: calibration.temperature });
      out.push({ fold: k, calibration, fitted: true });
    } finally {
      fold.dispose();
    }
  }
  for (const r of out) {
    const c = r.calibration;
    const f = (x: number | null) => (x === null ? '—' : x.toFixed(3));
    o.log?.(
      `fold ${r.fold}: T = ${c.temperature.toFixed(3)}${r.fitted ? '' : ' (kept)'} — dev NLL ${f(c.devNll.before)} → ${f(c.devNll.after)}, ECE ${f(c.devEce.before)} → ${f(c.devEce.after)} on ${c.devUtterances} utterances${c.note ? ` (${c.note})` : ''}`,
    );
  }
  return out;
}
