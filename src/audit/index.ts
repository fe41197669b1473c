/**
 * The trust audit of a trained run, on its held-out folds: accuracy and fairness with bootstrap
 * intervals, calibration (ECE before and after temperature scaling), waveform attacks (FGSM, PGD),
 * robustness sweeps, privacy probes on the embeddings, and sustainability (parameters, MACs,
 * latency, memory) → trust.json and trust.html.
 */
export { auditRun, auditRunFold, type AuditOptions } from './audit.js';
export {
  combineMeasurements,
  measureFold,
  type FoldMeasurement,
  type MeasureOptions,
  type MeasureSettings,
  type Measurements,
  type ProbeSummary,
} from './measure.js';
export {
  attackSuccess,
  fgsm,
  fgsmWith,
  measuredSnrDb,
  perturbationEnergy,
  pgd,
  pgdWith,
  predictWave,
  type AttackResult,
  type PgdOptions,
  type WaveformLoss,
} from './safety.js';
export { genderProbe, genderProbeHeldOut, speakerProbe, type EmbeddedUtterance, type ProbeResult } from './privacy.js';
export {
  DEFAULT_RT60_SWEEP_S,
  DEFAULT_SNR_SWEEP_DB,
  corruptSignal,
  robustnessSweep,
  type CorruptionKind,
  type RobustnessPoint,
} from './robustness.js';
export { measureSustainability, type SustainabilityReport } from './sustainability.js';
export { measureCalibration, type CalibrationOutcome } from './calibration.js';
