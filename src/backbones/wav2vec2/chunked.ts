/**
 * A wav2vec 2.0 / HuBERT / WavLM network behind the {@link Backbone} contract, whatever runs it
 * (the engine, or ONNX Runtime on an exported graph; no engine here, so the web app can use it):
 * its facts and cost, and one utterance in, every layer's hidden states out, long inputs in
 * overlapping chunks so memory stays flat.
 */
import type { Backbone, BackboneInfo, HiddenStates } from '../types.js';
import { WAV2VEC2_SAMPLE_RATE_HZ, type Wav2Vec2Config } from './config.js';
import { convOutputLength, framesFor, hopSamples, receptiveField } from './geometry.js';

/**
 * Most frames one pass produces (20 s at the 50 Hz of every published checkpoint); longer inputs
 * are cut into chunks of this many frames. Counted in frames, not seconds, because attention
 * memory grows with the square of the frame count, whatever the convolutional stride.
 */
export const WAV2VEC2_CHUNK_FRAMES = 1000;
/** Frames of context (2 s at 50 Hz) added on each side of a chunk so its frames see what a whole pass would give. */
export const WAV2VEC2_CONTEXT_FRAMES = 100;
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
  // WavLM's gate: a headDim → 8 projection per frame and head, and one product per score.
  if (c.relativePosition) macs += c.numLayers * (c.relativePosition.gated ? t * d * 8 + t * t * c.numHeads : 0);
  return macs + c.numLayers * perLayer;
}

/** Facts of a network of config `c` with `parameters` parameters, as backbone `name`. */
export function wav2vec2Info(name: string, c: Wav2Vec2Config, parameters: number): BackboneInfo {
  return {
    name,
    sampleRateHz: WAV2VEC2_SAMPLE_RATE_HZ,
    frameRateHz: WAV2VEC2_SAMPLE_RATE_HZ / hopSamples(c),
    dims: c.embedDim,
    layerDims: new Array<number>(c.numLayers + 1).fill(c.embedDim),
    parameters,
    minSamples: receptiveField(c),
    macsPerSecond: wav2vec2Macs(c, MACS_REFERENCE_SECONDS * WAV2VEC2_SAMPLE_RATE_HZ) / MACS_REFERENCE_SECONDS,
  };
}

/**
 * Normalises a waveform to zero mean and unit (population) variance with `eps` added to the
 * variance (statistics in float64), as a checkpoint trained on normalised audio needs.
 */
function normalizeWaveform(x: Float32Array, eps: number): Float32Array {
  let mean = 0;
  for (const v of x) mean += v;
  mean /= x.length;
  let variance = 0;
  for (const v of x) variance += (v - mean) ** 2;
  const scale = 1 / Math.sqrt(variance / x.length + eps);
  return x.map((v) => (v - mean) * scale);
}

/** One pass of a network over a whole (normalised) input: row-major [T, D] arrays, one per layer. */
export type Wav2Vec2Pass = (x: Float32Array) => Float32Array[] | Promise<Float32Array[]>;

/**
 * The backbone of a network of config `c` run by `pass` (on the engine, or ONNX Runtime).
 * `hiddenStates` normalises the input when the checkpoint needs it, zero-pads inputs shorter
 * than one frame's receptive field, and runs inputs longer than {@link WAV2VEC2_CHUNK_FRAMES}
 * frames in chunks with {@link WAV2VEC2_CONTEXT_FRAMES} frames of context on each side (frames of the context
 * are dropped), so a 10-minute file needs the memory of a 24 s one (at 50 Hz).
 */
export function chunkedWav2Vec2(info: BackboneInfo, c: Wav2Vec2Config, pass: Wav2Vec2Pass, dispose: () => Promise<void>): Backbone {
  const hop = hopSamples(c);
  const field = receptiveField(c);
  const chunk = WAV2VEC2_CHUNK_FRAMES * hop;
  const context = WAV2VEC2_CONTEXT_FRAMES * hop;
  const eps = c.waveformNormEps;
  return {
    info,
    async hiddenStates(input: Float32Array): Promise<HiddenStates> {
      const padded = input.length >= field ? input : Float32Array.from({ length: field }, (_, i) => input[i] ?? 0);
      // Normalised once over the whole input, as one pass would (chunks must not each be normalised).
      const x = eps === null ? padded : normalizeWaveform(padded, eps);
      const frames = framesFor(c, x.length);
      if (x.length <= chunk + 2 * context) return { frames, layerDims: info.layerDims, layers: await pass(x) };
      const d = c.embedDim;
      const layers = info.layerDims.map(() => new Float32Array(frames * d));
      for (let a = 0; a / hop < frames; a += chunk) {
        const first = a / hop;
        const keep = Math.min(chunk / hop, frames - first);
        const from = Math.max(0, a - context);
        const to = Math.min(x.length, a + chunk + context + field);
        const out = await pass(x.subarray(from, to));
        const skip = (a - from) / hop;
        out.forEach((h, l) => layers[l].set(h.subarray(skip * d, (skip + keep) * d), first * d));
      }
      return { frames, layerDims: info.layerDims, layers };
    },
    dispose,
  };
}
