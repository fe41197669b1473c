/**
 * Backbones: frozen pretrained speech models as hidden-state extractors (the contract, the
 * speech-embedding model), everything of ./pure.ts plus the Node host, which provides the
 * backbones from model files on disk when this module is imported.
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
