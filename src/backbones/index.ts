/**
 * Backbones: frozen pretrained speech models as hidden-state extractors (the contract, the
 * speech-embedding model, the engine networks — wav2vec 2.0, HuBERT, WavLM, Whisper's encoder,
 * APC, TERA), everything of ./pure.ts plus the Node host, which provides the backbones from model
 * files on disk when this module is imported.
 */
export * from './pure.js';
// Side effect: provides the Node sources of the backbones.
export {
  SILERO_VAD_PACKAGE,
  SPEECH_EMBEDDING_FILES,
  SPEECH_EMBEDDING_PACKAGE,
  defaultSileroVadFile,
  defaultSpeechEmbeddingDir,
  pretrainedFiles,
} from './node.js';
export {
  EXPORTED_BACKBONE_INPUT,
  STANDARD_CONV_LAYERS,
  WAV2VEC2_ARCHS,
  WAV2VEC2_SAMPLE_RATE_HZ,
  MACS_REFERENCE_SECONDS,
  WAV2VEC2_CHUNK_FRAMES,
  WAV2VEC2_CONTEXT_FRAMES,
  Wav2Vec2,
  checkpointFiles,
  engineWav2Vec2,
  openExportedWav2Vec2,
  framesFor,
  hopSamples,
  loadWav2Vec2,
  parseConvFeatureLayers,
  receptiveField,
  relativeBuckets,
  wav2vec2Backbone,
  wav2vec2Macs,
  type CheckpointFormat,
  type ConvLayerSpec,
  type HiddenStateOptions,
  type LoadedWav2Vec2,
  type RelativePositionConfig,
  type Wav2Vec2Arch,
  type Wav2Vec2Config,
} from './wav2vec2/index.js';
export * from './whisper/index.js';
export * from './s3prl/index.js';
export { engineBackbone, saveTunedBackbone, setLayers, trainableBackbone, type EngineBackbone, type TrainableBackbone } from './engine.js';
export {
  EXPORTABLE_BACKBONES,
  EXPORTED_BACKBONE_KEY,
  EXPORTED_BACKBONE_OUTPUT,
  exportedBackboneMeta,
  openExportedBackbone,
  type ExportedBackboneMeta,
} from './exported.js';
