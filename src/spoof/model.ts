/**
 * The spoofing countermeasure as the spoof commands use it: plain AASIST, or AASIST conditioned
 * on the emotion embeddings of a trained SER run (Emotion-aware AASIST), behind one
 * `forward(wave, paths)` so that scoring and training need not know which.
 */
import { existsSync } from 'node:fs';
import { z } from 'zod';
import { join, resolve } from 'node:path';
import { loadAudio } from '../audio/index.js';
import { loadModule, tensor, type Tensor } from '../engine/index.js';
import { loadWav2Vec2, Wav2Vec2, type Wav2Vec2Config } from '../backbones/index.js';
import {
  Aasist,
  AasistEmotion,
  AasistSsl,
  Amsdf,
  AMSDF_EMOTION_NODES,
  EMOTION_CONDITIONING_MODES,
  SPOOF_VAD_MODES,
  loadAasistWeights,
  newAasistSsl,
  type EmotionConditioning,
  type SpoofVad,
} from '../models/index.js';
import { loadFold, requireUtteranceLevelRun } from '../run/index.js';
import { packageRoot, readJsonWith } from '../core/index.js';

/** Named published weights and their file names. */
export const PUBLISHED_AASIST: Readonly<Record<string, string>> = { aasist: 'AASIST.pth', 'aasist-l': 'AASIST-L.pth' };
/** Environment variable naming the folder that holds the published weights. */
export const AASIST_DIR_ENV = 'TRUSTSER_AASIST_DIR';
/** Fine-tuned model file inside a `trustser spoof train` run folder. */
export const SPOOF_RUN_MODEL = 'model.safetensors';

/** Folders searched for the published weights: $TRUSTSER_AASIST_DIR, then ../shared/models/aasist beside the package. */
export function aasistWeightDirs(): string[] {
  const dirs = [join(packageRoot(), '..', 'shared', 'models', 'aasist')];
  const env = process.env[AASIST_DIR_ENV];
  return env ? [resolve(env), ...dirs] : dirs;
}

/**
 * Resolves a weights spec: `aasist` / `aasist-l` name the published weights (looked up locally,
 * never downloaded), anything else is a path to a `.pth` or `.safetensors` file.
 */
export function resolveSpoofWeights(spec: string): string {
  const name = PUBLISHED_AASIST[spec.toLowerCase()];
  if (!name) {
    if (!existsSync(spec))
      throw new Error(`spoof model '${spec}': no such file (use aasist, aasist-l, a .pth/.safetensors file or a spoof train run folder)`);
    return resolve(spec);
  }
  const found = aasistWeightDirs()
    .map((d) => join(d, name))
    .find((p) => existsSync(p));
  if (!found)
    throw new Error(
      `spoof model '${spec}': ${name} not found in ${aasistWeightDirs().join(' or ')} (set ${AASIST_DIR_ENV} to the folder holding it)`,
    );
  return found;
}

/** Countermeasure architectures `spoof train` builds: AASIST (sinc front end), AASIST with a wav2vec 2.0 front end, AMSDF (audio + emotion views). */
export const SPOOF_ARCHS = ['aasist', 'aasist-wav2vec', 'amsdf'] as const;
export type SpoofArch = (typeof SPOOF_ARCHS)[number];
/** `init` of an AASIST-wav2vec run trained from scratch (the small front end, random weights). */
export const RANDOM_INIT = 'random';

/**
 * The network a `spoof train` run starts from. AASIST: `init` = published weights or a file.
 * AASIST-wav2vec: `init` = {@link RANDOM_INIT} or a wav2vec 2.0 / HuBERT / WavLM checkpoint
 * (XLSR and other fairseq `.pt`, Hugging Face folders, torchaudio state dicts) for the front end;
 * the back end starts from random weights. AMSDF (needs `emotionDim`): `init` = AASIST weights
 * for its audio view (`aasist` or a file) or {@link RANDOM_INIT}.
 */
export function initialSpoofNetwork(arch: SpoofArch, init: string, emotionDim?: number): SpoofNetwork {
  if (arch === 'aasist') return loadAasistWeights(resolveSpoofWeights(init));
  if (arch === 'amsdf') {
    if (emotionDim === undefined) throw new Error('amsdf needs emotion embeddings (give --emotion-model RUN_DIR)');
    const m = new Amsdf({ emotionDim });
    if (init !== RANDOM_INIT) {
      const aasist = loadAasistWeights(resolveSpoofWeights(init));
      try {
        m.adoptAudioView(aasist);
      } catch (e) {
        throw new Error(`amsdf --init ${init}: its audio view takes AASIST's encoder (not AASIST-L's): ${(e as Error).message}`);
      } finally {
        aasist.dispose();
      }
    }
    return m;
  }
  if (init === RANDOM_INIT) return newAasistSsl();
  return new AasistSsl(loadWav2Vec2(init).model);
}

