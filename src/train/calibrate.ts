/**
 * Calibration of a trained fold: the temperature that minimizes the mean negative log-likelihood
 * of the fold's dev posteriors (best-epoch model, predicted as the test set is), with the dev NLL
 * and ECE before and after it — the content of fold-K/calibration.json. Temperature scaling keeps
 * every prediction's class, so the test metrics do not change; only the reported probabilities do.
 */
import {
  DEFAULT_CALIBRATION_BINS,
  expectedCalibrationError,
  fitTemperature,
  negativeLogLikelihood,
  temperatureScale,
} from '../metrics/index.js';
import type { FoldCalibration } from '../run/index.js';

/** The note of a fold whose dev set is empty (its temperature is 1). */
export const NO_DEV_SET_NOTE = 'not calibrated (the fold has no dev utterances to fit a temperature on)';

/**
 * The calibration of a fold from its dev posteriors [n][K] (in `truth` order) and their true
 * class indices: the fitted temperature and what it changes on the dev set. An empty dev set
 * gives temperature 1 and {@link NO_DEV_SET_NOTE}.
 * @throws Error when the posteriors and labels do not match (see metrics/calibration).
 */
export function calibrateFold(devPosteriors: number[][], truth: number[]): FoldCalibration {
  if (devPosteriors.length === 0 && truth.length === 0)
    return {
      temperature: 1,
      devUtterances: 0,
      devNll: { before: null, after: null },
      devEce: { before: null, after: null },
      note: NO_DEV_SET_NOTE,
    };
  const temperature = fitTemperature(devPosteriors, truth);
  const scaled = temperatureScale(devPosteriors, temperature);
  return {
    temperature,
    devUtterances: truth.length,
    devNll: { before: negativeLogLikelihood(devPosteriors, truth), after: negativeLogLikelihood(scaled, truth) },
    devEce: {
      before: expectedCalibrationError(devPosteriors, truth, DEFAULT_CALIBRATION_BINS).ece,
      after: expectedCalibrationError(scaled, truth, DEFAULT_CALIBRATION_BINS).ece,
    },
  };
}
