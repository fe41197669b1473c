/**
 * Fixed-length model inputs, as the published AASIST evaluation prepares them: the first
 * `length` samples of a clip, or the clip tiled by repetition (from its start) when shorter.
 * Engine-free, so the web app and the ONNX runtime use it too.
 */
import { AASIST_SAMPLES } from './config.js';

/**
 * The first `length` samples of `samples`, repeating the clip from its start as often as needed
 * when it is shorter. Always returns a new array.
 * @param length output length in samples (default 64,600 = 4.04 s at 16 kHz)
 */
export function fitAasistInput(samples: Float32Array, length: number = AASIST_SAMPLES): Float32Array {
  if (!Number.isInteger(length) || length < 1) throw new RangeError(`fitAasistInput: length must be a positive integer, got ${length}`);
  if (samples.length === 0) throw new RangeError('fitAasistInput: the clip is empty (0 samples); nothing to tile');
  if (samples.length >= length) return samples.slice(0, length);
  const out = new Float32Array(length);
  for (let at = 0; at < length; at += samples.length) out.set(samples.subarray(0, Math.min(samples.length, length - at)), at);
  return out;
}
