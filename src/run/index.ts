/**
 * The run folder, owned here: its layout (every file name), the run configuration and its
 * validation, the corpus and split of a run, the records of finished folds, training
 * checkpoints (one atomic file per epoch), and the loading of a trained fold — as a predictor
 * of raw signals (with speaker enrollment), a differentiable waveform classifier, or an ensemble
 * over audio files. Training writes through this stage and everything else reads through it.
 */
export * from './layout.js';
export {
  CorpusConfig, FeatureConfig, ModelConfig, ProtocolConfig, RunConfig, TrainingConfig, loadRunConfig, parseRunConfig,
} from './config.js';
export { listRunUtterances, makeRunSplit, type LabelledUtterance } from './corpus.js';
export type { FoldResult, Prediction, RunMetrics } from './results.js';
export { loadCheckpoint, saveCheckpoint, type CheckpointContents } from './checkpoint.js';
export {
  NO_SPEECH_LABEL, SINGLE_SPEAKER, enrollAll, loadFoldPredictor, noSpeechPrediction, predictFiles, requireUtteranceLevelRun, runConfig, trainedFolds,
  type FilePrediction, type FoldPredictor,
} from './predict.js';
export { loadFoldClassifier, type FoldClassifier, type WaveformClassifier } from './classifier.js';
