/**
 * The platform-independent part of src/metrics that browsers need (the runtime's predictor and
 * the web app): calibration — temperature scaling, ECE and its reliability table, the fitted
 * temperature — and the confidence threshold.
 */
export {
  expectedCalibrationError,
  temperatureScale,
  temperatureScaleRow,
  negativeLogLikelihood,
  fitTemperature,
  checkMinConfidence,
  isConfident,
  confidentLabel,
  UNKNOWN_LABEL,
  DEFAULT_CALIBRATION_BINS,
  PROBABILITY_FLOOR,
  TEMPERATURE_RANGE,
  type CalibrationError,
  type ReliabilityBin,
} from './calibration.js';
export { SpoofCalibrationSchema, spoofProbability, spoofVerdictAt, type SpoofCalibration } from './spoof-calibration.js';
