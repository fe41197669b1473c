/**
 * The platform-independent part of src/report (the web app draws its charts with it): the
 * `trust.json` schema and its validation, the HTML page, and the SVG charts and formatters.
 */
export {
  TRUST_HTML,
  TRUST_JSON,
  TRUST_REPORT_VERSION,
  TRUST_DIMENSIONS,
  TrustReportSchema,
  parseTrustReport,
  type AccuracySection,
  type AttackPoint,
  type CalibrationSection,
  type FoldTemperatureRecord,
  type ReliabilityBin,
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
export { RADAR_AXES, MACS_LOG10_BEST, MACS_LOG10_WORST, trustScores, type TrustScores, type RadarAxis } from './radar.js';
export { radarChart, radarGeometry, radarPoint, type RadarModel, type RadarGeometry } from './radar.js';
export { confusionHeatmap } from './heatmap.js';
export { barChart, type BarChartSpec, type BarSeries, type BarValue } from './bars.js';
export { lineChart, type LineChartSpec, type LineSeries, type ReferenceLine } from './lines.js';
export { reliabilityChart, type ReliabilityChartSpec, type ReliabilitySeries } from './reliability.js';
export {
  escapeXml,
  formatCount,
  formatEstimateHtml,
  formatEstimateText,
  formatFixed,
  formatPercent,
  formatSiUnit,
  type NumberFormat,
} from './format.js';
export { INK, NOT_MEASURED, notMeasuredChart, seriesColor, seriesDash, type LegendItem } from './svg.js';
export { trustScoreSources, worstAttack, worstParityGap } from './radar.js';
