/**
 * Training: a run (corpus → speaker-independent split → features → per fold: normalization,
 * model, epochs with early stopping on dev UA, test predictions) written through the run
 * stage, resumable bit-exactly after a kill; the epoch loop (mixup, stability training, class
 * balance, bootstrap) and its sampling; the temperature of each fold, fitted on its dev set.
 */
export { trainRun, trainRunFold, summarize, type RunOptions } from './run.js';
export { trainFold, scoreUtterances, type EpochRecord, type FoldData, type FoldProgress } from './loop.js';
export { beta, classWeights, epochOrder } from './sampling.js';
export { calibrateFold, NO_DEV_SET_NOTE } from './calibrate.js';
export { calibrateRun, type CalibrateRunOptions, type FoldCalibrationOutcome } from './calibrate-run.js';
