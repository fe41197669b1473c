/** `trustser spoof train`: fine-tune AASIST (optionally emotion-conditioned) on a spoof set. */
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { choiceFlag, intFlag, positiveFlag } from '../core/index.js';
import { EMOTION_CONDITIONING_MODES, type EmotionConditioning } from '../models/index.js';
import { SPOOF_TRAIN_DEFAULTS, trainSpoofModel } from '../spoof/index.js';

export function registerTrainSpoof(spoof: Command): void {
  const d = SPOOF_TRAIN_DEFAULTS;
  spoof
    .command('train')
    .description(
      'fine-tune AASIST (optionally emotion-conditioned) on a spoof set with speaker-disjoint held-out speakers and voices; resumes in the same --out',
    )
    .requiredOption('--set <dir>', 'spoof set from `spoof make-set`')
    .requiredOption('--out <dir>', 'run folder')
    .option('--init <spec>', 'initial weights: aasist, aasist-l or a file', 'aasist')
    .option(
      '--conditioning <mode>',
      `none, ${EMOTION_CONDITIONING_MODES.join(', ')}`,
      choiceFlag(['none', ...EMOTION_CONDITIONING_MODES] as const),
      'none' as const,
    )
    .option('--emotion-model <run-dir>', 'SER run giving the emotion embeddings (with --conditioning)')
    .option('--epochs <n>', 'epochs', intFlag(1), d.epochs)
    .option('--batch-size <n>', 'batch size', intFlag(1), d.batchSize)
    .option('--lr <x>', 'learning rate', positiveFlag, d.lr)
    .option('--crop <samples>', 'training crop length (16 kHz samples)', intFlag(1), d.cropSamples)
    .option('--seed <n>', 'seed', intFlag(), d.seed)
    .action(
      async (o: {
        set: string;
        out: string;
        init: string;
        conditioning: EmotionConditioning | 'none';
        emotionModel?: string;
        epochs: number;
        batchSize: number;
        lr: number;
        crop: number;
        seed: number;
      }) => {
        const r = await trainSpoofModel({
          set: o.set,
          outDir: o.out,
          init: o.init,
          conditioning: o.conditioning,
          emotionRun: o.emotionModel,
          epochs: o.epochs,
          batchSize: o.batchSize,
          lr: o.lr,
          cropSamples: o.crop,
          seed: o.seed,
          log: (l) => process.stderr.write(`${l}\n`),
        });
        r.model.module.dispose();
        process.stdout.write(
          `${resolve(o.out)}: trained on ${r.split.train.length} utterances; ${r.split.test.length} held out (split.json)\n`,
        );
      },
    );
}
