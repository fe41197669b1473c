/**
 * A training run: corpus → speaker-independent split → features → per fold: normalization,
 * model, training, test predictions → run directory:
 *   config.json (resolved), split.json, log.jsonl, fold-K/{best,checkpoint}.safetensors, fold-K/norm.json,
 *   fold-K/result.json (test predictions and metrics), metrics.json (per fold and mean ± std).
 * Re-running into the same directory resumes: finished folds are skipped, an interrupted fold
 * continues from its last checkpoint exactly, and temporary files a kill left behind are removed.
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join, resolve } from 'node:path';
import { classificationMetrics, meanStd } from '../metrics/index.js';
import { manualSeed, setNumThreads } from '../engine/index.js';
import { removeStaleTemps, writeFileAtomicSync } from '../core/index.js';
import type { RunConfig } from '../run/index.js';
import { computeFeatures, fitNormalizer, normalize, speakerNormalize, type Features, type Normalizer } from '../features/index.js';
import { trainFold, type EpochRecord, type FoldProgress } from './loop.js';
import { argmax } from '../core/index.js';
import {
  buildModel,
  inputGeometry,
  isMultitask,
  loadInitialWeights,
  makeExamples,
  predictUtterances,
  type AuxTargets,
} from '../models/index.js';
import { classWeights } from './sampling.js';
import { SerModelBase } from '../models/index.js';
import {
  CONFIG_FILE,
  LOG_FILE,
  RESULT_FILE,
  SPLIT_FILE,
  foldDir,
  listRunUtterances,
  makeRunSplit,
  readFoldResult,
  writeFoldModelInfo,
  writeFoldResult,
  writeNormalizer,
  writeRunConfig,
  writeRunMetrics,
  type FoldResult,
  type LabelledUtterance,
  type Prediction,
  type RunMetrics,
} from '../run/index.js';
import { saveSplit, type Split } from '../data/index.js';

export interface RunOptions {
  workers?: number;
  cacheDir?: string | null;
  log?: (line: string) => void;
  onProgress?: (fold: number, p: FoldProgress) => void;
}

function checkConfigMatches(dir: string, cfg: RunConfig): void {
  const path = join(dir, CONFIG_FILE);
  if (!existsSync(path)) return;
  const prev = readFileSync(path, 'utf8');
  if (prev !== JSON.stringify(cfg, null, 2)) {
    throw new Error(`${path}: this run directory holds a different configuration; choose another --out (or delete it to start over)`);
  }
}

/**
 * Trains (or resumes) a run into `outDir`; returns the run's metrics. Everything that can be
 * checked is checked before the first byte is written to `outDir` (corpus listing, split, folds,
 * features, the model's fit to them, initial weights), so a failed start leaves no run folder
 * behind and the corrected re-run is not refused as a different configuration.
 */
