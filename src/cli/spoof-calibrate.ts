/** `trustser spoof calibrate`: fits a countermeasure's calibration (P(spoof), EER threshold) on a labelled dev set's scores. */
import { resolve } from 'node:path';
import type { Command } from 'commander';
import type { CalibrationError } from '../metrics/index.js';
import { calibrateScores, describeCalibration, loadSpoofManifest, readScores, writeCalibration } from '../spoof/index.js';

/** The reliability table: one line per non-empty bin. */
export function reliabilityLines(r: CalibrationError): string[] {
  return [
    `  ${'P(top class)'.padEnd(14)}${'trials'.padStart(8)}${'accuracy'.padStart(10)}${'confidence'.padStart(12)}`,
    ...r.bins
      .filter((b) => b.count > 0)
      .map(
        (b) =>
          `  ${`${b.lower.toFixed(2)}–${b.upper.toFixed(2)}`.padEnd(14)}${String(b.count).padStart(8)}${(100 * b.accuracy!).toFixed(1).padStart(9)}%${(100 * b.confidence!).toFixed(1).padStart(11)}%`,
      ),
  ];
}

export function registerCalibrate(spoof: Command): void {
  spoof
    .command('calibrate')
    .description(
      "fit a countermeasure's calibration on a labelled dev set's scores: P(spoof) from the score, and the dev set's EER threshold as the verdict (for spoof score/evaluate --calibration, analyze --spoof-calibration, export-spoof --calibration)",
    )
    .requiredOption('--scores <file>', 'scores CSV of the dev set from `trustser spoof score` (never the test set)')
    .requiredOption('--manifest <file>', "the dev set's manifest (a folder holding manifest.csv, or the file)")
    .requiredOption('--out <file>', 'calibration JSON to write')
    .option('--json', 'print the fit as JSON')
    .action(async (o: { scores: string; manifest: string; out: string; json?: boolean }) => {
      const fit = calibrateScores(readScores(o.scores), await loadSpoofManifest(o.manifest));
      await writeCalibration(o.out, fit.calibration, { scores: o.scores, manifest: o.manifest });
      if (o.json) {
        process.stdout.write(`${JSON.stringify(fit)}\n`);
        return;
      }
      const ece = (r: CalibrationError | null) => (r ? `${(100 * r.ece).toFixed(2)} %` : '— (the scores file has no logit columns)');
      process.stdout.write(
        `${[
          `${resolve(o.out)}: ${describeCalibration(fit.calibration)}`,
          `dev ECE: ${ece(fit.before)} with the model's own softmax, ${ece(fit.after)} calibrated`,
          'reliability of the calibrated P(spoof) on the dev set:',
          ...reliabilityLines(fit.after),
        ].join('\n')}\n`,
      );
    });
}
