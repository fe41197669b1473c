/**
 * Feature sets from frozen backbones (src/backbones):
 *
 * - `speech-embedding` `[W, 96]`: the speech-embedding model's vectors, one per 80 ms (12.5 Hz),
 *   for frame models.
 * - `speech-embedding-stats` `[1, 192]`: their mean and standard deviation over the utterance,
 *   for utterance-vector models.
 *
 * Option `weights`: a folder holding the model files, or null for the packaged ones. The
 * settings key holds a hash of the weights, so features of other weights are never mixed up.
 */
import {
  backboneSource,
  SE_EMBEDDING_DIMS,
  SE_FRAME_RATE_HZ,
  SE_SAMPLE_RATE_HZ,
  SPEECH_EMBEDDING,
  type BackboneWeights,
} from '../backbones/pure.js';
import { FEATURES_VERSION, mergeOverrides, registerFeatureSet, stableStringify, type FeatureSet } from './registry.js';
import { FUNCTIONAL_NAMES, frameFunctionals } from './functionals.js';
import type { Features } from './types.js';

export const SPEECH_EMBEDDING_STATS_SET = `${SPEECH_EMBEDDING}-stats`;

async function embeddings(o: BackboneWeights, x: Float32Array): Promise<Features> {
  const backbone = await backboneSource(SPEECH_EMBEDDING).load(o);
  const h = await backbone.hiddenStates(x);
  return { data: h.layers[0], channels: 1, frames: h.frames, dims: h.dims };
}

/** Mean and standard deviation (population) of every dim over the frames: `[1, 1, 2D]`. */
export function meanStdPool(f: Features): Features {
  const { frames: T, dims: D, data } = f;
  const out = new Float32Array(2 * D);
  for (let d = 0; d < D; d++) {
    let s = 0;
    for (let t = 0; t < T; t++) s += data[t * D + d];
    const mean = s / T;
    let v = 0;
    for (let t = 0; t < T; t++) v += (data[t * D + d] - mean) ** 2;
    out[d] = mean;
    out[D + d] = Math.sqrt(v / T);
  }
  return { data: out, channels: 1, frames: 1, dims: 2 * D };
}

/** Utterance pooling of `speech-embedding-stats`: mean + std, or all {@link FUNCTIONAL_NAMES}. */
const SE_POOLINGS = ['mean-std', 'functionals'] as const;
type SePooling = (typeof SE_POOLINGS)[number];

function pool(f: Features, pooling: SePooling): Features {
  if (pooling === 'mean-std') return meanStdPool(f);
  const data = frameFunctionals(f, [...Array(f.frames).keys()], SE_FRAME_RATE_HZ);
  return { data, channels: 1, frames: 1, dims: data.length };
}

function backboneSet(name: string, pooled: boolean, overrides: Readonly<Record<string, unknown>> | undefined): FeatureSet {
  const defaults = pooled ? { weights: null, pooling: 'mean-std' } : { weights: null };
  const o = mergeOverrides<BackboneWeights & { pooling?: string }>(name, defaults, overrides, ['weights']);
  if (o.weights !== null && (typeof o.weights !== 'string' || o.weights === ''))
    throw new Error(`feature set '${name}': option 'weights' must be a folder path or null`);
  const pooling = o.pooling as SePooling;
  if (pooled && !SE_POOLINGS.includes(pooling))
    throw new Error(`feature set '${name}': option 'pooling' must be one of ${SE_POOLINGS.join(', ')}, got '${o.pooling}'`);
  const identity = backboneSource(SPEECH_EMBEDDING).identity(o);
  const settings =
    pooled && pooling !== 'mean-std'
      ? { backbone: SPEECH_EMBEDDING, weights: identity, pooling }
      : { backbone: SPEECH_EMBEDDING, weights: identity };
  const key = `${name}@v${FEATURES_VERSION}:${stableStringify(settings)}`;
  return {
    name,
    kind: pooled ? 'vector' : 'frames',
    sampleRateHz: SE_SAMPLE_RATE_HZ,
    frameRateHz: pooled ? null : SE_FRAME_RATE_HZ,
    options: { ...o },
    settingsKey: () => key,
    compute: async (x) => (pooled ? pool(await embeddings(o, x), pooling) : embeddings(o, x)),
    featureNames: () =>
      !pooled
        ? Array.from({ length: SE_EMBEDDING_DIMS }, (_, d) => `se_${d}`)
        : pooling === 'mean-std'
          ? ['mean', 'std'].flatMap((s) => Array.from({ length: SE_EMBEDDING_DIMS }, (_, d) => `se_${s}_${d}`))
          : Array.from({ length: SE_EMBEDDING_DIMS }, (_, d) => FUNCTIONAL_NAMES.map((s) => `se_${d}_${s}`)).flat(),
  };
}

registerFeatureSet({ name: SPEECH_EMBEDDING, create: (o) => backboneSet(SPEECH_EMBEDDING, false, o) });
registerFeatureSet({ name: SPEECH_EMBEDDING_STATS_SET, create: (o) => backboneSet(SPEECH_EMBEDDING_STATS_SET, true, o) });