export async function trainRun(cfg: RunConfig, outDir: string, o: RunOptions = {}): Promise<RunMetrics> {
  const dir = resolve(outDir);
  const log = o.log ?? (() => {});
  checkConfigMatches(dir, cfg);
  setNumThreads(cfg.training.threads ?? availableParallelism());

  const { utterances, classes } = await listRunUtterances(cfg, o.cacheDir);
  const splitPath = join(dir, SPLIT_FILE);
  const { split, isNew } = await makeRunSplit(cfg, utterances, splitPath);
  const folds = cfg.folds ?? split.folds.map((_, i) => i);
  for (const k of folds)
    if (k >= split.folds.length) throw new Error(`folds: fold ${k} does not exist (the split has ${split.folds.length})`);
  if (cfg.model.weights !== undefined && !existsSync(cfg.model.weights))
    throw new Error(`model.weights: ${cfg.model.weights}: no such file`);
  log(`${utterances.length} utterances, ${classes.length} classes (${classes.join(', ')}), ${split.folds.length} folds`);

  const byId = new Map(utterances.map((u) => [u.id, u]));
  const needed = [...new Set(split.folds.flatMap((f) => [...f.train, ...f.dev, ...f.test]))].map((id) => byId.get(id)!);
  const t0 = performance.now();
  const raw = await computeFeatures(needed, cfg.features.set, cfg.features.overrides, { workers: o.workers, cacheDir: o.cacheDir });
  log(`features '${cfg.features.set}' ready for ${raw.size} utterances (${((performance.now() - t0) / 1000).toFixed(1)} s)`);
  const feats = cfg.features.speakerNorm ? speakerNormalize(needed, raw) : raw;
  if (cfg.features.speakerNorm) log(`features normalized per speaker (${new Set(needed.map((u) => u.speaker)).size} speakers)`);
  inputGeometry(cfg.model.name, feats.get(needed[0].id)!, cfg.features); // the model takes these features

  mkdirSync(dir, { recursive: true });
  removeStaleTemps(dir);
  writeRunConfig(dir, cfg);
  if (isNew) await saveSplit(splitPath, split, utterances);
  const results: FoldResult[] = [];
  for (const k of folds) {
    results.push(
      await runFold(cfg, split, k, utterances, classes, feats, dir, o, (history) => rewriteLog(join(dir, LOG_FILE), k, history, folds)),
    );
    log(
      `fold ${k} (${split.folds[k].name}): test UA ${(100 * results.at(-1)!.test.ua).toFixed(1)} %, WA ${(100 * results.at(-1)!.test.wa).toFixed(1)} %`,
    );
  }
  const metrics = summarize(results, classes, trainingSeconds(join(dir, LOG_FILE)));
  writeRunMetrics(dir, metrics);
  return metrics;
}

async function runFold(
  cfg: RunConfig,
  split: Split,
  k: number,
  utterances: LabelledUtterance[],
  classes: string[],
  feats: Map<string, Features>,
  dir: string,
  o: RunOptions,
  onEpoch: (history: EpochRecord[]) => void,
): Promise<FoldResult> {
  const fdir = foldDir(dir, k);
  if (existsSync(join(fdir, RESULT_FILE))) return readFoldResult(dir, k);
  mkdirSync(fdir, { recursive: true });
  const fold = split.folds[k];
  const byId = new Map(utterances.map((u) => [u.id, u]));
  const part = (ids: string[]) => ids.map((id) => byId.get(id)!);
  const train = part(fold.train),
    dev = part(fold.dev),
    test = part(fold.test);
  const norm: Normalizer = fitNormalizer(train.map((u) => feats.get(u.id)!));
  writeNormalizer(dir, k, norm);
  const seg = { frames: cfg.features.segmentFrames, hop: cfg.features.segmentHopFrames };
  const geometry = inputGeometry(cfg.model.name, feats.get(train[0].id)!, cfg.features);
  // Initial weights depend only on (seed, fold), not on what ran before in this process.
  manualSeed(cfg.training.seed * 7919 + k);
  const model = buildModel(cfg.model, classes.length, geometry);
  const weights =
    cfg.training.balance === 'weights'
      ? classWeights(
          train.map((u) => u.label),
          classes.length,
        )
      : null;
  if (model instanceof SerModelBase) {
    model.lossOptions = {
      ...model.lossOptions,
      labelSmoothing: cfg.training.labelSmoothing,
      ...(weights ? { classWeights: Array.from(weights) } : {}),
    };
  }
  writeFoldModelInfo(dir, k, { model: cfg.model, classes, geometry, describe: { ...model.describe() } });
  if (cfg.model.weights) await loadInitialWeights(model, cfg.model.weights);
  const aux = isMultitask(model) ? auxTargets(utterances, model.numRaces) : null;
  const examples = (us: LabelledUtterance[]) =>
    makeExamples(
      us.map((u) => normalize(feats.get(u.id)!, norm)),
      us.map((u) => u.label),
      model.inputKind,
      seg,
      aux ? us.map((u) => aux(u)) : undefined,
    );
  const data = {
    train: examples(train),
    dev: examples(dev),
    numClasses: classes.length,
    kind: model.inputKind,
    maxFrames: cfg.features.maxFrames,
    classWeights: weights,
  };
  const r = await trainFold(model, data, cfg.training, fdir, k, (p) => o.onProgress?.(k, p), onEpoch);
  const post = predictUtterances(model, examples(test), model.inputKind, cfg.features.maxFrames, cfg.training.batchSize);
  const predictions: Prediction[] = test.map((u, i) => {
    const probs = post.get(i)!;
    return { id: u.id, path: u.path, speaker: u.speaker, truth: u.label, pred: argmax(probs), probs };
  });
  model.dispose();
  const result: FoldResult = {
    fold: k,
    name: fold.name,
    bestEpoch: r.bestEpoch,
    devUa: r.bestUa,
    test: classificationMetrics(
      predictions.map((p) => p.truth),
      predictions.map((p) => p.pred),
      classes.length,
    ),
    predictions,
  };
  writeFoldResult(dir, k, result);
  return result;
}

