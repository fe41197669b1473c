/**
 * Shipping trained models: the ONNX graph writer (./onnx), exporters of every SER model and of a
 * run directory (./export), the sidecar format, and ONNX Runtime inference from raw audio with
 * the training-time features (batching, windowed streaming of long inputs); the same for the
 * AASIST spoofing countermeasure (waveform input, its own sidecar, batched scoring).
 */
// Side effect: the Node sources of the pretrained models that backbone feature sets run.
import '../backbones/index.js';
export * from './onnx/index.js';
export * from './export/index.js';
export * from './pure.js';
export { readSidecar, readSpoofSidecar } from './sidecar-files.js';
export {
  OnnxSerModel,
  loadOnnxModel,
  ortSessionOptions,
  type OnnxModelOptions,
  type GraphOutputs,
} from './session.js';
export { predictFilesOnnx, type OnnxFilePrediction, type PredictFilesOnnxOptions } from './files.js';
export {
  OnnxSpoofSession,
  loadSpoofSession,
  scoreFilesOnnx,
  DEFAULT_SPOOF_BATCH,
  type SpoofSessionOptions,
  type SpoofClipScore,
  type SpoofFileScore,
} from './spoof-session.js';
