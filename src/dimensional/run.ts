/**
 * A dimensional run: corpus (ratings or proxies) → speaker-independent split → features → per
 * fold: feature and target z-normalization fitted on the fold's training set, a model with one
 * output per attribute, the regression loop, test predictions mapped back to the corpus' scale
 * → the run folder (files.ts). Re-running into the same folder resumes: finished folds are read,
 * an interrupted fold continues from its checkpoint exactly.
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join, resolve } from 'node:path';
import { removeStaleTemps } from '../core/index.js';
import { saveSplit, type Split } from '../data/index.js';
import { manualSeed, setNumThreads } from '../engine/index.js';
import { computeFeatures, fitNormalizer, normalize, type Features, type TaskRunner } from '../features/index.js';
import { meanStd, regressionMetrics } from '../metrics/index.js';
import { buildModel, inputGeometry, loadInitialWeights } from '../models/index.js';
import { CONFIG_FILE, RESULT_FILE, SPLIT_FILE, foldDir, makeRunSplit, writeNormalizer } from '../run/index.js';
import type { FoldProgress } from '../train/index.js';
import type { DimensionalConfig } from './config.js';
import {
  readDimensionalFoldResult,
  writeDimensionalConfig,
  writeDimensionalFoldResult,
  writeDimensionalMetrics,
  writeDimensionalModelInfo,
  writeTargetNorm,
  type DimensionalFoldResult,
  type DimensionalMetrics,
  type TargetNorm,
} from './files.js';
import { predictRegression, trainRegressionFold, type RegressionExample } from './loop.js';
import { listRatedUtterances, type RatedUtterance } from './utterances.js';

export interface DimensionalRunOptions {
  workers?: number;
  cacheDir?: string | null;
  log?: (line: string) => void;
  onProgress?: (fold: number, p: FoldProgress) => void;
  /** Where feature extraction runs (default: `workers` threads of this process). */
  runner?: TaskRunner;
}

/** Model input kinds a regression trains on. */
const REGRESSION_KINDS = new Set(['vector', 'frames', 'layers']);

/** Mean and population standard deviation of each target over `utts`. */
export function fitTargetNorm(cfg: DimensionalConfig, utts: readonly RatedUtterance[], fold: number): TargetNorm {
  const n = utts.length;
  const mean = cfg.targets.map((_, t) => utts.reduce((s, u) => s + u.targets[t], 0) / n);
  const std = cfg.targets.map((name, t) => {
    const sd = Math.sqrt(utts.reduce((s, u) => s + (u.targets[t] - mean[t]) ** 2, 0) / n);
    if (!(sd > 0)) throw new Error(`fold ${fold}: every training utterance has the same ${name} (${mean[t]}); a regression needs spread`);
    return sd;
  });
  return { targets: [...cfg.targets], mean, std };
}

/**
 * Trains (or resumes) a dimensional run into `outDir` and returns its metrics. Everything that
 * can be checked (config against an existing run, corpus and ratings, split, folds, features,
 * the model's fit to them, initial weights) is checked before the first byte is written.
 */
export async function trainDimensional(cfg: DimensionalConfig, outDir: string, o: DimensionalRunOptions = {}): Promise<DimensionalMetrics> {
  const log = o.log ?? (() => {});
  const dir = resolve(outDir);
  const cfgPath = join(dir, CONFIG_FILE);
  if (existsSync(cfgPath) && readFileSync(cfgPath, 'utf8') !== JSON.stringify(cfg, null, 2))
    throw new Error(`${cfgPath}: this run directory holds a different configuration; choose another --out (or delete it to start over)`);
  if (cfg.features.speakerNorm)
    throw new Error(
      'features.speakerNorm: not available for dimensional runs (it needs the test speakers’ audio); use corpus-level normalization',
    );
  setNumThreads(cfg.training.threads ?? availableParallelism());
  const t0 = performance.now();
  const { utterances, notes } = await listRatedUtterances(cfg);
  for (const n of notes) log(n);
  const splitPath = join(dir, SPLIT_FILE);
  const { split, isNew } = await makeRunSplit(cfg, utterances, splitPath);
  const folds = cfg.folds ?? split.folds.map((_, i) => i);
  for (const k of folds)
    if (k >= split.folds.length) throw new Error(`folds: fold ${k} does not exist (the split has ${split.folds.length})`);
  if (cfg.model.weights !== undefined && !existsSync(cfg.model.weights))
    throw new Error(`model.weights: ${cfg.model.weights}: no such file`);
  log(
    `${utterances.length} utterances with ${cfg.targets.join(', ')} (${cfg.attributes === 'proxy' ? 'proxy values from the classes' : 'corpus ratings'}), ${split.folds.length} folds`,
  );
  const byId = new Map(utterances.map((u) => [u.id, u]));
  const needed = [...new Set(folds.flatMap((k) => [...split.folds[k].train, ...split.folds[k].dev, ...split.folds[k].test]))].map(
    (id) => byId.get(id)!,
  );
  const feats = await computeFeatures(needed, cfg.features.set, cfg.features.overrides, {
    workers: o.workers,
    cacheDir: o.cacheDir,
    runner: o.runner,
  });
  log(`features '${cfg.features.set}' ready for ${feats.size} utterances`);
  inputGeometry(cfg.model.name, feats.get(needed[0].id)!, cfg.features); // the model takes these features

  mkdirSync(dir, { recursive: true });
  removeStaleTemps(dir);
  writeDimensionalConfig(dir, cfg);
  if (isNew) await saveSplit(splitPath, split, utterances);
  const results: DimensionalFoldResult[] = [];
  for (const k of folds) {
    const r = existsSync(join(foldDir(dir, k), RESULT_FILE))
      ? readDimensionalFoldResult(dir, k)
      : await trainFold(cfg, split, k, byId, feats, dir, o);
    const cell = cfg.targets.map((t) => `${t} ${r.test[t] ? r.test[t]!.ccc.toFixed(3) : '—'}`).join(', ');
    log(`fold ${k} (${split.folds[k].name}): test CCC ${cell} (best epoch ${r.bestEpoch})`);
    results.push(r);
  }
  const metrics = summarizeDimensional(cfg, results, (performance.now() - t0) / 1000);
  writeDimensionalMetrics(dir, metrics);
  return metrics;
}

