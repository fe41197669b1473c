/**
 * The platform-independent part of src/runtime (the web app runs exported models with it): the
 * sidecar formats of exported SER models and countermeasures, audio → graph inputs with the
 * training-time features, and the windowed predictor that any ONNX Runtime build drives.
 */
export {
  SIDECAR_FORMAT,
  SIDECAR_VERSION,
  WAVEFORM_INPUT_KIND,
  SidecarSchema,
  parseSidecar,
  sidecarPath,
  type Sidecar,
  type TrustSummary,
  type InputLayoutRecord,
} from './sidecar.js';
export {
  SpoofSidecarSchema,
  parseSpoofSidecar,
  WAVE_INPUT,
  LOGITS_OUTPUT,
  SPOOF_CLASSES,
  SCORE_INDEX,
  FIT_FIRST_OR_TILE,
  type SpoofSidecar,
} from './spoof-sidecar.js';
export {
  InputTooShortError,
  featureSetFor,
  featurize,
  checkBlock,
  makeBatch,
  windowsOf,
  type GraphBatch,
  type SampleWindow,
} from './inputs.js';
export {
  WindowedPredictor,
  DEFAULT_BATCH_SIZE,
  CHUNK_BATCHES,
  type ProbsRunner,
  type SignalPrediction,
  type WindowOptions,
  type WindowPrediction,
} from './predictor.js';
