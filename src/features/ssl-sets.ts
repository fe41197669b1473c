/**
 * Feature sets from the engine backbones (wav2vec 2.0, HuBERT, WavLM, Whisper's encoder, APC,
 * TERA; src/backbones), whose weights the user names (`weights`: a checkpoint file or a Hugging
 * Face folder):
 *
 * - `<backbone>` `[L, T, D]`: every layer's hidden states, one plane per layer, for the Trust-SER
 *   downstream (its learned layer weights) — the layers as wide as the output (all but APC's
 *   input features); with `layer: k` only layer k `[T, D]` (0 = the first hidden state, the
 *   last = the output), for any frame model.
 * - `<backbone>-stats` `[1, 2D]` per layer taken: mean and standard deviation over the
 *   utterance, of one layer (`layer: k`) or of every layer side by side (`layer: 'all'`, the
 *   default), for utterance-vector models.
 *
 * Backbone options (Whisper's `pad`) are feature options too, and so is `tuned`: a run fold's
 * fine-tuned network (loaded over `weights`). The settings key holds a SHA-256 of the weight
 * files (the tuned one included), so features of other weights are never mixed up.
 */
import { ENGINE_BACKBONES, backboneSource, uniformLayers, type BackboneWeights, type HiddenStates } from '../backbones/pure.js';
import { meanStdPool } from './backbone-sets.js';
import { FEATURES_VERSION, mergeOverrides, registerFeatureSet, stableStringify, type FeatureSet } from './registry.js';
import type { Features } from './types.js';

const ALL_LAYERS = 'all';

interface SslOptions extends BackboneWeights {
  layer: number | typeof ALL_LAYERS;
  [option: string]: unknown;
}

/** Layer `k` (negative counts from the output) of `h` as one `[T, D]` plane. */
function oneLayer(h: HiddenStates, k: number, label: string): Features {
  const n = h.layers.length;
  const i = k < 0 ? n + k : k;
  if (i < 0 || i >= n) throw new Error(`feature set '${label}': option 'layer' ${k} is out of range (the backbone has layers 0–${n - 1})`);
  return { data: h.layers[i], channels: 1, frames: h.frames, dims: h.layerDims[i] };
}

/** Every layer as wide as the output as planes `[L, T, D]`. */
function allLayers(h: HiddenStates): Features {
  const keep = uniformLayers(h.layerDims);
  const size = h.frames * h.layerDims[keep[0]];
  const data = new Float32Array(keep.length * size);
  keep.forEach((l, i) => data.set(h.layers[l], i * size));
  return { data, channels: keep.length, frames: h.frames, dims: h.layerDims[keep[0]] };
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
  const facts = ENGINE_BACKBONES[backbone];
  const o = mergeOverrides<SslOptions>(
    name,
    { weights: null, tuned: null, layer: ALL_LAYERS, ...facts.options },
    overrides,
    ['weights', 'tuned'],
    ['layer'],
  );
  if (o.weights !== null && (typeof o.weights !== 'string' || o.weights === ''))
    throw new Error(`feature set '${name}': option 'weights' must be a checkpoint file or folder`);
  if (o.tuned !== null && (typeof o.tuned !== 'string' || o.tuned === ''))
    throw new Error(`feature set '${name}': option 'tuned' must be a fine-tuned backbone file`);
  if (o.layer !== ALL_LAYERS && !Number.isSafeInteger(o.layer))
    throw new Error(`feature set '${name}': option 'layer' must be a layer number or '${ALL_LAYERS}', got ${JSON.stringify(o.layer)}`);
  // What the backbone is loaded with: its weights and its own options.
  const weights: BackboneWeights = {
    ...Object.fromEntries(Object.keys(facts.options).map((k) => [k, o[k]])),
    weights: o.weights,
    ...(o.tuned ? { tuned: o.tuned } : {}),
  };
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
    sampleRateHz: facts.sampleRateHz,
    frameRateHz: pooled ? null : facts.frameRateHz,
    options: { ...o },
    settingsKey,
    backbone: { ...weights, name: backbone },
    // A host that runs the backbone elsewhere (the web app, on an exported graph) provides it under this name.
    models: [{ name: backbone, weights: o.weights }],
    async compute(x) {
      const h = await (await source.load(weights)).hiddenStates(x);
      if (o.layer === ALL_LAYERS) return pooled ? poolLayers(h) : allLayers(h);
      const one = oneLayer(h, o.layer, name);
      return pooled ? meanStdPool(one) : one;
    },
  };
}

for (const b of Object.keys(ENGINE_BACKBONES)) {
  registerFeatureSet({ name: b, create: (o) => sslSet(b, false, o) });
  registerFeatureSet({ name: `${b}-stats`, create: (o) => sslSet(b, true, o) });
}
