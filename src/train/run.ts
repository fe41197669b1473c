/**
 * A training run: corpus → speaker-independent split → features → per fold: normalization,
 * model, training, test predictions → run directory:
 *   config.json (resolved), split.json, log.jsonl, fold-K/{best,checkpoint}.safetensors, fold-K/norm.json,
 *   fold-K/calibration.json (temperature fitted on the dev set), fold-K/result.json (test predictions
 *   and metrics), metrics.json (per fold and mean ± std).
 * Re-running into the same directory resumes: finished folds are skipped, an interrupted fold
 * continues from its last checkpoint exactly, and temporary files a kill left behind are removed.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join, resolve } from 'node:path';
import { classificationMetrics, meanStd, type ClassificationMetrics } from '../metrics/index.js';
import { manualSeed, setNumThreads, tidy } from '../engine/index.js';
import { removeStaleTemps } from '../core/index.js';
import type { RunConfig } from '../run/index.js';
import {
  computeFeatures,
  type TaskRunner,
  fitNormalizer,
  fitSpeakerNormalizers,
  normalize,
  speakerNormWarnings,
  getFeatureSet,
  type Features,
  type Normalizer,
} from '../features/index.js';
import { AUGMENT_ID_SEPARATOR, augmentedCopies, type AugmentedCopy } from './augment.js';
import { finetuneWaveforms, trainFinetunedFold, tunedFeatures, removeFinetuneScratch } from './finetune.js';
import { calibrateFold } from './calibrate.js';
import { trainFold, type EpochRecord, type FoldProgress } from './loop.js';
import { assembleRunLog, trainingSeconds, writeFoldLog } from './run-log.js';
import { argmax } from '../core/index.js';
import {
  buildModel,
  inputGeometry,
  isMultitask,
  loadInitialWeights,
  makeExamples,
  predictUtterances,
  batchTensors,
  GATED_LOGREG,
  type AuxTargets,
  type Example,
  type TrainableModel,
} from '../models/index.js';
import { classWeights } from './sampling.js';
import { SerModelBase } from '../models/index.js';
import {
  CONFIG_FILE,
  RESULT_FILE,
  SPLIT_FILE,
  foldDir,
  listRunUtterances,
  makeRunSplit,
  readFoldResult,
  runConfig,
  writeFoldCalibration,
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
  /** Where feature extraction runs (default: `workers` threads of this process), e.g. queue workers. */
  runner?: TaskRunner;
  /**
   * Trains the listed unfinished folds elsewhere — each with {@link trainRunFold}, e.g. one queue
   * job per fold — and resolves when they are done; default: here, one after another.
   */
  trainFolds?: (runDir: string, folds: number[]) => Promise<void>;
}

