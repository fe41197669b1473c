/** A wav2vec 2.0 / HuBERT / WavLM backbone exported to ONNX, run by ONNX Runtime (Node or browser; see ../exported.ts). */
import { splitLayerOutput } from '../onnx-info.js';
import type { Backbone, OrtLike } from '../types.js';
import { chunkedWav2Vec2, wav2vec2Info } from './chunked.js';
import type { Wav2Vec2Arch, Wav2Vec2Config } from './config.js';

/** Input and output of the graph: waveform [1, samples] → hidden states [L + 1, 1, frames, D]. */
export const EXPORTED_BACKBONE_INPUT = 'waveform';
const OUTPUT = 'hidden_states';

/** Opens the exported graph of a network of config `c` (`parameters` parameters) as backbone `arch`. */
export async function openExportedWav2Vec2(
  ort: OrtLike,
  bytes: Uint8Array,
  arch: Wav2Vec2Arch,
  c: Wav2Vec2Config,
  parameters: number,
  sessionOptions: Record<string, unknown> = {},
): Promise<Backbone> {
  const session = await ort.InferenceSession.create(bytes, sessionOptions);
  const info = wav2vec2Info(arch, c, parameters);
  const pass = async (x: Float32Array): Promise<Float32Array[]> => {
    const r = await session.run({ [EXPORTED_BACKBONE_INPUT]: new ort.Tensor('float32', x, [1, x.length]) });
    return splitLayerOutput(r[OUTPUT], info.layerDims.length, c.embedDim, `${arch} graph`);
  };
  return chunkedWav2Vec2(info, c, pass, async () => {
    await session.release?.();
  });
}
