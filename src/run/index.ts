/**
 * The run folder, owned here: its layout (every file name) and the schema of every file in it,
 * validated reading and atomic writing of each, the run configuration, the corpus and split of
 * a run, training checkpoints (one atomic file per epoch), and the loading of a trained fold — as
 * a predictor of raw signals (calibrated by the fold's temperature, with speaker enrollment), a
 * differentiable waveform model, or an ensemble over audio files. Training writes through this
 * stage and everything else reads through it.
 */
export * from './layout.js';
export {
  AugmentConfig,
  CorpusConfig,
  DEFAULT_BACKBONE_LR,
  FeatureConfig,
  ModelConfig,
  ProtocolConfig,
  RunConfig,
  TrainingConfig,
  corpusId,
  corpusLabel,
  loadRunConfig,
  parseRunConfig,
  registryIssues,
  weightsResolved,
} from './config.js';
export {
  ClassificationMetricsSchema,
  FoldCalibrationSchema,
  FoldModelInfoSchema,
  FoldResultSchema,
  NormalizerSchema,
  PredictionSchema,
  RunMetricsSchema,
  type FoldCalibration,
  type FoldModelInfo,
} from './schemas.js';
export type { FoldResult, Prediction, RunMetrics } from './results.js';
export {
  UNCALIBRATED_NOTE,
  finishedFolds,
  foldTemperature,
  readFoldCalibration,
  readFoldModelInfo,
  readFoldResult,
  readNormalizer,
  readRunMetrics,
  runConfig,
  trainedFolds,
  type FoldTemperature,
  writeFoldCalibration,
  writeFoldModelInfo,
  writeFoldResult,
  writeNormalizer,
  writeRunConfig,
  writeRunMetrics,
} from './files.js';
export { listRunUtterances, makeRunSplit, qualifyUtterance, syntheticCorpusDir, type LabelledUtterance } from './corpus.js';
export { loadCheckpoint, saveCheckpoint, type CheckpointContents } from './checkpoint.js';
export { loadFold, statTensor, waveformChain, type TrainedFold, type WaveformClassifier, type WaveformModel } from './fold.js';
export {
  NO_SPEECH_LABEL,
  SINGLE_SPEAKER,
  enrollAll,
  noSpeechPrediction,
  predictFiles,
  requireUtteranceLevelRun,
  type FilePrediction,
} from './predict.js';
export { CrossEvaluationSchema, evaluateOn, type CrossEvaluation, type EvaluateOnOptions, type TargetCorpus } from './evaluate-on.js';
