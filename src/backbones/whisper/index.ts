/** The Whisper audio encoder on the engine: the log-mel front end, the network, checkpoint loading and the backbone. */
export { WhisperFrontend, normalizeLogMel as whisperNormalizeLogMel } from './frontend.js';
export {
  WHISPER_MIN_SAMPLES,
  WHISPER_WINDOW_MEL_FRAMES,
  WHISPER_WINDOW_SAMPLES,
  encoderFramesFor as whisperEncoderFrames,
  melFramesFor as whisperMelFrames,
  type WhisperPad,
} from './windows.js';
export type { WhisperEncoder } from './model.js';
export { loadWhisperEncoder, whisperCheckpointFiles, type WhisperCheckpointFormat } from './checkpoint.js';
export { whisperBackbone } from './backbone.js';
export { whisperMacs } from './chunked.js';
export { WHISPER_BACKBONE, engineWhisper, newWhisper, type WhisperWeights } from './source.js';
export { WHISPER_INPUT, openExportedWhisper } from './onnx.js';
export type { WhisperEncoderConfig } from './config.js';
