/** `trustser spoof score`: one countermeasure score per audio file. */
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { intFlag, throwIfFailed } from '../core/index.js';
import { calibrationFor, heldOutTrials, scoresCsv, writeScores } from '../spoof/index.js';
import { spoofProbability, spoofVerdictAt } from '../metrics/index.js';
import { listInputFiles } from '../audio/index.js';
import { scoreWithProgress, windowingOptions, type WindowingFlags } from './common.js';

export function registerScore(spoof: Command): void {
  const cmd = spoof
    .command('score')
    .description(
      'one score per whole audio file (its 4.04 s windows aggregated; higher = more bona fide), with the predicted emotion when --emotion-model is given',
    )
    .argument('[inputs...]', 'audio files or folders')
    .option('--test-of <run-dir>', 'score the held-out trials of a `spoof train` run (instead of inputs)')
    .option('--model <spec>', 'aasist, aasist-l, a .pth/.safetensors file, or a `spoof train` run folder', 'aasist')
    .option('--emotion-model <run-dir>', 'SER run (trustser train) to predict each file’s emotion')
    .option('--out <file>', 'write the scores as CSV here (default: print them)')
    .option('--batch-size <n>', 'files decoded and windows scored at a time', intFlag(1))
    .option(
      '--calibration <file>',
      `a \`spoof calibrate\` file: add P(spoof) and the verdict at its EER threshold (default: the run's calibration.json when --model is a \`spoof train\` run with a dev fold)`,
    )
    .option('--json', 'print JSON instead of CSV');
  windowingOptions(cmd).action(
    async (
      inputs: string[],
      o: {
        model: string;
        emotionModel?: string;
        out?: string;
        batchSize?: number;
        calibration?: string;
        testOf?: string;
        json?: boolean;
      } & WindowingFlags,
    ) => {
      if (inputs.length > 0 === (o.testOf !== undefined))
        throw new Error('spoof score: give audio files or folders, or --test-of RUN (one of the two)');
      const calibration = calibrationFor(o.model, o.calibration);
      const files = o.testOf ? (await heldOutTrials(o.testOf)).map((u) => u.path) : await listInputFiles(inputs);
      const { scores, failed } = await scoreWithProgress(o.model, files, o);
      const withP = calibration
        ? scores.map((s) => ({ ...s, pSpoof: spoofProbability(calibration, s.score), verdict: spoofVerdictAt(calibration, s.score) }))
        : scores;
      if (o.out) {
        if (scores.length > 0) await writeScores(o.out, scores, calibration);
        process.stdout.write(`${resolve(o.out)}: ${scores.length} scores\n`);
      } else process.stdout.write(o.json ? `${JSON.stringify(withP)}\n` : scoresCsv(scores, calibration));
      throwIfFailed('spoof scoring', failed, files.length);
    },
  );
}
