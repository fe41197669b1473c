/** The time geometry of a wav2vec 2.0 / HuBERT / WavLM feature encoder: frames, hop and receptive field (samples). */
import type { Wav2Vec2Config } from './config.js';

/** Output length of an unpadded conv with kernel `k` and stride `s` over `n` inputs (0 when too short). */
export function convOutputLength(n: number, k: number, s: number): number {
  return n < k ? 0 : Math.floor((n - k) / s) + 1;
}

/** Frames the feature encoder gives for `samples` input samples (0 when too short). */
export function framesFor(c: Wav2Vec2Config, samples: number): number {
  return c.convLayers.reduce((n, [, k, s]) => convOutputLength(n, k, s), samples);
}

/** Hop between frames (samples): the product of the strides. */
export function hopSamples(c: Wav2Vec2Config): number {
  return c.convLayers.reduce((h, [, , s]) => h * s, 1);
}

/** Samples one frame sees (the encoder's receptive field). */
export function receptiveField(c: Wav2Vec2Config): number {
  let field = 1;
  for (let i = c.convLayers.length - 1; i >= 0; i--) {
    const [, k, s] = c.convLayers[i];
    field = (field - 1) * s + k;
  }
  return field;
}
