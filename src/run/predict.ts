/**
 * Prediction with a trained run: a fold's best model as a function of raw signals (features,
 * normalization and model as in training), and the ensemble of every fold over audio files.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { loadAudioBatch, speechActivity } from '../audio/index.js';
import { getFeatureSet } from '../features/index.js';
import type { SerModel } from '../models/index.js';
import { loadModule, noGrad, tidy, type Tensor } from '../engine/index.js';
import { loadRunConfig, type RunConfig } from './config.js';
import type { FeatureArray } from '../features/pure.js';
import { batchTensors, makeExamples, predictUtterances } from '../models/index.js';
import { normalize, type Normalizer } from '../features/index.js';
import { fitSpeakerNormalizers } from '../features/pure.js';
import { argmax } from '../core/index.js';
import { buildModel, type InputGeometry } from '../models/index.js';
import { settleBatch, type FileFailure } from '../core/pure.js';

/** Label of a file without speech (silence, low-level noise, too short): no emotion is given. */
export const NO_SPEECH_LABEL = 'no-speech';

export interface FilePrediction {
  path: string;
  /** Class probabilities, in `classes` order; empty when the file holds no speech. */
  probs: number[];
  /** The most probable class, or {@link NO_SPEECH_LABEL}. */
  label: string;
  /** Why the file got no emotion (absent when it holds speech). */
  noSpeech?: string;
}

/** The prediction of a file without speech. */
export function noSpeechPrediction(path: string, reason: string): FilePrediction {
  return { path, probs: [], label: NO_SPEECH_LABEL, noSpeech: reason };
}

interface FoldModelInfo {
  model: { name: string; options: Record<string, unknown> };
  classes: string[];
  geometry: InputGeometry;
}

/** One trained fold applied to mono signals at `sampleRateHz`. */
export interface FoldPredictor {
  config: RunConfig;
  classes: string[];
  model: SerModel;
  sampleRateHz: number;
  /** True when the run normalizes features per speaker: `predict`/`embed` then need each signal's enrolled speaker. */
  speakerNorm: boolean;
  /**
   * Speaker-normalized runs: fits `speaker`'s feature statistics on the speaker's (unlabelled)
   * signals, replacing earlier ones; needs at least MIN_SPEAKER_UTTERANCES signals.
   */
  enroll(speaker: string, signals: Float32Array[]): void;
  /** The enrolled statistics of `speaker` (undefined when not enrolled). */
  speakerStats(speaker: string): Normalizer | undefined;
  /** Posteriors [U][classes] (segment models: mean over an utterance's segments); `speakers[u]` for speaker-normalized runs. */
  predict(signals: Float32Array[], speakers?: string[]): number[][];
  /** Utterance embeddings [U][embedDim] (frame and vector models; segment models: mean over segments). */
  embed(signals: Float32Array[], speakers?: string[]): Float32Array[];
  dispose(): void;
}

/** The run's configuration (errors name the folder when it is not a run directory). */
export function runConfig(runDir: string): RunConfig {
  const cfgPath = join(resolve(runDir), 'config.json');
  if (!existsSync(cfgPath)) throw new Error(`${resolve(runDir)}: not a trustser run directory (no config.json)`);
  return loadRunConfig(cfgPath);
}

/** Indices of the folds with a trained model (fold-K/best.safetensors and model.json). */
export function trainedFolds(runDir: string): number[] {
  return readdirSync(runDir)
    .filter((f) => /^fold-\d+$/.test(f) && existsSync(join(runDir, f, 'best.safetensors')) && existsSync(join(runDir, f, 'model.json')))
    .map((f) => Number(f.slice(5)))
    .sort((a, b) => a - b);
}

