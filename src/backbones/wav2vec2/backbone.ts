/** A wav2vec 2.0 / HuBERT / WavLM network loaded on the engine, as a {@link Backbone}. */
import { noGrad, tensor, tidy } from '../../engine/index.js';
import type { Backbone } from '../types.js';
import { chunkedWav2Vec2, wav2vec2Info } from './chunked.js';
import type { Wav2Vec2 } from './model.js';

/** The backbone of a network loaded on the engine (chunked as {@link chunkedWav2Vec2} describes). */
export function wav2vec2Backbone(name: string, model: Wav2Vec2): Backbone {
  const pass = (x: Float32Array): Float32Array[] =>
    noGrad(() => tidy(() => model.hiddenStates(tensor(x, [1, x.length]), { normalized: true }).map((h) => h.toArray() as Float32Array)));
  return chunkedWav2Vec2(wav2vec2Info(name, model.config, model.numParameters()), model.config, pass, async () => model.dispose());
}
