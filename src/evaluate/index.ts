/** Evaluation: accuracy metrics (and, later, the trust metrics). */
export { classificationMetrics, meanStd, ccc, type ClassificationMetrics } from './classification.js';