function checkConfigMatches(dir: string, cfg: RunConfig): void {
  const path = join(dir, CONFIG_FILE);
  if (!existsSync(path)) return;
  // Read through the current schema: a run written before a new option existed gets its default.
  if (JSON.stringify(runConfig(dir)) !== JSON.stringify(cfg)) {
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
  checkConfigMatches(dir, cfg);
  const run = await prepareRun(cfg, dir, o);
  const pending = run.folds.filter((k) => !existsSync(join(foldDir(dir, k), RESULT_FILE)));
  if (o.trainFolds && pending.length > 0) {
    await o.trainFolds(dir, pending);
    const missing = pending.filter((k) => !existsSync(join(foldDir(dir, k), RESULT_FILE)));
    if (missing.length > 0) throw new Error(`${dir}: folds ${missing.join(', ')} were not trained (no ${RESULT_FILE})`);
  }
  const results: FoldResult[] = [];
  for (const k of run.folds) results.push(await trainPreparedFold(run, k, o));
  assembleRunLog(dir, run.runFolds);
  const byId = new Map(run.utterances.map((u) => [u.id, u]));
  const metrics = summarize(results, run.classes, trainingSeconds(dir), (id) => byId.get(id)?.corpus);
  writeRunMetrics(dir, metrics);
  return metrics;
}

/**
 * Trains (or resumes) fold `k` of the run in `runDir`, whose config and split a {@link trainRun}
 * has written (with its `trainFolds` option): what a queue worker runs for one fold. Writes only
 * the fold's folder and the assembled log; the run's metrics are left to the caller of trainRun.
 */
export async function trainRunFold(runDir: string, k: number, o: RunOptions = {}): Promise<FoldResult> {
  const dir = resolve(runDir);
  if (!existsSync(join(dir, SPLIT_FILE))) throw new Error(`${dir}: not a prepared run (no ${SPLIT_FILE})`);
  const cfg = runConfig(dir);
  const run = await prepareRun(cfg, dir, o, [k]);
  const result = await trainPreparedFold(run, k, o);
  assembleRunLog(dir, run.runFolds);
  return result;
}

/** A run ready to train folds: its utterances, split and (normalized) features. */
interface PreparedRun {
  cfg: RunConfig;
  dir: string;
  utterances: LabelledUtterance[];
  classes: string[];
  split: Split;
  /** The folds prepared (all the run's, or the one a queue job trains). */
  folds: number[];
  /** The run's folds in order (`folds` of the config, else every fold of the split): the run log's order. */
  runFolds: number[];
  copiesOf: Map<string, LabelledUtterance[]>;
  feats: Map<string, Features>;
  /** Fine-tuned runs: the waveforms `[S, 1]` of the prepared folds' training and dev utterances and copies; else null. */
  waves: Map<string, Features> | null;
}

/**
 * Lists the corpus, makes (or reads) the split, computes the features the run's folds (or `only`) need and checks
 * the model fits them — all before the first byte is written to `dir`, so a failed start leaves no
 * run folder behind — then writes the config and the split.
 */
async function prepareRun(given: RunConfig, dir: string, o: RunOptions, only?: number[]): Promise<PreparedRun> {
  const log = o.log ?? (() => {});
  const cfg = withGateWidth(given);
  setNumThreads(cfg.training.threads ?? availableParallelism());
  const { utterances, classes, notes } = await listRunUtterances(cfg, o.cacheDir);
  const splitPath = join(dir, SPLIT_FILE);
  const { split, isNew } = await makeRunSplit(cfg, utterances, splitPath);
  const runFolds = cfg.folds ?? split.folds.map((_, i) => i);
  const folds = only ?? runFolds;
  for (const k of folds)
    if (k >= split.folds.length) throw new Error(`folds: fold ${k} does not exist (the split has ${split.folds.length})`);
  if (cfg.model.weights !== undefined && !existsSync(cfg.model.weights))
    throw new Error(`model.weights: ${cfg.model.weights}: no such file`);
  for (const note of notes) log(note);
  log(`${utterances.length} utterances, ${classes.length} classes (${classes.join(', ')}), ${split.folds.length} folds`);

  const byId = new Map(utterances.map((u) => [u.id, u]));
  const needed = [...new Set(split.folds.flatMap((f) => [...f.train, ...f.dev, ...f.test]))].map((id) => byId.get(id)!);
  if (cfg.features.speakerNorm)
    for (const w of speakerNormWarnings(needed.map((u) => ({ speaker: u.speaker, label: classes[u.label] })))) log(`warning: ${w}`);
  const t0 = performance.now();
  const raw = await computeFeatures(needed, cfg.features.set, cfg.features.overrides, {
    workers: o.workers,
    cacheDir: o.cacheDir,
    runner: o.runner,
  });
  log(`features '${cfg.features.set}' ready for ${raw.size} utterances (${((performance.now() - t0) / 1000).toFixed(1)} s)`);
  const copies = await trainingCopies(cfg, split, folds, byId, raw, o, log);
  const feats = cfg.features.speakerNorm ? speakerNormalizeWithCopies(needed, raw, copies) : new Map([...raw, ...copies.features]);
  if (cfg.features.speakerNorm) log(`features normalized per speaker (${new Set(needed.map((u) => u.speaker)).size} speakers)`);
  inputGeometry(cfg.model.name, feats.get(needed[0].id)!, cfg.features); // the model takes these features
  const waves = cfg.features.finetune ? await finetuneWaveforms(cfg, split, folds, byId, copies.list, o.workers, log) : null;

  mkdirSync(dir, { recursive: true });
  removeStaleTemps(dir);
  writeRunConfig(dir, cfg);
  if (isNew) await saveSplit(splitPath, split, utterances);
  return { cfg, dir, utterances, classes, split, folds, runFolds, copiesOf: copies.of, feats, waves };
}

/**
 * `cfg` with `gated-logreg`'s `robustDims` filled in (when not given) from the width of the first part of
 * the run's fused feature set: the features that transfer come first (e.g. egemaps-mel+speech-embedding-stats).
 * @throws Error naming model.options.robustDims when the set is not fused or its parts do not name their features.
 */
function withGateWidth(cfg: RunConfig): RunConfig {
  if (cfg.model.name !== GATED_LOGREG || cfg.model.options.robustDims !== undefined) return cfg;
  const parts = getFeatureSet(cfg.features.set, cfg.features.overrides).partDims?.();
  if (!parts || parts.length < 2)
    throw new Error(
      `model.options.robustDims: model '${GATED_LOGREG}' needs a fused feature set, the transferable part first (e.g. egemaps-mel+speech-embedding-stats), or robustDims given; '${cfg.features.set}' is not one`,
    );
  return { ...cfg, model: { ...cfg.model, options: { ...cfg.model.options, robustDims: parts[0].dims } } };
}

/**
 * Calls the model's {@link TrainableModel.fitOnDevInputs}, if it has one, with the fold's (vector) examples as
 * `[N, D]`: unseen speakers' (dev; the training originals when there is no dev set) and the augmented copies
 * (the channels the model trains on), taken from the examples already made for training.
 */
function fitOnDev(model: TrainableModel, data: { train: Example[]; dev: Example[] }, train: readonly LabelledUtterance[]): void {
  if (!model.fitOnDevInputs) return;
  const isCopy = (e: Example) => train[e.utterance].id.includes(AUGMENT_ID_SEPARATOR);
  const augmented = data.train.filter(isCopy);
  const rows = (ex: Example[]) => batchTensors(ex, 'vector', 1, null).x;
  tidy(() =>
    model.fitOnDevInputs!(
      rows(data.dev.length > 0 ? data.dev : data.train.filter((e) => !isCopy(e))),
      augmented.length > 0 ? rows(augmented) : null,
    ),
  );
}

/** Trains fold `k` of a prepared run (or reads its result when it is done) and logs its UA. */
async function trainPreparedFold(run: PreparedRun, k: number, o: RunOptions): Promise<FoldResult> {
  const { split, dir } = run;
  const r = await runFold(run, k, o, (history) => {
    writeFoldLog(dir, k, history);
    assembleRunLog(dir, run.runFolds);
  });
  (o.log ?? (() => {}))(
    r.predictions.length === 0
      ? `fold ${k} (${split.folds[k].name}): dev UA ${(100 * r.devUa).toFixed(1)} % (no test set)`
      : `fold ${k} (${split.folds[k].name}): test UA ${(100 * r.test.ua).toFixed(1)} %, WA ${(100 * r.test.wa).toFixed(1)} %`,
  );
  return r;
}

async function runFold(run: PreparedRun, k: number, o: RunOptions, onEpoch: (history: EpochRecord[]) => void): Promise<FoldResult> {
  const { cfg, split, utterances, copiesOf, classes, feats, dir } = run;
  const fdir = foldDir(dir, k);
  if (existsSync(join(fdir, RESULT_FILE))) return readFoldResult(dir, k);
  mkdirSync(fdir, { recursive: true });
  const fold = split.folds[k];
  const byId = new Map(utterances.map((u) => [u.id, u]));
  const part = (ids: string[]) => ids.map((id) => byId.get(id)!);
  // Augmented copies train with their originals; dev and test are never augmented.
  const train = part(fold.train).flatMap((u) => [u, ...(copiesOf.get(u.id) ?? [])]),
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
  const examples = (us: LabelledUtterance[], from = feats) =>
    makeExamples(
      us.map((u) => normalize(from.get(u.id)!, norm)),
      us.map((u) => u.label),
      model.inputKind,
      seg,
      aux ? us.map((u) => aux(u)) : undefined,
    );
  const onProgress = (p: FoldProgress) => o.onProgress?.(k, p);
  let r: Awaited<ReturnType<typeof trainFold>>;
  // What dev (for calibration) and test are scored on: the run's features, or the fold's tuned backbone's.
  let scoring = feats;
  if (run.waves) {
    r = await trainFinetunedFold(cfg, model, norm, run.waves, { train, dev }, weights, fdir, k, onProgress, onEpoch);
    scoring = await tunedFeatures(cfg, dir, k, [...dev, ...test], o.workers);
  } else {
    const data = {
      train: examples(train),
      dev: examples(dev),
      numClasses: classes.length,
      kind: model.inputKind,
      maxFrames: cfg.features.maxFrames,
      classWeights: weights,
    };
    fitOnDev(model, data, train);
    r = await trainFold(model, data, cfg.training, fdir, k, onProgress, onEpoch);
  }
  // The temperature of the best model, fitted on its dev posteriors (test predictions stay raw).
  const devPost = predictUtterances(model, examples(dev, scoring), model.inputKind, cfg.features.maxFrames, cfg.training.batchSize);
  const calibration = calibrateFold(
    dev.map((_, i) => devPost.get(i)!),
    dev.map((u) => u.label),
  );
  writeFoldCalibration(dir, k, calibration);
  const post = predictUtterances(model, examples(test, scoring), model.inputKind, cfg.features.maxFrames, cfg.training.batchSize);
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
    test: scored(predictions, classes.length),
    predictions,
    temperature: calibration.temperature,
  };
  writeFoldResult(dir, k, result);
  if (run.waves) removeFinetuneScratch(fdir);
  return result;
}

