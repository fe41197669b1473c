/**
 * Shipping trained models: the ONNX graph writer (./onnx), exporters of every SER model and of a
 * run directory (./export), the sidecar format, and ONNX Runtime inference from raw audio with
 * the training-time features (batching, windowed streaming of long inputs); the same for the
 * AASIST spoofing countermeasure (waveform input, its own sidecar, batched scoring).
 */
export * from './onnx/index.js';
export * from './export/index.js';
export {
  SIDECAR_FORMAT, SIDECAR_VERSION, WAVEFORM_INPUT_KIND, SidecarSchema, parseSidecar, readSidecar, sidecarPath,
  type Sidecar, type TrustSummary, type InputLayoutRecord,
} from './sidecar.js';
export { InputTooShortError, featureSetFor, featurize, checkBlock, makeBatch, windowsOf, type FeatureBlock, type GraphBatch, type SampleWindow } from './inputs.js';
export {
  OnnxSerModel, loadOnnxModel, ortSessionOptions, DEFAULT_BATCH_SIZE, CHUNK_BATCHES,
  type OnnxModelOptions, type WindowOptions, type WindowPrediction, type SignalPrediction, type GraphOutputs,
} from './session.js';
export { predictFilesOnnx, type OnnxFilePrediction, type PredictFilesOnnxOptions } from './files.js';
export {
  SpoofSidecarSchema, parseSpoofSidecar, readSpoofSidecar, WAVE_INPUT, LOGITS_OUTPUT, SPOOF_CLASSES, SCORE_INDEX, FIT_FIRST_OR_TILE, type SpoofSidecar,
} from './spoof-sidecar.js';
export {
  OnnxSpoofSession, loadSpoofSession, scoreFilesOnnx, DEFAULT_SPOOF_BATCH, type SpoofSessionOptions, type SpoofClipScore, type SpoofFileScore,
} from './spoof-session.js';
