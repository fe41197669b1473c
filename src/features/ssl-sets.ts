/**
 * Feature sets from the engine's self-supervised backbones (wav2vec 2.0, HuBERT; src/backbones),
 * whose weights the user names (`weights`: a checkpoint file or a Hugging Face folder):
 *
 * - `wav2vec2` / `hubert` `[L+1, T, D]`: every layer's hidden states, one plane per layer, for
 *   the Trust-SER downstream (its learned layer weights); with `layer: k` only layer k `[T, D]`
 *   (0 = the transformer input, L = the output), for any frame model.
 * - `wav2vec2-stats` / `hubert-stats` `[1, 2D]` per layer taken: mean and standard deviation
 *   over the utterance, of one layer (`layer: k`) or of every layer side by side
 *   (`layer: 'all'`, the default), for utterance-vector models.
 *
 * The settings key holds a SHA-256 of the weight files, so features of other weights are
 * never mixed up.
 */
import { WAV2VEC2_ARCHS, WAV2VEC2_SAMPLE_RATE_HZ, backboneSource, type BackboneWeights, type HiddenStates } from '../backbones/pure.js';
import { meanStdPool } from './backbone-sets.js';
import { FEATURES_VERSION, mergeOverrides, registerFeatureSet, stableStringify, type FeatureSet } from './registry.js';
import type { Features } from './types.js';

/** Frame rate of the published models' feature encoder (Hz; a 320-sample hop). */
const SSL_FRAME_RATE_HZ = 50;
const ALL_LAYERS = 'all';

interface SslOptions extends BackboneWeights {
  layer: number | typeof ALL_LAYERS;
}

/** Layer `k` (negative counts from the output) of `h` as one `[T, D]` plane. */
function oneLayer(h: HiddenStates, k: number, label: string): Features {
  const n = h.layers.length;
  const i = k < 0 ? n + k : k;
  if (i < 0 || i >= n) throw new Error(`feature set '${label}': option 'layer' ${k} is out of range (the backbone has layers 0–${n - 1})`);
  return { data: h.layers[i], channels: 1, frames: h.frames, dims: h.layerDims[i] };
}

/** Every layer as planes `[L, T, D]`. */
function allLayers(h: HiddenStates): Features {
  const size = h.frames * h.layerDims[0];
  const data = new Float32Array(h.layers.length * size);
  h.layers.forEach((l, i) => data.set(l, i * size));
  return { data, channels: h.layers.length, frames: h.frames, dims: h.layerDims[0] };
}

/** Mean and std of every layer, the layers' vectors side by side: `[1, 1, 2D·L]`. */
function poolLayers(h: HiddenStates): Features {
  const parts = h.layers.map((data, i) => meanStdPool({ data, channels: 1, frames: h.frames, dims: h.layerDims[i] }).data);
  const out = new Float32Array(parts.reduce((a, p) => a + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return { data: out, channels: 1, frames: 1, dims: out.length };
}

function sslSet(backbone: string, pooled: boolean, overrides: Readonly<Record<string, unknown>> | undefined): FeatureSet {
  const name = pooled ? `${backbone}-stats` : backbone;
  const o = mergeOverrides<SslOptions>(name, { weights: null, layer: ALL_LAYERS }, overrides, ['weights'], ['layer']);
  if (o.weights !== null && (typeof o.weights !== 'string' || o.weights === ''))
    throw new Error(`feature set '${name}': option 'weights' must be a checkpoint file or folder`);
  if (o.layer !== ALL_LAYERS && !Number.isSafeInteger(o.layer))
    throw new Error(`feature set '${name}': option 'layer' must be a layer number or '${ALL_LAYERS}', got ${JSON.stringify(o.layer)}`);
  const weights = { weights: o.weights };
  const source = backboneSource(backbone);
  // Hashing the weights reads them, so it waits until the key is needed (and names a missing path then).
  let key: string | null = null;
  const settingsKey = (): string => {
    key ??= `${name}@v${FEATURES_VERSION}:${stableStringify({ backbone, weights: source.identity(weights), layer: o.layer })}`;
    return key;
  };
  const kind = pooled ? 'vector' : o.layer === ALL_LAYERS ? 'layers' : 'frames';
  return {
    name,
    kind,
    sampleRateHz: WAV2VEC2_SAMPLE_RATE_HZ,
    frameRateHz: pooled ? null : SSL_FRAME_RATE_HZ,
    options: { ...o },
    settingsKey,
    backbone: { name: backbone, weights: o.weights },
    async compute(x) {
      const h = await (await source.load(weights)).hiddenStates(x);
      if (o.layer === ALL_LAYERS) return pooled ? poolLayers(h) : allLayers(h);
      const one = oneLayer(h, o.layer, name);
      return pooled ? meanStdPool(one) : one;
    },
  };
}

for (const b of WAV2VEC2_ARCHS) {
  registerFeatureSet({ name: b, create: (o) => sslSet(b, false, o) });
  registerFeatureSet({ name: `${b}-stats`, create: (o) => sslSet(b, true, o) });
}