/** Per-fold and mean ± std metrics, plus pooled metrics over all test predictions. */
export function summarize(results: FoldResult[], classes: string[], trainSeconds: number): RunMetrics {
  const all = results.flatMap((r) => r.predictions);
  return {
    classes,
    folds: results.map((r) => ({
      fold: r.fold,
      name: r.name,
      ua: r.test.ua,
      wa: r.test.wa,
      macroF1: r.test.macroF1,
      bestEpoch: r.bestEpoch,
    })),
    ua: meanStd(results.map((r) => r.test.ua)),
    wa: meanStd(results.map((r) => r.test.wa)),
    macroF1: meanStd(results.map((r) => r.test.macroF1)),
    pooled: classificationMetrics(
      all.map((p) => p.truth),
      all.map((p) => p.pred),
      classes.length,
    ),
    trainSeconds,
  };
}

/** Gender (female 0, male 1) and race (sorted distinct values) targets; −100 where unknown. */
function auxTargets(utts: LabelledUtterance[], numRaces: number): (u: LabelledUtterance) => AuxTargets {
  const races = [...new Set(utts.map((u) => u.attributes.race).filter((r): r is string => typeof r === 'string'))].sort();
  if (races.length > numRaces)
    throw new Error(`model.options.numRaces is ${numRaces}, but the corpus has ${races.length} races (${races.join(', ')})`);
  return (u) => ({
    gender: u.attributes.gender === 'female' ? 0 : u.attributes.gender === 'male' ? 1 : -100,
    race: typeof u.attributes.race === 'string' ? races.indexOf(u.attributes.race) : -100,
  });
}

/**
 * Rewrites the log atomically with `fold`'s lines replaced by its checkpointed `history`: the
 * log is derived from the checkpoints, so it holds every finished epoch once, whenever a kill came.
 */
function rewriteLog(path: string, fold: number, history: EpochRecord[], foldOrder: number[]): void {
  const others = existsSync(path)
    ? readFileSync(path, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as EpochRecord)
        .filter((r) => r.fold !== fold)
    : [];
  const rank = (r: EpochRecord) => foldOrder.indexOf(r.fold);
  const lines = [...others, ...history].sort((a, b) => rank(a) - rank(b) || a.epoch - b.epoch);
  writeFileAtomicSync(path, lines.map((l) => `${JSON.stringify(l)}\n`).join(''));
}

/** Sum of the per-epoch wall times in the run's log (each kept epoch once; an epoch redone after a kill counts once). */
function trainingSeconds(logPath: string): number {
  if (!existsSync(logPath)) return 0;
  return readFileSync(logPath, 'utf8')
    .split('\n')
    .filter(Boolean)
    .reduce((s, l) => s + ((JSON.parse(l) as { seconds?: number }).seconds ?? 0), 0);
}
