/**
 * A trained fold of a run, loaded once: its configuration, classes, feature set and model, as a
 * function of raw signals (features, speaker statistics, normalization and model as in
 * training; posteriors scaled by the fold's fitted temperature), and — for log-mel and engine
 * backbone runs — as a differentiable waveform classifier for the attacks, on the same model and
 * the same enrolled speaker statistics.
 */
import { join } from 'node:path';
import { ENGINE_BACKBONE_NAMES, engineBackbone, setLayers } from '../backbones/index.js';
import { keep, loadModule, noGrad, tensor, tidy, type Tensor } from '../engine/index.js';
import {
  centreCropStart,
  fitNormalizer,
  fitSpeakerNormalizers,
  getFeatureSet,
  logMelOptions,
  normalize,
  type FeatureSet,
  type Features,
  type Normalizer,
} from '../features/index.js';
import { temperatureScale } from '../metrics/index.js';
import { LogMelFrontend, batchTensors, buildModel, makeExamples, predictUtterances, type SerModel } from '../models/index.js';
import type { RunConfig } from './config.js';
import { foldTemperature, readFoldModelInfo, readNormalizer, runConfig, type FoldTemperature } from './files.js';
import { BEST_FILE, foldDir, foldFeatureOverrides } from './layout.js';

/** Maps a batch of waveforms [1, samples] to emotion logits [1, classes], differentiably. */
export type WaveformClassifier = (wave: Tensor) => Tensor;

/** A fold as a differentiable function of one waveform [1, samples] at the fold's rate. */
export interface WaveformModel {
  /** Logits [1, classes] (before temperature scaling, which keeps their argmax); `speaker` (enrolled) for speaker-normalized runs. */
  classify(wave: Tensor, speaker?: string): Tensor;
  /** Utterance embedding [1, embedDim]. */
  embed(wave: Tensor, speaker?: string): Tensor;
}

/** One trained fold applied to mono signals at `sampleRateHz`. */
export interface TrainedFold {
  runDir: string;
  fold: number;
  config: RunConfig;
  classes: string[];
  model: SerModel;
  featureSet: FeatureSet;
  sampleRateHz: number;
  /**
   * The temperature `predict` scales the model's posteriors by (fold-K/calibration.json); 1 for
   * folds trained before calibration existed (`calibration.calibrated` false, with a note).
   */
  temperature: number;
  calibration: FoldTemperature;
  /** True when the run normalizes features per speaker: `predict`/`embed` then need each signal's enrolled speaker. */
  speakerNorm: boolean;
  /**
   * Speaker-normalized runs: fits `speaker`'s feature statistics on the speaker's (unlabelled)
   * signals, replacing earlier ones; needs at least MIN_SPEAKER_UTTERANCES signals.
   */
  enroll(speaker: string, signals: Float32Array[]): Promise<void>;
  /** The enrolled statistics of `speaker` (undefined when not enrolled). */
  speakerStats(speaker: string): Normalizer | undefined;
  /**
   * Corpus-level adaptation: replaces the training set's feature statistics with those of
   * `signals` (unlabelled audio of the target domain, after speaker normalization in
   * speaker-normalized runs). Results that use it depend on target-domain statistics and must
   * be reported as such. Call before {@link waveform}.
   */
  adaptToTarget(signals: Float32Array[], speakers?: string[]): Promise<void>;
  /**
   * Calibrated posteriors [U][classes]: the model's (segment models: the mean over an utterance's
   * segments) scaled by {@link temperature}; `speakers[u]` for speaker-normalized runs.
   */
  predict(signals: Float32Array[], speakers?: string[]): Promise<number[][]>;
  /** Utterance embeddings [U][embedDim] (frame and vector models; segment models: mean over segments). */
  embed(signals: Float32Array[], speakers?: string[]): Promise<Float32Array[]>;
  /**
   * The fold through a differentiable front end (built on first use, freed with the fold):
   * natural-log `logmel` runs, and engine-backbone runs through the backbone network itself.
   * Other runs throw saying why.
   */
  waveform(): WaveformModel;
  dispose(): void;
}

