/**
 * Analysis windows for the STFT.
 *
 * Definitions (n = 0 … N−1, N = window length in samples):
 * - `hann`:    0.5 − 0.5·cos(2πn/N)                (periodic, = `torch.hann_window(N)`)
 * - `hamming`: 0.54 − 0.46·cos(2πn/N)              (periodic, = `torch.hamming_window(N)`,
 *              and = librosa / scipy `get_window('hamming', N)` which are periodic too)
 * - `povey`:   (0.5 − 0.5·cos(2πn/(N−1)))^0.85     (symmetric, as Kaldi / torchaudio.compliance.kaldi)
 * - `rect`:    1
 */

/** Window shapes accepted by the STFT. */
export type WindowName = 'hann' | 'hamming' | 'povey' | 'rect';

/** All window names, for validation messages. */
export const WINDOW_NAMES: readonly WindowName[] = ['hann', 'hamming', 'povey', 'rect'];

/** Exponent of Kaldi's "povey" window. */
export const POVEY_EXPONENT = 0.85;

/**
 * Builds a window of `length` samples (Float64, for use in double-precision framing).
 * @throws RangeError for a non-positive length or an unknown name.
 */
export function makeWindow(name: WindowName, length: number): Float64Array {
  if (!Number.isInteger(length) || length < 1) {
    throw new RangeError(`makeWindow: length must be a positive integer (samples), got ${length}`);
  }
  const w = new Float64Array(length);
  // As torch: a one-sample window is [1] for every shape.
  if (length === 1 && WINDOW_NAMES.includes(name)) return w.fill(1);
  switch (name) {
    case 'hann':
      for (let n = 0; n < length; n++) w[n] = 0.5 - 0.5 * Math.cos((2 * Math.PI * n) / length);
      return w;
    case 'hamming':
      for (let n = 0; n < length; n++) w[n] = 0.54 - 0.46 * Math.cos((2 * Math.PI * n) / length);
      return w;
    case 'povey': {
      for (let n = 0; n < length; n++) {
        w[n] = (0.5 - 0.5 * Math.cos((2 * Math.PI * n) / (length - 1))) ** POVEY_EXPONENT;
      }
      return w;
    }
    case 'rect':
      return w.fill(1);
    default:
      throw new RangeError(`makeWindow: unknown window '${String(name)}' (known: ${WINDOW_NAMES.join(', ')})`);
  }
}
