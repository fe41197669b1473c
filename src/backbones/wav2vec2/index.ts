/** wav2vec 2.0 / HuBERT on the engine: the architecture, the network and checkpoint loading. */
export {
  STANDARD_CONV_LAYERS,
  WAV2VEC2_ARCHS,
  WAV2VEC2_SAMPLE_RATE_HZ,
  framesFor,
  hopSamples,
  parseConvFeatureLayers,
  receptiveField,
  type ConvLayerSpec,
  type Wav2Vec2Arch,
  type Wav2Vec2Config,
} from './config.js';
export { Wav2Vec2 } from './model.js';
export { checkpointFiles, loadWav2Vec2, type CheckpointFormat, type LoadedWav2Vec2 } from './checkpoint.js';
export { MACS_REFERENCE_SECONDS, WAV2VEC2_CHUNK_SECONDS, WAV2VEC2_CONTEXT_SECONDS, wav2vec2Backbone, wav2vec2Macs } from './backbone.js';
export { engineWav2Vec2 } from './source.js';