/** Features of the augmented copies of every utterance some trained fold trains on (none without `training.augment`). */
async function trainingCopies(
  cfg: RunConfig,
  split: Split,
  folds: number[],
  byId: Map<string, LabelledUtterance>,
  raw: Map<string, Features>,
  o: RunOptions,
  log: (line: string) => void,
): Promise<{ of: Map<string, LabelledUtterance[]>; features: Map<string, Features>; list: AugmentedCopy[] }> {
  const aug = cfg.training.augment;
  if (aug === null) return { of: new Map(), features: new Map(), list: [] };
  const ids = [...new Set(folds.flatMap((k) => split.folds[k].train))];
  const copies = await augmentedCopies(
    aug,
    ids.map((id) => byId.get(id)!),
  );
  const t0 = performance.now();
  const features = await computeFeatures(
    copies.map((c) => ({ id: c.utterance.id, path: c.utterance.path, augment: c.augment })),
    cfg.features.set,
    cfg.features.overrides,
    { workers: o.workers, cacheDir: o.cacheDir, runner: o.runner },
  );
  log(`${copies.length} augmented copies of ${ids.length} training utterances (${((performance.now() - t0) / 1000).toFixed(1)} s)`);
  const of = new Map<string, LabelledUtterance[]>();
  for (const c of copies) {
    const orig = c.utterance.id.slice(0, c.utterance.id.lastIndexOf(AUGMENT_ID_SEPARATOR));
    of.set(orig, [...(of.get(orig) ?? []), c.utterance]);
  }
  // Checked here: raw features of the originals are in `raw`, so a copy id must not collide with one.
  for (const id of features.keys()) if (raw.has(id)) throw new Error(`augmented copy id '${id}' is also an utterance id of the corpus`);
  return { of, features, list: copies };
}