/** A countermeasure network before any emotion conditioning. */
export type SpoofNetwork = Aasist | AasistSsl | Amsdf;

/** Emotion embeddings keyed by audio path. */
export type EmotionEmbeddings = Map<string, Float32Array>;

/** A countermeasure: logits [B, 2] = [spoof, bona fide] for waveforms [B, samples] read from `paths`. */
export interface SpoofModel {
  module: Aasist | AasistEmotion | AasistSsl | Amsdf;
  conditioning: EmotionConditioning | 'none';
  /** What of each clip it hears (see {@link SPOOF_VAD_MODES}); scoring applies it. */
  vad: SpoofVad;
  forward(wave: Tensor, paths: readonly string[]): Tensor;
}

/**
 * Wraps a countermeasure, conditioned on `emotions` unless `conditioning` is 'none' (AASIST
 * only), hearing clips through `vad` (default all of each clip).
 */
export function wrapSpoofModel(
  aasist: SpoofNetwork,
  conditioning: EmotionConditioning | 'none',
  emotions: EmotionEmbeddings | null,
  vad: SpoofVad = 'none',
): SpoofModel {
  return { ...wrapNetwork(aasist, conditioning, emotions), vad };
}

function wrapNetwork(
  aasist: SpoofNetwork,
  conditioning: EmotionConditioning | 'none',
  emotions: EmotionEmbeddings | null,
): Omit<SpoofModel, 'vad'> {
  if (aasist instanceof Amsdf) {
    if (!emotions) throw new Error('amsdf needs emotion embeddings (give --emotion-model RUN_DIR)');
    const [n, dim] = [aasist.emotionNodes, aasist.emotionDim];
    return {
      module: aasist,
      conditioning: 'none',
      forward: (w, paths) => aasist.forward(w, stackEmbeddings(emotions, paths, n * dim).view([paths.length, n, dim])),
    };
  }
  if (conditioning === 'none') return { module: aasist, conditioning, forward: (w) => aasist.forward(w) };
  if (!(aasist instanceof Aasist)) throw new Error(`conditioning '${conditioning}' works with AASIST only, not with AASIST-wav2vec`);
  const first = emotions?.values().next().value;
  if (!emotions || !first) throw new Error(`conditioning '${conditioning}' needs emotion embeddings (give --emotion-model RUN_DIR)`);
  const dim = first.length;
  const m = new AasistEmotion({ mode: conditioning, emotionDim: dim, aasist });
  return { module: m, conditioning, forward: (w, paths) => m.forward(w, stackEmbeddings(emotions, paths, dim)) };
}

/** The embeddings of `paths` (each of `width` values) as a [paths, width] tensor. */
function stackEmbeddings(emotions: EmotionEmbeddings, paths: readonly string[], width: number): Tensor {
  const data = new Float32Array(paths.length * width);
  paths.forEach((p, i) => {
    const e = emotions.get(resolve(p));
    if (!e) throw new Error(`no emotion embedding for ${p}`);
    if (e.length !== width) throw new Error(`the emotion embedding of ${p} has ${e.length} values, expected ${width}`);
    data.set(e, i * width);
  });
  return tensor(data, [paths.length, width]);
}

/** Length of each emotion window of an AMSDF emotion view (s); a shorter clip gives windows of its length. */
export const EMOTION_WINDOW_S = 1;
/** Whole files embedded per call of the SER model. */
const FILES_PER_CALL = 64;

/** `n` windows of {@link EMOTION_WINDOW_S} spread evenly over `x` (first at the start, last at the end). */
function emotionWindows(x: Float32Array, sampleRateHz: number, n: number): Float32Array[] {
  const w = Math.min(x.length, Math.round(EMOTION_WINDOW_S * sampleRateHz));
  return Array.from({ length: n }, (_, k) => {
    const start = Math.round(((x.length - w) * k) / (n - 1));
    return x.slice(start, start + w);
  });
}

/**
 * Emotion embeddings of `paths` from fold 0 of a SER run (its utterance embedding, penultimate
 * layer): one per file, or with `windows` (AMSDF's emotion view) the embeddings of that many
 * {@link EMOTION_WINDOW_S} windows spread over each file, flattened to [windows × dim].
 */
