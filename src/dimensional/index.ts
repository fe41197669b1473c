/**
 * Dimensional SER: regression of arousal, valence and dominance (the corpus' ratings, or proxies
 * derived from its categories), trained with a CCC or MSE loss on z-normalized targets and
 * evaluated by the concordance correlation coefficient per attribute over speaker-independent
 * folds; prediction maps outputs back to the corpus' scale.
 */
export {
  ATTRIBUTE_SOURCES,
  CURRICULUM_ORDERS,
  METHODS,
  DimensionalConfig,
  DimensionalTraining,
  REGRESSION_LOSSES,
  isDimensionalConfig,
  loadDimensionalConfig,
  parseDimensionalConfig,
  readConfigValue,
} from './config.js';
export { batchCcc, regressionLoss } from './loss.js';
export { predictRegression, trainRegressionFold, type DimensionalEpoch, type RegressionData, type RegressionExample } from './loop.js';
export { summarizeDimensional, trainDimensional, type DimensionalRunOptions } from './run.js';
export { fitTargetNorm } from './targets.js';
export { listRatedUtterances, type RatedUtterance } from './utterances.js';
export {
  DimensionalFoldResultSchema,
  DimensionalMetricsSchema,
  TARGETS_FILE,
  dimensionalRunConfig,
  isDimensionalRun,
  readDimensionalFoldResult,
  readDimensionalMetrics,
  readDimensionalModelInfo,
  readTargetNorm,
  type DimensionalFoldResult,
  type DimensionalMetrics,
  type DimensionalModelInfo,
  type DimensionalPrediction,
  type TargetNorm,
} from './files.js';
export { loadDimensionalFold, predictDimensionalFiles, type DimensionalFilePrediction, type DimensionalFold } from './predict.js';
export { DeepEmoCluster, DEFAULT_WIDTHS } from './deep-emo-cluster.js';
export { clusterEmbeddings, uniformOverClusters, whitenRows } from './clustering.js';
export { DEFAULT_LEVELS, attributeLevels, deepMi, pointwiseMiTerms } from './deepmi.js';
export { DEEPMI_FILE, curriculumOrder, curriculumRanking, readDeepMi, type DeepMiFile } from './curriculum.js';
export {
  DEFAULT_MOVE_FRACTION,
  DIMENSIONAL_ATTACK_SNR_DB,
  DIMENSIONAL_SNR_SWEEP_DB,
  DIMENSIONAL_TRUST_HTML,
  DIMENSIONAL_TRUST_JSON,
  DimensionalTrustSchema,
  auditDimensional,
  readDimensionalTrust,
  type DimensionalAuditOptions,
  type DimensionalTrust,
} from './audit.js';
export { evaluateDimensionalOn, type DimensionalCrossEvaluation } from './evaluate-on.js';