/** Loads fold `fold` of the run in `runDir`. */
export async function loadFold(runDir: string, fold: number): Promise<TrainedFold> {
  const cfg = runConfig(runDir);
  const info = readFoldModelInfo(runDir, fold);
  const calibration = foldTemperature(runDir, fold);
  let norm = readNormalizer(runDir, fold);
  const model = buildModel(info.model, info.classes.length, info.geometry);
  await loadModule(model, join(foldDir(runDir, fold), BEST_FILE));
  model.eval();
  const set = getFeatureSet(cfg.features.set, foldFeatureOverrides(runDir, fold, cfg.features));
  const seg = { frames: cfg.features.segmentFrames, hop: cfg.features.segmentHopFrames };
  const batch = cfg.training.batchSize;
  const maxFrames = cfg.features.maxFrames;
  // Enrollment, embedding and prediction often see the same signal objects: compute their features once.
  const computed = new WeakMap<Float32Array, Features>();
  const features = async (x: Float32Array): Promise<Features> => {
    const hit = computed.get(x);
    if (hit) return hit;
    const f = await set.compute(x);
    computed.set(x, f);
    return f;
  };
  const allFeatures = async (signals: Float32Array[]): Promise<Features[]> => {
    const out: Features[] = [];
    for (const x of signals) out.push(await features(x));
    return out;
  };
  const enrolled = new Map<string, Normalizer>();
  const statsOf = (who: string | undefined): Normalizer | null => {
    if (!cfg.features.speakerNorm) return null;
    if (who === undefined)
      throw new Error(`${runDir}: this run normalizes features per speaker (features.speakerNorm); give each signal's speaker`);
    const st = enrolled.get(who);
    if (!st)
      throw new Error(
        `${runDir}: speaker '${who}' is not enrolled (a speaker-normalized run needs some of the speaker's utterances first)`,
      );
    return st;
  };
  const examples = async (signals: Float32Array[], speakers?: string[]) =>
    makeExamples(
      (await allFeatures(signals)).map((f, u) => {
        const st = statsOf(speakers?.[u]);
        return normalize(st ? normalize(f, st) : f, norm);
      }),
      signals.map(() => 0),
      model.inputKind,
      seg,
    );
  let waveform: (WaveformModel & { dispose(): void }) | null = null;
  return {
    runDir,
    fold,
    config: cfg,
    classes: info.classes,
    model,
    temperature: calibration.temperature,
    calibration,
    featureSet: set,
    sampleRateHz: set.sampleRateHz,
    speakerNorm: cfg.features.speakerNorm,
    enroll: async (speaker, signals) => {
      const fs = await allFeatures(signals);
      enrolled.set(speaker, fitSpeakerNormalizers(fs.map((f) => ({ speaker, features: f }))).get(speaker)!);
    },
    speakerStats: (speaker) => enrolled.get(speaker),
    adaptToTarget: async (signals, speakers) => {
      if (waveform) throw new Error(`${runDir}: adapt the fold before building its waveform model`);
      const fs = await allFeatures(signals);
      norm = fitNormalizer(
        fs.map((f, u) => {
          const st = statsOf(speakers?.[u]);
          return st ? normalize(f, st) : f;
        }),
      );
    },
    predict: async (signals, speakers) => {
      const post = predictUtterances(model, await examples(signals, speakers), model.inputKind, maxFrames, batch);
      const raw = signals.map((_, u) => post.get(u)!);
      return raw.length === 0 ? raw : temperatureScale(raw, calibration.temperature);
    },
    embed: async (signals, speakers) => {
      const ex = await examples(signals, speakers);
      const sums = new Map<number, { v: Float32Array; n: number }>();
      for (let i = 0; i < ex.length; i += batch) {
        const part = ex.slice(i, i + batch);
        const e = noGrad(() =>
          tidy(() => {
            const b = batchTensors(part, model.inputKind, maxFrames, null);
            return (model.embed(b.x, b.lengths) as Tensor).toArray() as Float32Array;
          }),
        );
        const d = e.length / part.length;
        part.forEach((p, j) => {
          const acc = sums.get(p.utterance) ?? { v: new Float32Array(d), n: 0 };
          for (let k = 0; k < d; k++) acc.v[k] += e[j * d + k];
          acc.n++;
          sums.set(p.utterance, acc);
        });
      }
      return signals.map((_, u) => sums.get(u)!.v.map((x) => x / sums.get(u)!.n));
    },
    waveform: () =>
      (waveform ??= waveformModel(runDir, { modelName: cfg.model.name, maxFrames: cfg.features.maxFrames }, set, model, norm, (who) =>
        statsOf(who),
      )),
    dispose: () => {
      waveform?.dispose();
      model.dispose();
    },
  };
}

/** Features of one waveform as a differentiable function: [1, T, D] frames or [1, L, T, D] backbone layers. */
interface DifferentiableFront {
  forward(wave: Tensor): Tensor;
  dispose(): void;
}

/**
 * The run's feature set as a differentiable function of the waveform: natural-log `logmel`
 * through the engine's log-mel front end, or an engine backbone's set (every layer, or one)
 * through the backbone network itself.
 */
