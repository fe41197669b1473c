/**
 * The backbones whose networks trustser runs on its engine (no engine here: the feature sets,
 * the CLI and the web app only name and describe them), and which of a backbone's layers make
 * its "every layer" features.
 */
import { WAV2VEC2_ARCHS, WAV2VEC2_SAMPLE_RATE_HZ } from './wav2vec2/config.js';

/** What a feature set states about an engine backbone before any weights are read. */
export interface EngineBackboneFacts {
  /** Input rate (Hz). */
  sampleRateHz: number;
  /** Hidden-state frames per second (Hz) of the published models' settings (a checkpoint may differ). */
  frameRateHz: number;
  /** Options of the backbone beyond its weights (feature-set overrides), with their defaults. */
  options: Readonly<Record<string, string>>;
}

const SSL_FRAME_RATE_HZ = 50;
/** s3prl's APC and TERA front ends: 10 ms frames. */
const S3PRL_FRAME_RATE_HZ = 100;

/** Every engine backbone by name. */
export const ENGINE_BACKBONES: Readonly<Record<string, EngineBackboneFacts>> = {
  ...Object.fromEntries(
    WAV2VEC2_ARCHS.map((a) => [a, { sampleRateHz: WAV2VEC2_SAMPLE_RATE_HZ, frameRateHz: SSL_FRAME_RATE_HZ, options: {} }]),
  ),
  whisper: { sampleRateHz: 16000, frameRateHz: SSL_FRAME_RATE_HZ, options: { pad: 'none' } },
  apc: { sampleRateHz: 16000, frameRateHz: S3PRL_FRAME_RATE_HZ, options: {} },
  tera: { sampleRateHz: 16000, frameRateHz: S3PRL_FRAME_RATE_HZ, options: {} },
};

/** Names of the engine backbones. */
export const ENGINE_BACKBONE_NAMES: readonly string[] = Object.keys(ENGINE_BACKBONES);

/**
 * Which layers (indices) of hidden states of widths `layerDims` make the "every layer" planes:
 * those as wide as the output (APC's first hidden state is its 80-dim input features, narrower
 * than its GRU layers; every other engine backbone keeps all layers).
 */
export function uniformLayers(layerDims: readonly number[]): number[] {
  const width = layerDims[layerDims.length - 1];
  return layerDims.flatMap((d, i) => (d === width ? [i] : []));
}
