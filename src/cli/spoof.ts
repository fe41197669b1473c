/** `trustser spoof make-set|score|evaluate|calibrate|train`: the anti-spoofing command group. */
import type { Command } from 'commander';
import { registerCalibrate } from './spoof-calibrate.js';
import { registerEvaluate } from './spoof-evaluate.js';
import { registerMakeSet } from './spoof-make-set.js';
import { registerScore } from './spoof-score.js';
import { registerTrainSpoof } from './spoof-train.js';

export function registerSpoof(program: Command): void {
  const spoof = program
    .command('spoof')
    .description('anti-spoofing: build a spoof set, score files with AASIST, evaluate EER, calibrate, fine-tune');
  registerMakeSet(spoof);
  registerScore(spoof);
  registerEvaluate(spoof);
  registerCalibrate(spoof);
  registerTrainSpoof(spoof);
}
