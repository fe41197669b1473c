/**
 * Feature sets from frozen backbones (src/backbones):
 *
 * - `speech-embedding` `[W, 96]`: the speech-embedding model's vectors, one per 80 ms (12.5 Hz),
 *   for frame models; with `layers: 'all'`, every layer's vector side by side (the five
 *   convolution blocks' channel means and the embedding, 432 dims).
 * - `speech-embedding-stats` `[1, 2D]` (or `[1, 6D]`): their mean and standard deviation over
 *   the utterance (`pooling: 'mean-std'`), or every functional of mel-functionals
 *   (`pooling: 'functionals'`), for utterance-vector models.
 *
 * Option `weights`: a folder holding the model files, or null for the packaged ones. The
 * settings key holds a hash of the weights, so features of other weights are never mixed up.
 */
import { backboneSource, SE_FRAME_RATE_HZ, SE_SAMPLE_RATE_HZ, SPEECH_EMBEDDING, type BackboneWeights } from '../backbones/pure.js';
import { FUNCTIONAL_NAMES, frameFunctionals } from './functionals.js';
import { FEATURES_VERSION, mergeOverrides, registerFeatureSet, stableStringify, type FeatureSet } from './registry.js';
import type { Features } from './types.js';

export const SPEECH_EMBEDDING_STATS_SET = `${SPEECH_EMBEDDING}-stats`;
/** Utterance pooling of `speech-embedding-stats`: mean + std, or all {@link FUNCTIONAL_NAMES}. */
const SE_POOLINGS = ['mean-std', 'functionals'] as const;
type SePooling = (typeof SE_POOLINGS)[number];
/** Which hidden states a set takes: the model's output, or every layer side by side. */
const SE_LAYERS = ['output', 'all'] as const;
type SeLayers = (typeof SE_LAYERS)[number];
/** Widths of the speech-embedding model's layers (its five blocks, then the embedding). */
const SE_LAYER_DIMS = [24, 48, 72, 96, 96, 96] as const;

interface SeOptions extends BackboneWeights {
  layers: string;
  pooling?: string;
}

async function embeddings(o: BackboneWeights, layers: SeLayers, x: Float32Array): Promise<Features> {
  const backbone = await backboneSource(SPEECH_EMBEDDING).load(o);
  const h = await backbone.hiddenStates(x);
  if (layers === 'output')
    return { data: h.layers[h.layers.length - 1], channels: 1, frames: h.frames, dims: h.layerDims[h.layerDims.length - 1] };
  const dims = h.layerDims.reduce((a, d) => a + d, 0);
  const data = new Float32Array(h.frames * dims);
  for (let t = 0; t < h.frames; t++) {
    let at = t * dims;
    h.layers.forEach((l, k) => {
      const d = h.layerDims[k];
      data.set(l.subarray(t * d, (t + 1) * d), at);
      at += d;
    });
  }
  return { data, channels: 1, frames: h.frames, dims };
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

function pool(f: Features, pooling: SePooling): Features {
  if (pooling === 'mean-std') return meanStdPool(f);
  const data = frameFunctionals(f, [...Array(f.frames).keys()], SE_FRAME_RATE_HZ);
  return { data, channels: 1, frames: 1, dims: data.length };
}

/** Names of the frame dims: `se_<d>` for the output, `se_l<k>_<c>` per layer for all of them. */
function frameNames(layers: SeLayers): string[] {
  const last = SE_LAYER_DIMS.length - 1;
  if (layers === 'output') return Array.from({ length: SE_LAYER_DIMS[last] }, (_, d) => `se_${d}`);
  return SE_LAYER_DIMS.flatMap((n, k) => Array.from({ length: n }, (_, c) => `se_l${k}_${c}`));
}

function backboneSet(name: string, pooled: boolean, overrides: Readonly<Record<string, unknown>> | undefined): FeatureSet {
  const defaults: SeOptions = pooled ? { weights: null, layers: 'output', pooling: 'mean-std' } : { weights: null, layers: 'output' };
  const o = mergeOverrides<SeOptions>(name, defaults, overrides, ['weights']);
  if (o.weights !== null && (typeof o.weights !== 'string' || o.weights === ''))
    throw new Error(`feature set '${name}': option 'weights' must be a folder path or null`);
  const pooling = o.pooling as SePooling;
  if (pooled && !SE_POOLINGS.includes(pooling))
    throw new Error(`feature set '${name}': option 'pooling' must be one of ${SE_POOLINGS.join(', ')}, got '${o.pooling}'`);
  const layers = o.layers as SeLayers;
  if (!SE_LAYERS.includes(layers))
    throw new Error(`feature set '${name}': option 'layers' must be one of ${SE_LAYERS.join(', ')}, got '${o.layers}'`);
  const weights = { weights: o.weights };
  const identity = backboneSource(SPEECH_EMBEDDING).identity(weights);
  // Settings at their defaults stay out of the key, so caches of earlier versions stay valid.
  const settings = {
    backbone: SPEECH_EMBEDDING,
    weights: identity,
    ...(pooled && pooling !== 'mean-std' ? { pooling } : {}),
    ...(layers !== 'output' ? { layers } : {}),
  };
  const key = `${name}@v${FEATURES_VERSION}:${stableStringify(settings)}`;
  const names = frameNames(layers);
  return {
    name,
    kind: pooled ? 'vector' : 'frames',
    sampleRateHz: SE_SAMPLE_RATE_HZ,
    frameRateHz: pooled ? null : SE_FRAME_RATE_HZ,
    options: { ...o },
    settingsKey: () => key,
    models: [{ name: SPEECH_EMBEDDING, weights: o.weights }],
    backbone: { name: SPEECH_EMBEDDING, weights: o.weights },
    compute: async (x) => (pooled ? pool(await embeddings(weights, layers, x), pooling) : embeddings(weights, layers, x)),
    featureNames: () =>
      !pooled
        ? names
        : pooling === 'mean-std'
          ? ['mean', 'std'].flatMap((s) => names.map((n) => `${n}_${s}`))
          : names.flatMap((n) => FUNCTIONAL_NAMES.map((s) => `${n}_${s}`)),
  };
}

registerFeatureSet({ name: SPEECH_EMBEDDING, create: (o) => backboneSet(SPEECH_EMBEDDING, false, o) });
registerFeatureSet({ name: SPEECH_EMBEDDING_STATS_SET, create: (o) => backboneSet(SPEECH_EMBEDDING_STATS_SET, true, o) });
