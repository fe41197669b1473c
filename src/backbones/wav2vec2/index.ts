/** wav2vec 2.0 / HuBERT / WavLM on the engine: the architecture, the network and checkpoint loading. */
export {
  STANDARD_CONV_LAYERS,
  WAV2VEC2_ARCHS,
  WAV2VEC2_SAMPLE_RATE_HZ,
  parseConvFeatureLayers,
  type ConvLayerSpec,
  type RelativePositionConfig,
  type Wav2Vec2Arch,
  type Wav2Vec2Config,
} from './config.js';
export { framesFor, hopSamples, receptiveField } from './geometry.js';
export { Wav2Vec2, type HiddenStateOptions } from './model.js';
export { relativeBuckets } from './relative-position.js';
export { checkpointFiles, loadWav2Vec2, type CheckpointFormat, type LoadedWav2Vec2 } from './checkpoint.js';
export {
  MACS_REFERENCE_SECONDS,
  WAV2VEC2_CHUNK_FRAMES,
  WAV2VEC2_CONTEXT_FRAMES,
  wav2vec2Macs,
} from './chunked.js';
export { wav2vec2Backbone } from './backbone.js';
export { engineWav2Vec2 } from './source.js';
export { EXPORTED_BACKBONE_INPUT, openExportedWav2Vec2 } from './onnx.js';