function differentiableFront(runDir: string, modelName: string, set: FeatureSet, model: { inputKind: string }): DifferentiableFront {
  const backbone = set.backbone;
  // The hidden-state sets themselves (not their pooled `-stats`, which are not differentiated through).
  if (backbone && set.name === backbone.name && ENGINE_BACKBONE_NAMES.includes(backbone.name)) {
    const net = engineBackbone(backbone.name, backbone);
    const layer = set.options.layer as number | 'all';
    const want = layer === 'all' ? 'layers' : 'frames';
    if (model.inputKind !== want) throw new Error(`${runDir}: model '${modelName}' does not take ${want} features`);
    return {
      forward: (wave) => setLayers(net.hiddenStates(wave), layer),
      dispose: () => {}, // the network is shared with the backbone's feature set
    };
  }
  if (set.name !== 'logmel')
    throw new Error(
      `${runDir}: waveform attacks need a differentiable front end (natural-log logmel, or a ${ENGINE_BACKBONE_NAMES.join('/')} backbone); this run uses '${set.name}' features`,
    );
  const s = logMelOptions(set);
  if (s.log !== 'ln') throw new Error(`${runDir}: only natural-log log-mel features are supported by the differentiable front end`);
  if (model.inputKind !== 'frames') throw new Error(`${runDir}: model '${modelName}' does not take frame features`);
  return new LogMelFrontend({
    sampleRateHz: s.sampleRateHz,
    nFft: s.nFft,
    winSamples: s.winSamples,
    hopSamples: s.hopSamples,
    window: s.window,
    center: s.center,
    padMode: s.padMode,
    nMels: s.nMels,
    fMinHz: s.fMinHz,
    fMaxHz: s.fMaxHz,
    scale: s.scale,
    norm: s.norm,
    power: s.power,
    lnEps: s.lnEps,
  });
}

/**
 * Normalization statistics `values` of `norm`'s geometry (one per plane and dim) as a kept tensor
 * shaped to broadcast over features [1, T, D] or [1, L, T, D]; the caller disposes it.
 */
export function statTensor(values: readonly number[], norm: Normalizer): Tensor {
  const shape = norm.channels > 1 ? [norm.channels, 1, norm.dims] : [norm.dims];
  return keep(tensor(Float32Array.from(values), shape));
}

/** What the differentiable chain needs of a model: its input kind and outputs (and, for waveform models, embeddings). */
interface ChainModel {
  inputKind: string;
  forward(x: Tensor, lengths?: Tensor | null): Tensor;
  embed?(x: Tensor, lengths?: Tensor | null): Tensor;
}

/**
 * A model behind the run's differentiable front end and the fold's feature normalization, as a
 * function of one waveform [1, samples] (frame models see the centre `maxFrames`, as at evaluation):
 * what waveform attacks differentiate through. Natural-log `logmel` sets and engine-backbone sets
 * only; others throw saying why. Used by categorical folds and by dimensional runs.
 */
export function waveformChain(
  runDir: string,
  o: { modelName: string; maxFrames: number },
  set: FeatureSet,
  model: ChainModel,
  norm: Normalizer,
): { forward(wave: Tensor): Tensor; dispose(): void } {
  const w = waveformModel(runDir, o, set, model, norm, () => null);
  return { forward: (wave) => w.classify(wave), dispose: w.dispose };
}

/** The differentiable front end → normalization → model chain of a fold (see {@link TrainedFold.waveform}). */
function waveformModel(
  runDir: string,
  o: { modelName: string; maxFrames: number },
  set: FeatureSet,
  model: ChainModel,
  norm: Normalizer,
  statsOf: (who: string | undefined) => Normalizer | null,
): WaveformModel & { dispose(): void } {
  const frontend = differentiableFront(runDir, o.modelName, set, model);
  const stat = (v: number[]) => statTensor(v, norm);
  const mean = stat(norm.mean),
    std = stat(norm.std);
  // Keyed by the statistics object: a speaker enrolled again gets new statistics and new tensors.
  const speakers = new Map<Normalizer, { mean: Tensor; std: Tensor }>();
  const maxFrames = o.maxFrames;
  // As batchTensors at evaluation: centre crop to maxFrames (shorter inputs keep their length).
  const inputs = (wave: Tensor, who: string | undefined): { x: Tensor; lengths: Tensor } => {
    let x = frontend.forward(wave);
    const st = statsOf(who);
    if (st) {
      const t = speakers.get(st) ?? { mean: stat(st.mean), std: stat(st.std) };
      speakers.set(st, t);
      x = x.sub(t.mean).div(t.std);
    }
    x = x.sub(mean).div(std);
    const timeDim = x.ndim - 2;
    const frames = x.shape[timeDim];
    if (frames > maxFrames) x = x.narrow(timeDim, centreCropStart(frames, maxFrames), maxFrames);
    return { x, lengths: tensor(BigInt64Array.of(BigInt(Math.min(frames, maxFrames))), [1]) };
  };
  return {
    classify: (wave, who) => {
      const f = inputs(wave, who);
      return model.forward(f.x, f.lengths);
    },
    embed: (wave, who) => {
      if (!model.embed) throw new Error(`${runDir}: model '${o.modelName}' has no embedding`);
      const f = inputs(wave, who);
      return model.embed(f.x, f.lengths);
    },
    dispose: () => {
      frontend.dispose();
      mean.dispose();
      std.dispose();
      for (const t of speakers.values()) {
        t.mean.dispose();
        t.std.dispose();
      }
    },
  };
}
