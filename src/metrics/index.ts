/** Evaluation: accuracy, fairness, bootstrap intervals, spoofing and calibration metrics (pure: no Node built-ins). */
export { classificationMetrics, meanStd, type ClassificationMetrics } from './classification.js';
export { ccc, pearson, rmse, regressionMetrics, type RegressionMetrics } from './regression.js';
export {
  groupPerformance,
  groupCounts,
  zipPredictions,
  validateGroupedPredictions,
  observedClasses,
  type GroupedPrediction,
  type GroupOptions,
  type GroupCounts,
  type GroupPerformance,
  type PerGroupPerformance,
} from './groups.js';
export {
  statisticalParity,
  equalityOfOpportunity,
  trueRatesDifference,
  averageOdds,
  demographicParity,
  fairnessMetrics,
  HOLISTICAI_SMOOTHING,
  type FairnessOptions,
  type FairnessMetrics,
  type PairDistance,
  type PairwiseFairness,
} from './fairness.js';
export { wilsonInterval } from './proportion.js';
export {
  bootstrapCi,
  bootstrapCis,
  isBootstrapCi,
  quantileSorted,
  type BootstrapOptions,
  type BootstrapCi,
  type BootstrapFailure,
} from './bootstrap.js';
export {
  fairnessReport,
  toInterval,
  type ReportPrediction,
  type FairnessReportOptions,
  type FairnessReport,
  type ReportedMetric,
  type ReportedGroup,
  type Estimate,
  type Interval,
} from './fairness-report.js';
export {
  equalErrorRate,
  minDcf,
  detCurve,
  operatingPoints,
  eerByGroup,
  splitScores,
  probit,
  DEFAULT_DCF,
  DET_PROBIT_LIMIT,
  type EerResult,
  type MinDcfResult,
  type DcfOptions,
  type DetPoint,
  type OperatingPoint,
  type SpoofTrial,
  type GroupEer,
  type GroupEerOptions,
} from './spoofing.js';
export {
  SpoofCalibrationSchema,
  fitSpoofCalibration,
  spoofProbability,
  spoofReliability,
  spoofVerdictAt,
  type SpoofCalibration,
} from './spoof-calibration.js';
export * from './pure.js';
