/**
 * A loaded wav2vec 2.0 / HuBERT network behind the {@link Backbone} contract: one utterance in,
 * every layer's hidden states out, long inputs in overlapping chunks so memory stays flat.
 */
import { noGrad, tensor, tidy } from '../../engine/index.js';
import type { Backbone, BackboneInfo, HiddenStates } from '../types.js';
import { WAV2VEC2_SAMPLE_RATE_HZ, convOutputLength, framesFor, hopSamples, receptiveField, type Wav2Vec2Config } from './config.js';
import type { Wav2Vec2 } from './model.js';

/** Longest input (s) run in one pass; longer ones are cut into chunks of this length. */
export const WAV2VEC2_CHUNK_SECONDS = 20;
/** Audio (s) added on each side of a chunk so its frames see the context a whole pass would give. */
export const WAV2VEC2_CONTEXT_SECONDS = 2;
/** Input length (s) at which {@link BackboneInfo.macsPerSecond} is stated (attention grows with length). */
export const MACS_REFERENCE_SECONDS = 10;

/** Multiply-accumulates of one forward pass over `samples` samples. */
export function wav2vec2Macs(c: Wav2Vec2Config, samples: number): number {
  let macs = 0;
  let n = samples;
  let inCh = 1;
  for (const [ch, k, s] of c.convLayers) {
    n = convOutputLength(n, k, s);
    macs += n * ch * inCh * k;
    inCh = ch;
  }
  const t = n;
  const d = c.embedDim;
  macs += t * inCh * d; // feature projection
  macs += t * d * (d / c.posConvGroups) * c.posConvKernel; // positional conv
  const perLayer = t * (4 * d * d + 2 * d * c.ffnDim) + 2 * t * t * d; // projections, feed-forward, QKᵀ and AV
  return macs + c.numLayers * perLayer;
}

/**
 * The backbone of a loaded network. `hiddenStates` zero-pads inputs shorter than one frame's
 * receptive field, and runs inputs longer than {@link WAV2VEC2_CHUNK_SECONDS} in chunks with
 * {@link WAV2VEC2_CONTEXT_SECONDS} of context on each side (frames of the context are dropped),
 * so a 10-minute file needs the memory of a 24 s one.
 */
export function wav2vec2Backbone(name: string, model: Wav2Vec2): Backbone {
  const c = model.config;
  const hop = hopSamples(c);
  const field = receptiveField(c);
  const numLayers = c.numLayers + 1;
  const info: BackboneInfo = {
    name,
    sampleRateHz: WAV2VEC2_SAMPLE_RATE_HZ,
    frameRateHz: WAV2VEC2_SAMPLE_RATE_HZ / hop,
    dims: c.embedDim,
    layerDims: new Array<number>(numLayers).fill(c.embedDim),
    parameters: model.numParameters(),
    minSamples: field,
    macsPerSecond: wav2vec2Macs(c, MACS_REFERENCE_SECONDS * WAV2VEC2_SAMPLE_RATE_HZ) / MACS_REFERENCE_SECONDS,
  };
  const chunk = Math.ceil((WAV2VEC2_CHUNK_SECONDS * WAV2VEC2_SAMPLE_RATE_HZ) / hop) * hop;
  const context = Math.ceil((WAV2VEC2_CONTEXT_SECONDS * WAV2VEC2_SAMPLE_RATE_HZ) / hop) * hop;

  /** Hidden states of x[start, end) as row-major [T, D] arrays, one per layer. */
  const pass = (x: Float32Array): Float32Array[] =>
    noGrad(() => tidy(() => model.hiddenStates(tensor(x, [1, x.length])).map((h) => h.toArray() as Float32Array)));

  return {
    info,
    async hiddenStates(input: Float32Array): Promise<HiddenStates> {
      const x = input.length >= field ? input : Float32Array.from({ length: field }, (_, i) => input[i] ?? 0);
      const frames = framesFor(c, x.length);
      if (x.length <= chunk + 2 * context) return { frames, layerDims: info.layerDims, layers: pass(x) };
      const d = c.embedDim;
      const layers = Array.from({ length: numLayers }, () => new Float32Array(frames * d));
      for (let a = 0; a / hop < frames; a += chunk) {
        const first = a / hop;
        const keep = Math.min(chunk / hop, frames - first);
        const from = Math.max(0, a - context);
        const to = Math.min(x.length, a + chunk + context + field);
        const out = pass(x.subarray(from, to));
        const skip = (a - from) / hop;
        out.forEach((h, l) => layers[l].set(h.subarray(skip * d, (skip + keep) * d), first * d));
      }
      return { frames, layerDims: info.layerDims, layers };
    },
    async dispose() {
      model.dispose();
    },
  };
}
