/**
 * The platform-independent part of src/backbones (no Node built-ins): the backbone contract,
 * the speech-embedding backbone on any ONNX Runtime, and the registry through which a host
 * (Node, or the web app) provides backbones.
 */
export type { Backbone, BackboneInfo, HiddenStates, OrtLike, OrtSessionLike, OrtTensorLike } from './types.js';
export { backboneSource, modelSource, provideModel, type BackboneSource, type BackboneWeights, type ModelSource } from './sources.js';
export { SILERO_FRAME_SAMPLES, SILERO_SAMPLE_RATE_HZ, SILERO_VAD, openSileroVad, type SpeechDetector } from './silero-vad.js';
export {
  SE_EMBEDDING_DIMS,
  SE_FRAME_RATE_HZ,
  SE_MIN_SAMPLES,
  SE_SAMPLE_RATE_HZ,
  SPEECH_EMBEDDING,
  openSpeechEmbedding,
  seMelFrames,
  seWindows,
  type SpeechEmbeddingModels,
} from './speech-embedding.js';
export { onnxParameterCount } from './onnx-info.js';
// Names and facts of the engine backbones, for code that only describes them (no engine here).
export { WAV2VEC2_ARCHS, WAV2VEC2_SAMPLE_RATE_HZ, type Wav2Vec2Arch } from './wav2vec2/config.js';
export { ENGINE_BACKBONES, ENGINE_BACKBONE_NAMES, uniformLayers, type EngineBackboneFacts } from './engine-names.js';
export {
  PACKAGED_MODEL_FILES,
  modelIdentity,
  openPackagedModel,
  packagedModelFiles,
  provideModelFromBytes,
  type PackagedOrt,
  type PretrainedUse,
} from './packaged.js';
