/**
 * The calibration of a run's test posteriors, pooled over the audited folds: expected calibration
 * error and NLL of the raw posteriors stored in fold-K/result.json (before) and of each fold's
 * posteriors scaled by that fold's own temperature (after), with the reliability tables. Folds
 * trained before calibration existed count with T = 1; when no fold is calibrated there is no
 * "after".
 */
import {
  DEFAULT_CALIBRATION_BINS,
  expectedCalibrationError,
  negativeLogLikelihood,
  temperatureScale,
  type CalibrationError,
} from '../metrics/index.js';
import type { CalibrationSection } from '../report/index.js';
import type { FoldResult, FoldTemperature } from '../run/index.js';

/** The section with its caveats, or why it could not be computed. */
export type CalibrationOutcome = { section: CalibrationSection; notes: string[] } | { skipped: string };

const tableOf = (e: CalibrationError) => e.bins.map((b) => ({ ...b }));

/**
 * Calibration of the test predictions of `results`, each fold scaled by its entry of
 * `temperatures` (by fold index; a fold without one counts as uncalibrated, T = 1).
 */
export function measureCalibration(
  results: readonly FoldResult[],
  temperatures: readonly FoldTemperature[],
  bins = DEFAULT_CALIBRATION_BINS,
): CalibrationOutcome {
  const tOf = new Map(temperatures.map((t) => [t.fold, t]));
  const folds = results.map(
    (r) => tOf.get(r.fold) ?? { fold: r.fold, temperature: 1, calibrated: false, note: 'no temperature recorded for this fold' },
  );
  const raw = results.flatMap((r) => r.predictions.map((p) => p.probs));
  const truth = results.flatMap((r) => r.predictions.map((p) => p.truth));
  if (raw.length === 0) return { skipped: 'no test predictions (this protocol has no test set)' };
  const notes: string[] = [];
  try {
    const before = expectedCalibrationError(raw, truth, bins);
    const nllBefore = negativeLogLikelihood(raw, truth);
    const section: CalibrationSection = {
      bins,
      eceBefore: before.ece,
      nllBefore,
      folds: folds.map((f) => ({
        fold: f.fold,
        temperature: f.temperature,
        calibrated: f.calibrated,
        ...(f.note ? { note: f.note } : {}),
      })),
      reliability: { before: tableOf(before) },
    };
    const uncalibrated = folds.filter((f) => !f.calibrated);
    if (uncalibrated.length === folds.length) {
      notes.push(`${[...new Set(folds.map((f) => f.note))].join('; ')}: ECE before calibration only`);
      return { section, notes };
    }
    const scaled = results.flatMap((r, i) =>
      r.predictions.length === 0
        ? []
        : temperatureScale(
            r.predictions.map((p) => p.probs),
            folds[i].temperature,
          ),
    );
    const after = expectedCalibrationError(scaled, truth, bins);
    notes.push(
      `ECE over ${bins} equal-width confidence bins of the ${raw.length} test predictions; "after" scales each fold's posteriors by the temperature fitted on that fold's dev set`,
    );
    for (const f of uncalibrated) notes.push(`fold ${f.fold}: ${f.note ?? 'not calibrated'}; counted with T = 1 after calibration`);
    return {
      section: {
        ...section,
        eceAfter: after.ece,
        nllAfter: negativeLogLikelihood(scaled, truth),
        reliability: { ...section.reliability, after: tableOf(after) },
      },
      notes,
    };
  } catch (e) {
    return { skipped: `the test posteriors cannot be scored (${(e as Error).message})` };
  }
}