/** Speaker-normalized features of the utterances, and of the copies with their speaker's statistics (fitted on the originals). */
function speakerNormalizeWithCopies(
  utts: LabelledUtterance[],
  raw: Map<string, Features>,
  copies: { of: Map<string, LabelledUtterance[]>; features: Map<string, Features> },
): Map<string, Features> {
  const stats = fitSpeakerNormalizers(utts.map((u) => ({ speaker: u.speaker, features: raw.get(u.id)! })));
  const out = new Map(utts.map((u) => [u.id, normalize(raw.get(u.id)!, stats.get(u.speaker)!)]));
  for (const cs of copies.of.values()) for (const c of cs) out.set(c.id, normalize(copies.features.get(c.id)!, stats.get(c.speaker)!));
  return out;
}

/** Metrics of predictions; NaN rates and an all-zero confusion when there are none (a protocol without a test set). */
function scored(ps: Prediction[], numClasses: number): ClassificationMetrics {
  if (ps.length === 0)
    return {
      wa: Number.NaN,
      ua: Number.NaN,
      macroF1: Number.NaN,
      recall: Array.from({ length: numClasses }, () => Number.NaN),
      confusion: Array.from({ length: numClasses }, () => new Array<number>(numClasses).fill(0)),
      n: 0,
    };
  return classificationMetrics(
    ps.map((p) => p.truth),
    ps.map((p) => p.pred),
    numClasses,
  );
}

/**
 * Per-fold and mean ± std metrics, plus pooled metrics over all test predictions, and per corpus
 * when `corpusOf` (utterance id → corpus) finds several in them.
 */
export function summarize(
  results: FoldResult[],
  classes: string[],
  trainSeconds: number,
  corpusOf: (id: string) => string | undefined = () => undefined,
): RunMetrics {
  const all = results.flatMap((r) => r.predictions);
  const corpora = [...new Set(all.map((p) => corpusOf(p.id)).filter((c): c is string => c !== undefined))].sort();
  const metricsOf = (ps: Prediction[]) => scored(ps, classes.length);
  return {
    classes,
    folds: results.map((r) => ({
      fold: r.fold,
      name: r.name,
      ua: r.test.ua,
      wa: r.test.wa,
      macroF1: r.test.macroF1,
      bestEpoch: r.bestEpoch,
      devUa: r.devUa,
    })),
    ua: meanStd(results.map((r) => r.test.ua)),
    wa: meanStd(results.map((r) => r.test.wa)),
    macroF1: meanStd(results.map((r) => r.test.macroF1)),
    pooled: metricsOf(all),
    ...(corpora.length > 1
      ? { byCorpus: Object.fromEntries(corpora.map((c) => [c, metricsOf(all.filter((p) => corpusOf(p.id) === c))])) }
      : {}),
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