async function trainFold(
  cfg: DimensionalConfig,
  split: Split,
  k: number,
  byId: Map<string, RatedUtterance>,
  feats: Map<string, Features>,
  dir: string,
  o: DimensionalRunOptions,
): Promise<DimensionalFoldResult> {
  const fold = split.folds[k];
  const part = (ids: string[]) => ids.map((id) => byId.get(id)!);
  const [train, dev, test] = [part(fold.train), part(fold.dev), part(fold.test)];
  const fdir = foldDir(dir, k);
  mkdirSync(fdir, { recursive: true });
  const norm = fitNormalizer(train.map((u) => feats.get(u.id)!));
  const tnorm = fitTargetNorm(cfg, train, k);
  writeNormalizer(dir, k, norm);
  writeTargetNorm(dir, k, tnorm);
  const geometry = inputGeometry(cfg.model.name, feats.get(train[0].id)!, cfg.features);
  // Initial weights depend only on (seed, fold), not on what ran before in this process.
  manualSeed(cfg.training.seed * 7919 + k);
  const model = buildModel(cfg.model, cfg.targets.length, geometry);
  if (!REGRESSION_KINDS.has(model.inputKind))
    throw new Error(`model.name: '${cfg.model.name}' takes ${model.inputKind} inputs, which a dimensional run cannot train`);
  writeDimensionalModelInfo(dir, k, {
    model: cfg.model,
    targets: [...cfg.targets],
    geometry,
    inputKind: model.inputKind as 'vector' | 'frames' | 'layers',
  });
  if (cfg.model.weights) await loadInitialWeights(model, cfg.model.weights);
  const examples = (us: RatedUtterance[]): RegressionExample[] =>
    us.map((u) => ({
      features: normalize(feats.get(u.id)!, norm),
      targets: Float32Array.from(u.targets, (v, t) => (v - tnorm.mean[t]) / tnorm.std[t]),
    }));
  const data = { train: examples(train), dev: examples(dev), kind: model.inputKind, maxFrames: cfg.features.maxFrames };
  const r = await trainRegressionFold(model, data, cfg.training, fdir, k, { onProgress: (p) => o.onProgress?.(k, p) });
  const raw = predictRegression(model, examples(test), model.inputKind, cfg.features.maxFrames, cfg.training.batchSize);
  model.dispose();
  const predictions = test.map((u, i) => ({
    id: u.id,
    path: u.path,
    speaker: u.speaker,
    truth: [...u.targets],
    pred: Array.from(raw[i], (z, t) => z * tnorm.std[t] + tnorm.mean[t]),
  }));
  const result: DimensionalFoldResult = {
    fold: k,
    name: fold.name,
    targets: [...cfg.targets],
    bestEpoch: r.bestEpoch,
    devCcc: r.devCcc,
    test: scoredTargets(cfg, predictions),
    predictions,
    history: r.history,
  };
  writeDimensionalFoldResult(dir, k, result);
  return result;
}

/** CCC / r / RMSE per target of `predictions` (none when there are fewer than two). */
function scoredTargets(cfg: DimensionalConfig, predictions: DimensionalFoldResult['predictions']): DimensionalFoldResult['test'] {
  if (predictions.length < 2) return {};
  return Object.fromEntries(
    cfg.targets.map((t, i) => [
      t,
      regressionMetrics(
        predictions.map((p) => p.truth[i]),
        predictions.map((p) => p.pred[i]),
      ),
    ]),
  );
}

/** Per-fold CCC, mean ± std over folds of CCC / r / RMSE per target, and metrics of all test predictions pooled. */
export function summarizeDimensional(cfg: DimensionalConfig, results: DimensionalFoldResult[], trainSeconds: number): DimensionalMetrics {
  const scored = results.filter((r) => Object.keys(r.test).length > 0);
  const over = (key: 'ccc' | 'pearson' | 'rmse') =>
    Object.fromEntries(cfg.targets.map((t) => [t, meanStd(scored.map((r) => r.test[t]![key]))]));
  return {
    task: 'dimensional',
    attributes: cfg.attributes,
    targets: [...cfg.targets],
    folds: results.map((r) => ({
      fold: r.fold,
      name: r.name,
      bestEpoch: r.bestEpoch,
      devCcc: r.devCcc,
      ccc: cfg.targets.map((t) => r.test[t]?.ccc ?? Number.NaN),
    })),
    ccc: over('ccc'),
    pearson: over('pearson'),
    rmse: over('rmse'),
    pooled: scoredTargets(
      cfg,
      results.flatMap((r) => r.predictions),
    ),
    trainSeconds,
  };
}
