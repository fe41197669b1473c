/**
 * Prediction with a dimensional run: each file's arousal / valence / dominance on the corpus'
 * scale, the mean over the run's folds (or one fold), with the speech check and per-file failures;
 * and one fold as a predictor of signals (what the audit corrupts and re-scores).
 */
import { join, resolve } from 'node:path';
import { loadAudioBatch, speechActivity } from '../audio/index.js';
import { settleBatch, type FileFailure } from '../core/index.js';
import { loadModule, type Tensor } from '../engine/index.js';
import { getFeatureSet, normalize, type Features } from '../features/index.js';
import { BEST_FILE, foldDir, readNormalizer, trainedFolds, waveformChain } from '../run/index.js';
import { dimensionalRunConfig, readDimensionalModelInfo, readTargetNorm } from './files.js';
import { predictRegression } from './loop.js';
import { buildDimensionalModel } from './models.js';
import { clipFeatures } from './targets.js';

/** One file's predicted attributes (in the run's target order), or why it has none. */
export interface DimensionalFilePrediction {
  path: string;
  /** Empty when the file holds no speech. */
  values: number[];
  noSpeech?: string;
}

/** A trained fold of a dimensional run as a function of signals. */
export interface DimensionalFold {
  targets: string[];
  /** Rate the signals must have (Hz). */
  sampleRateHz: number;
  /** The fold's predictions per signal, on the corpus' scale, in `targets` order. */
  predictFeatures(features: Features[]): number[][];
  predict(signals: Float32Array[]): Promise<number[][]>;
  /**
   * The fold as a differentiable function of one waveform [1, samples] → z-normalized outputs
   * [1, targets] (run's waveformChain); throws for feature sets without a differentiable front
   * end (functionals) and for runs that clip their features.
   */
  waveform(): { forward(wave: Tensor): Tensor; dispose(): void };
  /** The fold's target normalization (outputs of `waveform` are in its z units). */
  targetNorm: { mean: number[]; std: number[] };
  dispose(): void;
}

/** Loads fold `k` of the dimensional run in `runDir` (model, feature and target normalization). */
export async function loadDimensionalFold(runDir: string, k: number): Promise<DimensionalFold> {
  const dir = resolve(runDir);
  const cfg = dimensionalRunConfig(dir);
  const set = getFeatureSet(cfg.features.set, cfg.features.overrides);
  const info = readDimensionalModelInfo(dir, k);
  const norm = readNormalizer(dir, k);
  const tnorm = readTargetNorm(dir, k);
  const model = buildDimensionalModel(info);
  await loadModule(model, join(foldDir(dir, k), BEST_FILE));
  const predictFeatures = (features: Features[]) =>
    predictRegression(
      model,
      features.map((f) => ({ features: clipFeatures(normalize(f, norm), cfg.training.clipFeatures) })),
      model.inputKind,
      cfg.features.maxFrames,
      cfg.training.batchSize,
    ).map((z) => Array.from(z, (v, t) => v * tnorm.std[t] + tnorm.mean[t]));
  return {
    targets: [...cfg.targets],
    sampleRateHz: set.sampleRateHz,
    predictFeatures,
    predict: async (signals) => {
      const feats: Features[] = [];
      for (const x of signals) feats.push(await set.compute(x));
      return predictFeatures(feats);
    },
    waveform: () => {
      if (cfg.training.clipFeatures !== null)
        throw new Error(`${dir}: the run clips its features (training.clipFeatures), which the differentiable chain does not`);
      return waveformChain(dir, { modelName: info.model.name, maxFrames: cfg.features.maxFrames }, set, model, norm);
    },
    targetNorm: tnorm,
    dispose: () => model.dispose(),
  };
}

/**
 * Predicts the run's targets for each file: every trained fold's model (or fold `o.fold`) on the
 * file's features, mapped back through the fold's target normalization, averaged. Unreadable
 * files are listed in `failed` while the others are predicted; files without speech get no values.
 */
export async function predictDimensionalFiles(
  runDir: string,
  paths: string[],
  o: { fold?: number } = {},
): Promise<{ targets: string[]; predictions: DimensionalFilePrediction[]; failed: FileFailure[] }> {
  const dir = resolve(runDir);
  const cfg = dimensionalRunConfig(dir);
  const folds = trainedFolds(dir).filter((k) => o.fold === undefined || k === o.fold);
  if (folds.length === 0) throw new Error(`${dir}: no trained fold${o.fold === undefined ? '' : ` ${o.fold}`} (fold-K/best.safetensors)`);
  const set = getFeatureSet(cfg.features.set, cfg.features.overrides);
  const loaded = await loadAudioBatch(paths, { sampleRateHz: set.sampleRateHz });
  const failed: FileFailure[] = loaded.failed.map((f) => ({ path: f.path, reason: f.error.message }));
  const silent = new Map<string, string>();
  const speech = loaded.ok.filter(({ path, samples }) => {
    const a = speechActivity(samples, set.sampleRateHz);
    if (!a.detected) silent.set(path, a.reason!);
    return a.detected;
  });
  const computed = await settleBatch(
    speech,
    async (xs) => {
      const out: Features[] = [];
      for (const x of xs) out.push(await set.compute(x.samples));
      return out;
    },
    (x) => x.path,
  );
  failed.push(...computed.failed);
  const items = computed.results.map((r) => ({ path: r.item.path, features: r.result }));
  const sums = items.map(() => new Array<number>(cfg.targets.length).fill(0));
  for (const k of folds) {
    const fold = await loadDimensionalFold(dir, k);
    fold.predictFeatures(items.map((it) => it.features)).forEach((v, i) => {
      for (let t = 0; t < v.length; t++) sums[i][t] += v[t];
    });
    fold.dispose();
  }
  const byPath = new Map(items.map((it, i) => [it.path, sums[i].map((v) => v / folds.length)]));
  const predictions = paths.flatMap((path): DimensionalFilePrediction[] => {
    if (silent.has(path)) return [{ path, values: [], noSpeech: silent.get(path)! }];
    const v = byPath.get(path);
    return v ? [{ path, values: v }] : [];
  });
  const failedAt = new Map(failed.map((f) => [f.path, f]));
  return { targets: [...cfg.targets], predictions, failed: paths.flatMap((p) => failedAt.get(p) ?? []) };
}
