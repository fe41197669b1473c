/** Evaluation: accuracy metrics (and, later, the trust metrics). */
export { classificationMetrics, meanStd, ccc, type ClassificationMetrics } from './classification.js';
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
export {
  bootstrapCi,
  bootstrapCis,
  isBootstrapCi,
  quantileSorted,
  fairnessReport,
  type BootstrapOptions,
  type BootstrapCi,
  type BootstrapFailure,
  type ReportPrediction,
  type FairnessReportOptions,
  type FairnessReport,
  type ReportedMetric,
  type ReportedGroup,
  type Estimate,
  type Interval,
} from './bootstrap.js';
