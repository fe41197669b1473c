/**
 * Trust reports: the validated `trust.json` record of an audited model and its self-contained
 * HTML page (trust-profile radar, confusion heat map, per-group bars, robustness and attack
 * curves, tables with confidence intervals), for one model or a comparison of several.
 */
export {
  TRUST_HTML,
  TRUST_JSON,
  TRUST_REPORT_VERSION,
  TRUST_DIMENSIONS,
  TrustReportSchema,
  loadTrustReport,
  parseTrustReport,
  type AccuracySection,
  type AttackPoint,
  type Estimate,
  type FairnessAttribute,
  type FairnessGroup,
  type Interval,
  type PrivacySection,
  type RobustnessPoint,
  type SafetySection,
  type SustainabilitySection,
  type TrustDimension,
  type TrustReport,
  type IntervalMethod,
  type IntervalUnit,
} from './schema.js';
export { renderTrustHtml } from './html.js';
export { writeTrustReport, type WrittenTrustReport } from './write.js';
export { RADAR_AXES, MACS_LOG10_BEST, MACS_LOG10_WORST, trustScores, type TrustScores, type RadarAxis } from './radar.js';
export { radarChart, radarGeometry, radarPoint, type RadarModel, type RadarGeometry } from './radar.js';
export { confusionHeatmap } from './heatmap.js';
export { barChart, type BarChartSpec, type BarSeries, type BarValue } from './bars.js';
export { lineChart, type LineChartSpec, type LineSeries, type ReferenceLine } from './lines.js';
export { escapeXml } from './format.js';
export { NOT_MEASURED } from './svg.js';
