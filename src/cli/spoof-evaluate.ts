/** `trustser spoof evaluate`: EER, min DCF, DET and per-group EER of a scores file. */
import type { Command } from 'commander';
import { stringify } from 'csv-stringify/sync';
import { numberFlag, positiveFlag, writeFileAtomic } from '../core/index.js';
import {
  calibratedReliability,
  describeCalibration,
  evaluateScores,
  formatSpoofEvaluation,
  heldOutTrials,
  loadSpoofManifest,
  readCalibration,
  readScores,
} from '../spoof/index.js';
import { reliabilityLines } from './spoof-calibrate.js';

export function registerEvaluate(spoof: Command): void {
  spoof
    .command('evaluate')
    .description('EER (with threshold), min DCF, DET data and per-group EER of a scores file against a spoof-set manifest')
    .requiredOption('--scores <file>', 'scores CSV from `trustser spoof score`')
    .option('--manifest <file>', 'spoof-set manifest (a folder holding manifest.csv, or the file)')
    .option('--test-of <run-dir>', "evaluate on the held-out trials of a `spoof train` run (its set's manifest, its split's test side)")
    .option(
      '--group-by <what>',
      "'emotion' (manifest label), 'predicted-emotion', or a manifest column (gender, codec, voice, source)",
      'emotion',
    )
    .option('--against-all-bonafide', "score each group's spoofs against every bona fide trial (for spoof-only columns: codec, voice)")
    .option('--cost-miss <x>', 'cost of rejecting bona fide', positiveFlag, 1)
    .option('--cost-fa <x>', 'cost of accepting a spoof', positiveFlag, 10)
    .option('--prior-spoof <p>', 'prior probability of a spoof', numberFlag({ min: 0, max: 1, exclusiveMin: true }), 0.05)
    .option('--det-out <file>', 'write the DET curve (pMiss, pFa, probits, threshold) as CSV')
    .option('--calibration <file>', 'a `spoof calibrate` file: also report the ECE and reliability of its P(spoof) on this set')
    .option('--json', 'print the full evaluation as JSON')
    .action(
      async (o: {
        scores: string;
        manifest?: string;
        testOf?: string;
        groupBy: string;
        againstAllBonafide?: boolean;
        costMiss: number;
        costFa: number;
        priorSpoof: number;
        detOut?: string;
        calibration?: string;
        json?: boolean;
      }) => {
        const calibration = o.calibration ? readCalibration(o.calibration) : null;
        const scores = readScores(o.scores);
        if ((o.manifest === undefined) === (o.testOf === undefined))
          throw new Error('spoof evaluate: give --manifest or --test-of (one of the two)');
        const utts = o.testOf ? await heldOutTrials(o.testOf) : await loadSpoofManifest(o.manifest!);
        const e = evaluateScores(scores, utts, {
          groupBy: o.groupBy,
          pooledBonafide: o.againstAllBonafide,
          dcf: { costMiss: o.costMiss, costFa: o.costFa, priorSpoof: o.priorSpoof },
        });
        if (o.detOut)
          await writeFileAtomic(
            o.detOut,
            stringify(
              e.det.map((p) => [p.threshold, p.pMiss, p.pFa, p.probitMiss, p.probitFa]),
              { header: true, columns: ['threshold', 'p_miss', 'p_fa', 'probit_miss', 'probit_fa'] },
            ),
          );
        const reliability = calibration ? calibratedReliability(calibration, scores, utts) : null;
        if (o.json) {
          process.stdout.write(`${JSON.stringify(reliability ? { ...e, calibration: { ...calibration, reliability } } : e)}\n`);
          return;
        }
        const lines = [formatSpoofEvaluation(e)];
        if (calibration && reliability)
          lines.push(
            '',
            `calibration: ${describeCalibration(calibration)}`,
            `ECE of its P(spoof) here: ${(100 * reliability.ece).toFixed(2)} % over ${reliability.n} trials`,
            ...reliabilityLines(reliability),
          );
        process.stdout.write(`${lines.join('\n')}\n`);
      },
    );
}
