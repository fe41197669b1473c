/**
 * Decoded audio → what every model takes: one mono channel (channels averaged) at the model's
 * sample rate. The one place where the project mixes down and resamples decoded audio.
 */
import { toMono, type Audio } from './buffer.js';
import { resample } from '../dsp/index.js';

/** The mono mix of `audio` at `sampleRateHz` (Hz; resampled when the rates differ). */
export function prepareAudio(audio: Audio, sampleRateHz: number): Float32Array {
  const mono = toMono(audio);
  return audio.sampleRateHz === sampleRateHz ? mono : resample(mono, audio.sampleRateHz, sampleRateHz);
}
