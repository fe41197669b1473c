/**
 * Loaded APC and TERA networks behind the {@link Backbone} contract: one utterance in, every
 * layer's hidden states out, with memory that stays flat on long inputs.
 *
 * - APC is recurrent: the front end runs over the whole input (its CMVN needs the utterance's
 *   statistics; its spectra are computed in blocks), then the GRUs run in chunks of
 *   {@link APC_CHUNK_FRAMES} frames carrying each layer's state across chunks — the same result
 *   as one pass, up to float rounding.
 * - TERA is a transformer: as s3prl's builder does, inputs longer than the checkpoint's
 *   `sequence_length` (or {@link TERA_DEFAULT_MAX_FRAMES} when it sets none) are cut with
 *   `torch.chunk`'s rule into ⌈T / max⌉ pieces of ⌈T / pieces⌉ frames, each run on its own with
 *   positions from 0, so the output equals s3prl's at any length.
 */
import { noGrad, tensor, tidy, type Tensor } from '../../engine/index.js';
import type { Backbone, HiddenStates } from '../types.js';
import type { Apc } from './apc.js';
import { APC_CHUNK_FRAMES, apcInfo, padTo, teraChunks, teraInfo, teraMaxFrames } from './chunked.js';
import type { Tera } from './tera.js';

export interface ApcBackboneOptions {
  /** Frames per GRU chunk (default {@link APC_CHUNK_FRAMES}). */
  chunkFrames?: number;
}

/**
 * The backbone of a loaded APC network: hidden states at 100 frames/s (the front end's hop),
 * L + 1 of them (the features, then each GRU layer). Inputs shorter than the front end's
 * `minSamples` are zero-padded.
 */
export function apcBackbone(name: string, model: Apc, o: ApcBackboneOptions = {}): Backbone {
  const c = model.config;
  const fe = model.frontEnd;
  const info = apcInfo(name, c, model.encoderParameters(), fe);
  const layerDims = info.layerDims;
  const chunk = o.chunkFrames ?? APC_CHUNK_FRAMES;
  if (!Number.isSafeInteger(chunk) || chunk < 1) throw new Error(`${name}: chunkFrames must be a positive integer, got ${chunk}`);
  return {
    info,
    async hiddenStates(input: Float32Array): Promise<HiddenStates> {
      const x = padTo(input, fe.minSamples);
      return noGrad(() => {
        const feats = tidy(() => fe.forward(tensor(x, [x.length])).unsqueeze(0));
        const frames = feats.shape[1];
        const layers = layerDims.map((d) => new Float32Array(frames * d));
        let state: Tensor[] | null = null;
        try {
          for (let t0 = 0; t0 < frames; t0 += chunk) {
            const prev: Tensor[] | null = state;
            const r = tidy(() => {
              const p = model.forwardFeatures(feats.narrow(1, t0, Math.min(chunk, frames - t0)), prev);
              return { arrays: p.layers.map((h) => h.toArray() as Float32Array), state: p.state };
            });
            for (const s of prev ?? []) s.dispose();
            state = r.state;
            r.arrays.forEach((a, l) => layers[l].set(a, t0 * layerDims[l]));
          }
        } finally {
          for (const s of state ?? []) s.dispose();
          feats.dispose();
        }
        return { frames, layerDims, layers };
      });
    },
    async dispose() {
      model.dispose();
    },
  };
}

export interface TeraBackboneOptions {
  /** Longest pass (transformer frames); default the checkpoint's `sequence_length`, else {@link TERA_DEFAULT_MAX_FRAMES}. */
  maxFrames?: number;
}

/**
 * The backbone of a loaded TERA network: hidden states at 100 / downsample_rate frames/s, L + 1
 * of them (the input representations, then each layer), chunked as s3prl chunks long inputs.
 * Inputs shorter than the front end's `minSamples` are zero-padded.
 */
export function teraBackbone(name: string, model: Tera, o: TeraBackboneOptions = {}): Backbone {
  const c = model.config;
  const fe = model.frontEnd;
  const maxFrames = teraMaxFrames(name, c, o.maxFrames);
  const numLayers = c.numLayers + 1;
  const info = teraInfo(name, c, model.encoderParameters(), model.inputDim, fe, maxFrames);
  return {
    info,
    async hiddenStates(input: Float32Array): Promise<HiddenStates> {
      const x = padTo(input, fe.minSamples);
      return noGrad(() => {
        const feats = tidy(() => model.stackFrames(fe.forward(tensor(x, [x.length]))));
        const frames = feats.shape[0];
        const d = c.hiddenSize;
        const layers = Array.from({ length: numLayers }, () => new Float32Array(frames * d));
        try {
          for (const [start, n] of teraChunks(frames, maxFrames)) {
            const out = tidy(() => model.forwardFrames(feats.narrow(0, start, n).unsqueeze(0)).map((h) => h.toArray() as Float32Array));
            out.forEach((h, l) => layers[l].set(h, start * d));
          }
        } finally {
          feats.dispose();
        }
        return { frames, layerDims: info.layerDims, layers };
      });
    },
    async dispose() {
      model.dispose();
    },
  };
}
