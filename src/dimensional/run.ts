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
import { listInputFiles } from '../audio/index.js';
import { removeStaleTemps } from '../core/index.js';
import { saveSplit } from '../data/index.js';
import { setNumThreads } from '../engine/index.js';
import { computeFeatures, type TaskRunner } from '../features/index.js';
import { meanStd } from '../metrics/index.js';
import { inputGeometry } from '../models/index.js';
import { CONFIG_FILE, RESULT_FILE, SPLIT_FILE, foldDir, makeRunSplit } from '../run/index.js';
import type { FoldProgress } from '../train/index.js';
import type { DimensionalConfig } from './config.js';
import { readDeepMi } from './curriculum.js';
import {
  readDimensionalFoldResult,
  writeDimensionalConfig,
  writeDimensionalMetrics,
  type DimensionalFoldResult,
  type DimensionalMetrics,
} from './files.js';
import { trainFold } from './fold.js';
import { scoredTargets } from './targets.js';
import { listRatedUtterances } from './utterances.js';

export interface DimensionalRunOptions {
  workers?: number;
  cacheDir?: string | null;
  log?: (line: string) => void;
  onProgress?: (fold: number, p: FoldProgress) => void;
  /** Where feature extraction runs (default: `workers` threads of this process). */
  runner?: TaskRunner;
}

/** Prefix of the feature ids of unlabelled files (never an utterance id). */
const UNLABELLED_ID_PREFIX = 'unlabelled:';

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
  const deepMiOf = cfg.curriculum?.metrics ? new Map(folds.map((k) => [k, readDeepMi(cfg.curriculum!.metrics!, k)])) : null;
  const unlabelled = cfg.method === 'deep-emo-cluster' ? await listUnlabelled(cfg.cluster.unlabelled) : [];
  const feats = await computeFeatures([...needed, ...unlabelled], cfg.features.set, cfg.features.overrides, {
    workers: o.workers,
    cacheDir: o.cacheDir,
    runner: o.runner,
  });
  log(
    `features '${cfg.features.set}' ready for ${needed.length} utterances${unlabelled.length ? ` and ${unlabelled.length} unlabelled files` : ''}`,
  );
  // The model takes these features (DeepEmoCluster: one vector per utterance, as mlp).
  inputGeometry(cfg.method === 'deep-emo-cluster' ? 'mlp' : cfg.model.name, feats.get(needed[0].id)!, cfg.features);

  mkdirSync(dir, { recursive: true });
  removeStaleTemps(dir);
  writeDimensionalConfig(dir, cfg);
  if (isNew) await saveSplit(splitPath, split, utterances);
  const results: DimensionalFoldResult[] = [];
  for (const k of folds) {
    const r = existsSync(join(foldDir(dir, k), RESULT_FILE))
      ? readDimensionalFoldResult(dir, k)
      : await trainFold(cfg, split, k, byId, feats, dir, {
          onProgress: (p) => o.onProgress?.(k, p),
          unlabelled: unlabelled.map((u) => feats.get(u.id)!),
          metric: deepMiOf?.get(k) ?? null,
        });
    const cell = cfg.targets.map((t) => `${t} ${r.test[t] ? r.test[t]!.ccc.toFixed(3) : '—'}`).join(', ');
    log(`fold ${k} (${split.folds[k].name}): test CCC ${cell} (best epoch ${r.bestEpoch})`);
    results.push(r);
  }
  const metrics = summarizeDimensional(cfg, results);
  writeDimensionalMetrics(dir, metrics);
  return metrics;
}

/** The unlabelled pool's files (folders and CSV manifests) as feature items, ids kept apart from the corpus'. */
async function listUnlabelled(inputs: readonly string[]): Promise<{ id: string; path: string }[]> {
  if (inputs.length === 0) return [];
  const files = await listInputFiles([...inputs]);
  if (files.length === 0) throw new Error(`cluster.unlabelled: no audio files in ${inputs.join(', ')}`);
  return files.map((path) => ({ id: `${UNLABELLED_ID_PREFIX}${path}`, path }));
}

/** Per-fold CCC, mean ± std over folds of CCC / r / RMSE per target, and metrics of all test predictions pooled. */
export function summarizeDimensional(cfg: DimensionalConfig, results: DimensionalFoldResult[]): DimensionalMetrics {
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
    // The epochs' wall time (training, dev scoring, checkpoints), the same however often the run was resumed.
    trainSeconds: results.reduce((sum, r) => sum + r.history.reduce((s2, e) => s2 + e.seconds, 0), 0),
  };
}
