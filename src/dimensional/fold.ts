/**
 * One fold of a dimensional run: feature and target normalization fitted on the fold's training
 * set, then either a regressor (`model`, optionally on a curriculum) or DeepEmoCluster (which also
 * writes the DeepMI of every training utterance), and the test predictions on the corpus' scale.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Rng } from '../core/index.js';
import { PROXY_SCALE, type Split } from '../data/index.js';
import { manualSeed } from '../engine/index.js';
import { fitNormalizer, normalize, type Features } from '../features/index.js';
import { buildModel, inputGeometry, loadInitialWeights, type InputKind } from '../models/index.js';
import { foldDir, writeNormalizer } from '../run/index.js';
import type { FoldProgress } from '../train/index.js';
import { clusterHeads, trainClusterFold } from './cluster-loop.js';
import type { DimensionalConfig } from './config.js';
import { DEEPMI_FILE, curriculumOrder, curriculumRamp, curriculumRanking, writeDeepMi, type DeepMiFile } from './curriculum.js';
import type { DeepEmoCluster } from './deep-emo-cluster.js';
import { attributeLevels, deepMi } from './deepmi.js';
import {
  writeDimensionalFoldResult,
  writeDimensionalModelInfo,
  writeTargetNorm,
  type DimensionalFoldResult,
  type TargetNorm,
} from './files.js';
import { predictRegression, trainRegressionFold, type DimensionalEpoch, type RegressionExample, type RegressionModel } from './loop.js';
import { buildDimensionalModel, deepEmoClusterInfo } from './models.js';
import { clipFeatures, fitTargetNorm, scoredTargets } from './targets.js';
import type { RatedUtterance } from './utterances.js';

/** Model input kinds a regression trains on. */
const REGRESSION_KINDS = new Set(['vector', 'frames', 'layers']);

/** What a fold needs beyond its utterances: progress, the unlabelled pool's features, the curriculum metric. */
export interface FoldExtras {
  onProgress?: (p: FoldProgress) => void;
  unlabelled: Features[];
  metric: DeepMiFile | null;
}

/** Trains fold `k` and writes its folder (norm, targets, model, checkpoints, result; DeepMI for DeepEmoCluster). */
export async function trainFold(
  cfg: DimensionalConfig,
  split: Split,
  k: number,
  byId: Map<string, RatedUtterance>,
  feats: Map<string, Features>,
  dir: string,
  extra: FoldExtras,
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
  const prepared = (f: Features) => clipFeatures(normalize(f, norm), cfg.training.clipFeatures);
  const examples = (us: RatedUtterance[]): RegressionExample[] =>
    us.map((u) => ({
      features: prepared(feats.get(u.id)!),
      targets: Float32Array.from(u.targets, (v, t) => (v - tnorm.mean[t]) / tnorm.std[t]),
    }));
  const trainEx = examples(train);
  let r: { bestEpoch: number; devCcc: number[]; history: DimensionalEpoch[] };
  let model: RegressionModel & { dispose(): void };
  let kind: InputKind;
  // Initial weights depend only on (seed, fold), not on what ran before in this process.
  manualSeed(cfg.training.seed * 7919 + k);
  if (cfg.method === 'deep-emo-cluster') {
    const info = deepEmoClusterInfo(cfg, feats.get(train[0].id)!.dims);
    writeDimensionalModelInfo(dir, k, info);
    const net = buildDimensionalModel(info) as DeepEmoCluster;
    const unlabelled = extra.unlabelled.map((f) => ({ features: prepared(f), targets: new Float32Array(0) }));
    r = await trainClusterFold(
      net,
      { train: trainEx, dev: examples(dev), unlabelled },
      cfg.training,
      cfg.cluster,
      fdir,
      k,
      extra.onProgress,
    );
    writeDeepMi(dir, k, foldDeepMi(cfg, net, train, trainEx, tnorm));
    [model, kind] = [net, 'vector'];
  } else {
    const geometry = inputGeometry(cfg.model.name, feats.get(train[0].id)!, cfg.features);
    const net = buildModel(cfg.model, cfg.targets.length, geometry);
    if (!REGRESSION_KINDS.has(net.inputKind))
      throw new Error(`model.name: '${cfg.model.name}' takes ${net.inputKind} inputs, which a dimensional run cannot train`);
    kind = net.inputKind;
    writeDimensionalModelInfo(dir, k, {
      model: cfg.model,
      targets: [...cfg.targets],
      geometry,
      inputKind: kind as 'vector' | 'frames' | 'layers',
    });
    if (cfg.model.weights) await loadInitialWeights(net, cfg.model.weights);
    const c = cfg.curriculum;
    const where = c?.metrics ? join(foldDir(c.metrics, k), DEEPMI_FILE) : 'curriculum';
    const ranking = c ? curriculumRanking(c, extra.metric, fold.train, cfg.targets, cfg.training.seed * 7919 + k, where) : null;
    const data = { train: trainEx, dev: examples(dev), kind, maxFrames: cfg.features.maxFrames };
    r = await trainRegressionFold(net, data, cfg.training, fdir, k, {
      onProgress: extra.onProgress,
      ...(c && ranking
        ? { order: (epoch: number, rng: Rng) => curriculumOrder(ranking, c, epoch, rng), patienceFrom: curriculumRamp(c) }
        : {}),
    });
    model = net;
  }
  const raw = predictRegression(model, examples(test), kind, cfg.features.maxFrames, cfg.training.batchSize);
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

/** The level range DeepMI cuts each target into: the configured range, the proxy scale, or the training labels' span. */
function levelRange(cfg: DimensionalConfig, train: readonly RatedUtterance[], t: number): [number, number] {
  if (cfg.range) return cfg.range;
  if (cfg.attributes === 'proxy') return [PROXY_SCALE.min, PROXY_SCALE.max];
  const v = train.map((u) => u.targets[t]);
  return [Math.min(...v), Math.max(...v)];
}

/** DeepMI of every training utterance of a fold, per target, with the fold's best DeepEmoCluster. */
function foldDeepMi(
  cfg: DimensionalConfig,
  net: DeepEmoCluster,
  train: readonly RatedUtterance[],
  ex: readonly RegressionExample[],
  tnorm: TargetNorm,
): DeepMiFile {
  const { clusters, outputs } = clusterHeads(net, ex, cfg.training.batchSize);
  const ranges = cfg.targets.map((_, t) => levelRange(cfg, train, t));
  const perTarget = cfg.targets.map((name, t) => {
    const levels = attributeLevels(
      train.map((u) => u.targets[t]),
      ranges[t],
      cfg.cluster.levels,
    );
    const predicted = attributeLevels(
      outputs.map((z) => z[t] * tnorm.std[t] + tnorm.mean[t]),
      ranges[t],
      cfg.cluster.levels,
    );
    return deepMi(clusters, levels, predicted, cfg.cluster.alpha[name] ?? 0);
  });
  return {
    targets: [...cfg.targets],
    levels: cfg.cluster.levels,
    ranges,
    alpha: cfg.targets.map((t) => cfg.cluster.alpha[t] ?? 0),
    globalMi: perTarget.map((v) => v.reduce((s, x) => s + x, 0)),
    values: Object.fromEntries(train.map((u, i) => [u.id, perTarget.map((v) => v[i])])),
  };
}
