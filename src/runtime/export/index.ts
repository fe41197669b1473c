/** ONNX exporters of the SER models and of a trained run (model.onnx + sidecar), and of the AASIST countermeasure (spoof.onnx + sidecar). */
export {
  INPUT_FEATURES,
  INPUT_LENGTHS,
  OUTPUT_PROBS,
  OUTPUT_EMBEDDING,
  DIM_BATCH,
  DIM_TIME,
  DIM_SEGMENTS,
  type ModelSnapshot,
  type FeatureNormalizer,
  type InputLayout,
  type ExportedGraph,
} from './common.js';
export { exportModelGraph, exportableModels, type ExportOptions } from './models.js';
export { exportRun, trustSummary, EXPORT_TOLERANCE, type ExportRunOptions, type ExportRunResult } from './run.js';
export { exportAasistGraph, aasistVariantName, type AasistSnapshot, type ExportedSpoofGraph } from './aasist.js';
export { exportAasist, exportSpoofModel, SPOOF_EXPORT_TOLERANCE, type ExportSpoofResult } from './spoof.js';
export { exportWav2Vec2Graph } from './wav2vec2.js';
export { exportWhisperGraph } from './whisper.js';
export { exportApcGraph, exportTeraGraph } from './s3prl.js';
export { backbonePath } from './backbone.js';
