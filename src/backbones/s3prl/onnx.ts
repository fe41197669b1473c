/**
 * APC and TERA exported to ONNX, run by ONNX Runtime (Node or browser; see ../exported.ts): the
 * front end in TypeScript (./features.ts), the network graph as `trustser export` writes it —
 * APC in chunks of {@link APC_CHUNK_FRAMES} frames with the GRU states carried over, TERA in
 * s3prl's chunks, each from position 0 — so the output is the engine backbone's.
 */
import { splitLayerOutput } from '../onnx-info.js';
import type { Backbone, HiddenStates, OrtLike, OrtTensorLike } from '../types.js';
import { APC_CHUNK_FRAMES, apcInfo, padTo, teraChunks, teraInfo, teraMaxFrames } from './chunked.js';
import type { ApcConfig, TeraConfig } from './config.js';
import { S3prlFeatures } from './features.js';

/** Graph inputs and outputs (src/runtime/export/s3prl.ts writes them). */
export const S3PRL_GRAPH_IO = { features: 'features', state: 'state', hidden: 'hidden_states', stateOut: 'state_out' } as const;

function floats(t: OrtTensorLike, label: string): Float32Array {
  if (!(t.data instanceof Float32Array)) throw new Error(`${label}: expected a float32 output`);
  return t.data;
}

/** Opens an exported APC graph of config `c` (`parameters` in its GRUs) as backbone `apc`. */
export async function openExportedApc(
  ort: OrtLike,
  bytes: Uint8Array,
  c: ApcConfig,
  parameters: number,
  sessionOptions: Record<string, unknown> = {},
): Promise<Backbone> {
  const session = await ort.InferenceSession.create(bytes, sessionOptions);
  const fe = new S3prlFeatures(c.frontEnd);
  const info = apcInfo('apc', c, parameters, fe);
  const [L, H, D] = [c.numLayers, c.hiddenSize, c.inputDim];
  return {
    info,
    async hiddenStates(input: Float32Array): Promise<HiddenStates> {
      const feats = fe.features(padTo(input, fe.minSamples));
      const frames = feats.length / D;
      const layers = [feats, ...Array.from({ length: L }, () => new Float32Array(frames * H))];
      let state = new Float32Array(L * H);
      for (let t0 = 0; t0 < frames; t0 += APC_CHUNK_FRAMES) {
        const n = Math.min(APC_CHUNK_FRAMES, frames - t0);
        const r = await session.run({
          [S3PRL_GRAPH_IO.features]: new ort.Tensor('float32', feats.subarray(t0 * D, (t0 + n) * D), [1, n, D]),
          [S3PRL_GRAPH_IO.state]: new ort.Tensor('float32', state, [L, 1, H]),
        });
        splitLayerOutput(r[S3PRL_GRAPH_IO.hidden], L, H, 'apc graph').forEach((h, l) => layers[l + 1].set(h, t0 * H));
        state = floats(r[S3PRL_GRAPH_IO.stateOut], 'apc graph').slice();
      }
      return { frames, layerDims: info.layerDims, layers };
    },
    async dispose() {
      await session.release?.();
    },
  };
}

/** Opens an exported TERA graph of config `c` (`parameters` in its transformer) as backbone `tera`. */
export async function openExportedTera(
  ort: OrtLike,
  bytes: Uint8Array,
  c: TeraConfig,
  parameters: number,
  sessionOptions: Record<string, unknown> = {},
): Promise<Backbone> {
  const session = await ort.InferenceSession.create(bytes, sessionOptions);
  const fe = new S3prlFeatures(c.frontEnd, c.downsampleRate);
  const r = c.downsampleRate;
  const inputDim = fe.dims * r;
  const maxFrames = teraMaxFrames('tera', c);
  const info = teraInfo('tera', c, parameters, inputDim, fe, maxFrames);
  const H = c.hiddenSize;
  return {
    info,
    async hiddenStates(input: Float32Array): Promise<HiddenStates> {
      const feats = fe.features(padTo(input, fe.minSamples));
      // r consecutive frames side by side (row-major [T, D] → [⌊T / r⌋, D·r]), the rest dropped.
      const frames = Math.floor(feats.length / inputDim);
      const layers = info.layerDims.map(() => new Float32Array(frames * H));
      for (const [start, n] of teraChunks(frames, maxFrames)) {
        const x = feats.subarray(start * inputDim, (start + n) * inputDim);
        const out = await session.run({ [S3PRL_GRAPH_IO.features]: new ort.Tensor('float32', x, [1, n, inputDim]) });
        splitLayerOutput(out[S3PRL_GRAPH_IO.hidden], c.numLayers + 1, H, 'tera graph').forEach((h, l) => layers[l].set(h, start * H));
      }
      return { frames, layerDims: info.layerDims, layers };
    },
    async dispose() {
      await session.release?.();
    },
  };
}
