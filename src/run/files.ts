/**
 * Reading and writing the run folder's files (names in layout.ts, schemas in schemas.ts). Every
 * read is validated (errors name the file and the field); every write is atomic.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { readJsonWith, writeFileAtomicSync } from '../core/index.js';
import type { Normalizer } from '../features/index.js';
import { loadRunConfig, type RunConfig } from './config.js';
import {
  BEST_FILE,
  CALIBRATION_FILE,
  CONFIG_FILE,
  METRICS_FILE,
  MODEL_INFO_FILE,
  NORM_FILE,
  RESULT_FILE,
  foldDir,
  foldIndexOf,
} from './layout.js';
import type { FoldResult, RunMetrics } from './results.js';
import {
  FoldCalibrationSchema,
  FoldModelInfoSchema,
  FoldResultSchema,
  NormalizerSchema,
  RunMetricsSchema,
  type FoldCalibration,
  type FoldModelInfo,
} from './schemas.js';

const json = (v: unknown, pretty = false) => (pretty ? JSON.stringify(v, null, 2) : JSON.stringify(v));

/** The run's configuration (errors name the folder when it is not a run directory). */
export function runConfig(runDir: string): RunConfig {
  const path = join(resolve(runDir), CONFIG_FILE);
  if (!existsSync(path)) throw new Error(`${resolve(runDir)}: not a trustser run directory (no ${CONFIG_FILE})`);
  if (/"task":\s*"dimensional"/.test(readFileSync(path, 'utf8')))
    throw new Error(
      `${resolve(runDir)}: a dimensional run (arousal/valence/dominance regression); this command takes categorical runs — use trustser evaluate, predict or audit with it`,
    );
  // Runs store absolute paths; older ones stored them as given, relative to where training ran.
  return loadRunConfig(path, process.cwd());
}

export function writeRunConfig(runDir: string, cfg: RunConfig): void {
  writeFileAtomicSync(join(runDir, CONFIG_FILE), json(cfg, true));
}

export function readFoldModelInfo(runDir: string, k: number): FoldModelInfo {
  return readJsonWith(join(foldDir(runDir, k), MODEL_INFO_FILE), FoldModelInfoSchema, "the fold's model description");
}

export function writeFoldModelInfo(runDir: string, k: number, info: FoldModelInfo): void {
  writeFileAtomicSync(join(foldDir(runDir, k), MODEL_INFO_FILE), json(info, true));
}

export function readNormalizer(runDir: string, k: number): Normalizer {
  return readJsonWith(join(foldDir(runDir, k), NORM_FILE), NormalizerSchema, "the fold's feature normalization");
}

export function writeNormalizer(runDir: string, k: number, n: Normalizer): void {
  writeFileAtomicSync(join(foldDir(runDir, k), NORM_FILE), json(n));
}

/**
 * A finished fold's record. Runs older than stored prediction paths get theirs from `pathOf`
 * (e.g. the corpus listing), else ''.
 */
export function readFoldResult(runDir: string, k: number, pathOf?: (id: string) => string | undefined): FoldResult {
  const r = readJsonWith(join(foldDir(runDir, k), RESULT_FILE), FoldResultSchema, "the fold's test results");
  return { ...r, predictions: r.predictions.map((p) => ({ ...p, path: p.path ?? pathOf?.(p.id) ?? '' })) };
}

export function writeFoldResult(runDir: string, k: number, r: FoldResult): void {
  writeFileAtomicSync(join(foldDir(runDir, k), RESULT_FILE), json(r));
}

/** fold-K/calibration.json, or null for a fold trained before calibration existed. */
export function readFoldCalibration(runDir: string, k: number): FoldCalibration | null {
  const path = join(foldDir(runDir, k), CALIBRATION_FILE);
  return existsSync(path) ? readJsonWith(path, FoldCalibrationSchema, "the fold's calibration") : null;
}

export function writeFoldCalibration(runDir: string, k: number, c: FoldCalibration): void {
  writeFileAtomicSync(join(foldDir(runDir, k), CALIBRATION_FILE), json(c, true));
}

/** Why a fold of a run trained before calibration existed reports uncalibrated probabilities. */
export const UNCALIBRATED_NOTE = 'not calibrated (trained before calibration existed)';

/** The temperature a fold's probabilities are scaled by, and whether one was fitted (else `note` says why). */
export interface FoldTemperature {
  fold: number;
  temperature: number;
  calibrated: boolean;
  note?: string;
}

/**
 * The temperature of fold `k`: its calibration.json's, or 1 for folds trained before
 * calibration existed (calibrated: false, with {@link UNCALIBRATED_NOTE}).
 */
export function foldTemperature(runDir: string, k: number): FoldTemperature {
  const c = readFoldCalibration(runDir, k);
  if (c === null) return { fold: k, temperature: 1, calibrated: false, note: UNCALIBRATED_NOTE };
  return { fold: k, temperature: c.temperature, calibrated: c.note === undefined, ...(c.note ? { note: c.note } : {}) };
}

/** metrics.json, or null while the run is not finished. */
export function readRunMetrics(runDir: string): RunMetrics | null {
  const path = join(runDir, METRICS_FILE);
  return existsSync(path) ? readJsonWith(path, RunMetricsSchema, "the run's metrics") : null;
}

export function writeRunMetrics(runDir: string, m: RunMetrics): void {
  writeFileAtomicSync(join(runDir, METRICS_FILE), json(m, true));
}

function folds(runDir: string, has: (k: number) => boolean): number[] {
  return readdirSync(runDir)
    .map(foldIndexOf)
    .filter((k): k is number => k !== null && has(k))
    .sort((a, b) => a - b);
}

/** Indices of the folds with a trained model (best weights and model.json). */
export function trainedFolds(runDir: string): number[] {
  return folds(runDir, (k) => existsSync(join(foldDir(runDir, k), BEST_FILE)) && existsSync(join(foldDir(runDir, k), MODEL_INFO_FILE)));
}

/** Indices of the folds with test results (result.json). */
export function finishedFolds(runDir: string): number[] {
  return folds(runDir, (k) => existsSync(join(foldDir(runDir, k), RESULT_FILE)));
}
