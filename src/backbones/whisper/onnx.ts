/**
 * A Whisper encoder exported to ONNX, run by ONNX Runtime (Node or browser; see ../exported.ts):
 * the log-mel in TypeScript (./logmel.ts), the encoder graph per 30 s window.
 */
import { splitLayerOutput } from '../onnx-info.js';
import type { Backbone, OrtLike } from '../types.js';
import { chunkedWhisper, whisperInfo } from './chunked.js';
import type { WhisperEncoderConfig } from './config.js';
import { WhisperLog10Mel } from './logmel.js';
import type { WhisperPad } from './windows.js';

/** Input and output of the graph: Whisper's input [1, nMels, melFrames] → hidden states [L + 1, 1, frames, D]. */
export const WHISPER_INPUT = 'log_mel';
const OUTPUT = 'hidden_states';

/** Opens the exported encoder graph of config `c` (`parameters` parameters) as backbone `whisper`. */
export async function openExportedWhisper(
  ort: OrtLike,
  bytes: Uint8Array,
  c: WhisperEncoderConfig,
  parameters: number,
  pad: WhisperPad,
  sessionOptions: Record<string, unknown> = {},
): Promise<Backbone> {
  const session = await ort.InferenceSession.create(bytes, sessionOptions);
  const info = whisperInfo('whisper', c, parameters, pad);
  const mel = new WhisperLog10Mel(c.nMels);
  return chunkedWhisper(
    info,
    pad,
    {
      log10Mel: (signal, first, count) => mel.frames(signal, first, count),
      async encode(input, melFrames) {
        const r = await session.run({ [WHISPER_INPUT]: new ort.Tensor('float32', input, [1, c.nMels, melFrames]) });
        return splitLayerOutput(r[OUTPUT], c.layers + 1, c.width, 'whisper graph');
      },
    },
    async () => {
      await session.release?.();
    },
  );
}
