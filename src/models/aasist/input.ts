/** Engine batches of fixed-length AASIST inputs (see ./fit.ts for the fitting itself). */
import { tensor, type Tensor } from '../../engine/index.js';
import { AASIST_SAMPLES } from './config.js';
import { fitAasistInput } from './fit.js';

export { fitAasistInput };

/** Stacks clips into a float32 batch [clips, length], each fitted with {@link fitAasistInput}. */
export function aasistBatch(clips: readonly Float32Array[], length: number = AASIST_SAMPLES): Tensor {
  if (clips.length === 0) throw new RangeError('aasistBatch: no clips');
  const data = new Float32Array(clips.length * length);
  clips.forEach((clip, i) => data.set(fitAasistInput(clip, length), i * length));
  return tensor(data, [clips.length, length]);
}
