/** A Whisper encoder loaded on the engine, as a {@link Backbone}. */
import { noGrad, tensor, tidy } from '../../engine/index.js';
import type { Backbone } from '../types.js';
import { checkPad, chunkedWhisper, whisperInfo } from './chunked.js';
import type { WhisperEncoder } from './model.js';
import type { WhisperPad } from './windows.js';

export interface WhisperBackboneOptions {
  /**
   * `'none'` (default): the encoder runs on the input's own frames with the first T positions;
   * inputs longer than 30 s run in 30 s windows with no overlap. `'30s'`: exactly as Whisper —
   * the waveform is zero-padded to 30 s (to a multiple of 30 s when longer) before the log-mel,
   * the encoder always sees full 30 s windows, and only the frames covering the real audio are
   * returned.
   */
  pad?: WhisperPad;
}

/** The backbone of an encoder on the engine (windows and the log-mel floor as {@link chunkedWhisper} describes). */
export function whisperBackbone(name: string, model: WhisperEncoder, opts: WhisperBackboneOptions = {}): Backbone {
  const c = model.config;
  const pad = checkPad(opts.pad ?? 'none');
  return chunkedWhisper(
    whisperInfo(name, c, model.numParameters(), pad),
    pad,
    {
      log10Mel: (signal, first, count) =>
        noGrad(() => tidy(() => model.frontend.log10MelFrames(signal, first, count).toArray() as Float32Array)),
      encode: (input, melFrames) =>
        noGrad(() => tidy(() => model.hiddenStates(tensor(input, [1, c.nMels, melFrames])).map((h) => h.toArray() as Float32Array))),
    },
    async () => model.dispose(),
  );
}