export async function emotionEmbeddings(
  runDir: string,
  paths: readonly string[],
  o: { windows?: number } = {},
): Promise<EmotionEmbeddings> {
  const windows = o.windows;
  requireUtteranceLevelRun(runDir, windows ? 'the emotion view of AMSDF' : 'emotion conditioning of the spoof model');
  const predictor = await loadFold(runDir, 0);
  const rate = predictor.sampleRateHz;
  try {
    const out: EmotionEmbeddings = new Map();
    // Many whole files per call, or one file's windows.
    const chunk = windows ? 1 : FILES_PER_CALL;
    for (let i = 0; i < paths.length; i += chunk) {
      const part = paths.slice(i, i + chunk);
      const signals = await Promise.all(part.map(async (p) => (await loadAudio(p, { sampleRateHz: rate })).samples));
      if (!windows) {
        (await predictor.embed(signals)).forEach((e, j) => out.set(resolve(part[j]), e));
        continue;
      }
      const embedded = await predictor.embed(emotionWindows(signals[0], rate, windows));
      const flat = new Float32Array(windows * embedded[0].length);
      embedded.forEach((e, k) => flat.set(e, k * e.length));
      out.set(resolve(part[0]), flat);
    }
    return out;
  } finally {
    predictor.dispose();
  }
}

/** What loading needs of a spoof run's config.json (the rest is for resuming training). */
const SpoofRunConfigSchema = z.object({
  init: z.string().min(1),
  model: z.enum(SPOOF_ARCHS).default('aasist'),
  /** The wav2vec 2.0 front end's architecture (AASIST-wav2vec runs). */
  frontEnd: z.record(z.string(), z.unknown()).optional(),
  /** The emotion view's width and nodes (AMSDF runs). */
  emotionDim: z.number().int().positive().optional(),
  emotionNodes: z.number().int().min(2).optional(),
  conditioning: z.enum(['none', ...EMOTION_CONDITIONING_MODES]).default('none'),
  vad: z.enum(SPOOF_VAD_MODES).default('none'),
});

/**
 * Loads a countermeasure from `spec`: published weights (`aasist`, `aasist-l`), a weights file,
 * or a `trustser spoof train` run folder (whose conditioning, if any, needs `emotionRun` to embed
 * the files being scored, `paths`).
 */
export async function loadSpoofModel(spec: string, o: { emotionRun?: string; paths?: readonly string[] } = {}): Promise<SpoofModel> {
  const runConfig = join(spec, 'config.json');
  if (!existsSync(runConfig)) return wrapSpoofModel(loadAasistWeights(resolveSpoofWeights(spec)), 'none', null);
  const cfg = readJsonWith(runConfig, SpoofRunConfigSchema, 'the spoof run configuration');
  if (!existsSync(join(spec, SPOOF_RUN_MODEL))) throw new Error(`${resolve(spec)}: not a finished spoof train run (no ${SPOOF_RUN_MODEL})`);
  const conditioning = cfg.conditioning ?? 'none';
  let emotions: EmotionEmbeddings | null = null;
  if (conditioning !== 'none' || cfg.model === 'amsdf') {
    const what = cfg.model === 'amsdf' ? 'an AMSDF model (its emotion view)' : `conditioned on emotion ('${conditioning}')`;
    if (!o.emotionRun) throw new Error(`${resolve(spec)} is ${what}: give --emotion-model RUN_DIR`);
    const windows = cfg.model === 'amsdf' ? (cfg.emotionNodes ?? AMSDF_EMOTION_NODES) : undefined;
    emotions = await emotionEmbeddings(o.emotionRun, o.paths ?? [], { windows });
  }
  let network: SpoofNetwork;
  if (cfg.model === 'amsdf') {
    if (!cfg.emotionDim) throw new Error(`${resolve(runConfig)}: an amsdf run needs its 'emotionDim'`);
    network = new Amsdf({ emotionDim: cfg.emotionDim, emotionNodes: cfg.emotionNodes });
  } else if (cfg.model === 'aasist-wav2vec') {
    if (!cfg.frontEnd) throw new Error(`${resolve(runConfig)}: an aasist-wav2vec run needs its 'frontEnd' architecture`);
    network = new AasistSsl(new Wav2Vec2(cfg.frontEnd as unknown as Wav2Vec2Config));
  } else network = loadAasistWeights(resolveSpoofWeights(cfg.init));
  const model = wrapSpoofModel(network, conditioning, emotions, cfg.vad);
  await loadModule(model.module, join(spec, SPOOF_RUN_MODEL));
  model.module.eval();
  return model;
}
