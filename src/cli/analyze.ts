/** `trustser analyze`: the emotion (calibrated probability, `unknown` below `--min-confidence`) and the spoof score of each audio file in one call. */
import type { Command } from 'commander';
import { listInputFiles } from '../audio/index.js';
import { throwIfFailed } from '../core/index.js';
import { BONAFIDE_CLASS, SPOOF_CLASS } from '../models/index.js';
import { NO_SPEECH_LABEL } from '../run/index.js';
import { spoofProbability, spoofVerdictAt } from '../metrics/index.js';
import { calibrationFor } from '../spoof/index.js';
import { scoreWithProgress, windowingOptions, type WindowingFlags } from './common.js';
import { COLUMNS_HELP, MIN_CONFIDENCE_HELP, columnsFlag, minConfidenceFlag } from './common.js';

export function registerAnalyze(program: Command): void {
  const cmd = program
    .command('analyze')
    .description('emotion and spoof score of each audio file in one call')
    .argument('<inputs...>', 'audio files, folders or CSV manifests (a path column)')
    .option('--columns <mapping>', COLUMNS_HELP, columnsFlag)
    .option('--no-recurse', 'scan only the top level of each input folder')
    .requiredOption('--emotion-model <run-dir>', 'SER run (trustser train)')
    .option('--spoof-model <spec>', 'aasist, aasist-l, a weights file or a `spoof train` run folder', 'aasist')
    .option('--min-confidence <p>', MIN_CONFIDENCE_HELP, minConfidenceFlag)
    .option(
      '--spoof-calibration <file>',
      `a \`spoof calibrate\` file: report P(spoof) and judge at its EER threshold instead of logit > 0 (default: the run's calibration.json when --spoof-model is a \`spoof train\` run with a dev fold)`,
    )
    .option('--json', 'print JSON');
  windowingOptions(cmd).action(async (inputs: string[], o: AnalyzeFlags) => {
    const calibration = calibrationFor(o.spoofModel, o.spoofCalibration) ?? null;
    const files = await listInputFiles(inputs, { columns: o.columns, recurse: o.recurse });
    const { scores, failed } = await scoreWithProgress(o.spoofModel, files, {
      emotionModel: o.emotionModel,
      minConfidence: o.minConfidence,
      quiet: o.json,
      hop: o.hop,
      aggregate: o.aggregate,
      topK: o.topK,
    });
    const rows = scores.map((s) => ({
      path: s.path,
      emotion: s.emotion ?? NO_SPEECH_LABEL,
      emotionProb: s.emotionProb ?? null,
      spoofScore: s.score,
      pSpoof: calibration ? spoofProbability(calibration, s.score) : null,
      // Calibrated: the dev set's EER threshold; uncalibrated: the larger logit.
      verdict: calibration
        ? spoofVerdictAt(calibration, s.score)
        : s.logits[BONAFIDE_CLASS] >= s.logits[SPOOF_CLASS]
          ? 'bonafide'
          : 'spoof',
      windows: s.windows,
      scoredSeconds: s.scoredSeconds,
    }));
    if (o.json) process.stdout.write(`${JSON.stringify(rows)}\n`);
    else {
      const width = Math.max(4, ...rows.map((r) => r.path.length));
      process.stdout.write(
        `${'file'.padEnd(width)}  ${'emotion'.padEnd(10)} ${'p'.padStart(5)}  ${'spoof score'.padStart(11)}  ${'P(spoof)'.padStart(8)}  ${'verdict'.padEnd(8)}  scored\n`,
      );
      for (const r of rows)
        process.stdout.write(
          `${r.path.padEnd(width)}  ${r.emotion.padEnd(10)} ${(r.emotionProb === null ? '—' : r.emotionProb.toFixed(2)).padStart(5)}  ${r.spoofScore.toFixed(3).padStart(11)}  ${(r.pSpoof === null ? '—' : r.pSpoof.toFixed(3)).padStart(8)}  ${r.verdict.padEnd(8)}  ${r.scoredSeconds.toFixed(1)} s in ${r.windows} window${r.windows === 1 ? '' : 's'}\n`,
        );
    }
    throwIfFailed('analysis', failed, files.length);
  });
}

interface AnalyzeFlags extends WindowingFlags {
  spoofCalibration?: string;
  emotionModel: string;
  spoofModel: string;
  json?: boolean;
  minConfidence?: number;
  columns?: Record<string, string>;
  recurse: boolean;
}