/** Loads fold `fold` of the run in `runDir` as a {@link FoldPredictor}. */
export async function loadFoldPredictor(runDir: string, fold: number): Promise<FoldPredictor> {
  const cfg = runConfig(runDir);
  const fd = join(resolve(runDir), `fold-${fold}`);
  const info = JSON.parse(readFileSync(join(fd, 'model.json'), 'utf8')) as FoldModelInfo;
  const norm = JSON.parse(readFileSync(join(fd, 'norm.json'), 'utf8')) as Normalizer;
  const model = buildModel(info.model, info.classes.length, info.geometry);
  await loadModule(model, join(fd, 'best.safetensors'));
  model.eval();
  const set = getFeatureSet(cfg.features.set, cfg.features.overrides);
  const seg = { frames: cfg.features.segmentFrames, hop: cfg.features.segmentHopFrames };
  // Enrollment, embedding and prediction often see the same signal objects: compute their features once.
  const computed = new WeakMap<Float32Array, FeatureArray>();
  const features = (x: Float32Array): FeatureArray => {
    const hit = computed.get(x);
    if (hit) return hit;
    const f = set.compute(x);
    const out = 'channels' in f ? { shape: [f.channels, f.frames, f.dims], data: f.data } : { shape: [f.frames, f.dims], data: f.data };
    computed.set(x, out);
    return out;
  };
  const enrolled = new Map<string, Normalizer>();
  const statsFor = (speakers: string[] | undefined, u: number): Normalizer | null => {
    if (!cfg.features.speakerNorm) return null;
    const who = speakers?.[u];
    if (who === undefined) throw new Error(`${runDir}: this run normalizes features per speaker (features.speakerNorm); give each signal's speaker`);
    const st = enrolled.get(who);
    if (!st) throw new Error(`${runDir}: speaker '${who}' is not enrolled (a speaker-normalized run needs some of the speaker's utterances first)`);
    return st;
  };
  const examples = (signals: Float32Array[], speakers?: string[]) =>
    makeExamples(signals.map((x, u) => {
      const st = statsFor(speakers, u);
      return normalize(st ? normalize(features(x), st) : features(x), norm);
    }), signals.map(() => 0), model.inputKind, seg);
  return {
    config: cfg, classes: info.classes, model, sampleRateHz: set.sampleRateHz, speakerNorm: cfg.features.speakerNorm,
    enroll: (speaker, signals) => {
      enrolled.set(speaker, fitSpeakerNormalizers(signals.map((x) => ({ speaker, features: features(x) }))).get(speaker)!);
    },
    speakerStats: (speaker) => enrolled.get(speaker),
    predict: (signals, speakers) => {
      const post = predictUtterances(model, examples(signals, speakers), model.inputKind, cfg.features.maxFrames, cfg.training.batchSize);
      return signals.map((_, u) => post.get(u)!);
    },
    embed: (signals, speakers) => {
      const ex = examples(signals, speakers);
      const sums = new Map<number, { v: Float32Array; n: number }>();
      for (let i = 0; i < ex.length; i += cfg.training.batchSize) {
        const part = ex.slice(i, i + cfg.training.batchSize);
        const e = noGrad(() => tidy(() => {
          const b = batchTensors(part, model.inputKind, cfg.features.maxFrames, null);
          return (model.embed(b.x, b.lengths) as Tensor).toArray() as Float32Array;
        }));
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
    dispose: () => model.dispose(),
  };
}

/**
 * Predicts the emotion of each file with the run in `runDir` (all folds averaged, or one). A file
 * that cannot be read or analyzed is listed in `failed` with its reason while the others are
 * predicted; a file without speech gets {@link NO_SPEECH_LABEL}. Speaker-normalized runs enroll
 * each speaker from the given files: `speakerOf(path)` names a file's speaker (default: all
 * files are one speaker).
 */
export async function predictFiles(
  runDir: string, paths: string[], o: { fold?: number; speakerOf?: (path: string) => string } = {},
): Promise<{ classes: string[]; predictions: FilePrediction[]; failed: FileFailure[] }> {
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
  const sums = new Map<string, number[]>();
  for (const k of folds) {
    const fp = await loadFoldPredictor(dir, k);
    classes = fp.classes;
    if (fp.speakerNorm) enrollAll(fp, items.map((it) => it.samples), items.map((it) => it.speaker));
    const r = await settleBatch(items, (xs) => fp.predict(xs.map((x) => x.samples), xs.map((x) => x.speaker)), (x) => x.path);
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
    return [{ path, probs, label: classes[argmax(probs)] }];
  });
  const failedAt = new Map(failed.map((f) => [f.path, f]));
  return { classes, predictions, failed: paths.flatMap((p) => failedAt.get(p) ?? []) };
}

/** Speaker name of every file when `predictFiles` is given no `speakerOf`. */
export const SINGLE_SPEAKER = 'speaker';

/** Enrolls every speaker of `speakers` from their signals (errors name the speakers with too few). */
export function enrollAll(fp: FoldPredictor, signals: Float32Array[], speakers: string[]): void {
  const groups = new Map<string, Float32Array[]>();
  signals.forEach((x, i) => {
    const g = groups.get(speakers[i]);
    if (g) g.push(x);
    else groups.set(speakers[i], [x]);
  });
  for (const [speaker, xs] of groups) fp.enroll(speaker, xs);
}

/**
 * Refuses speaker-normalized runs where no speaker enrollment exists (`what` names the use, e.g.
 * 'ONNX export'): their models expect features standardized with each speaker's statistics.
 */
export function requireUtteranceLevelRun(runDir: string, what: string): void {
  if (runConfig(runDir).features.speakerNorm) {
    throw new Error(`${resolve(runDir)}: ${what} cannot use this run: it normalizes features per speaker (features.speakerNorm) and ${what} has no speaker enrollment; train a run without speakerNorm for it`);
  }
}
