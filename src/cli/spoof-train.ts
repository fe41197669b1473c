/** `trustser spoof train`: fine-tune AASIST (optionally emotion-conditioned) on a spoof set. */
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { RAWBOOST_STEPS, type RawBoostStep } from '../audio/index.js';
import { choiceFlag, choiceListFlag, intFlag, positiveFlag } from '../core/index.js';
import { EMOTION_CONDITIONING_MODES, SPOOF_VAD_MODES, type EmotionConditioning, type SpoofVad } from '../models/index.js';
import { RANDOM_INIT, SPOOF_ARCHS, SPOOF_TRAIN_DEFAULTS, trainSpoofModel, type SpoofArch, type SpoofProtocol } from '../spoof/index.js';

export function registerTrainSpoof(spoof: Command): void {
  const d = SPOOF_TRAIN_DEFAULTS;
  spoof
    .command('train')
    .description(
      'fine-tune AASIST (optionally emotion-conditioned) or train AASIST with a wav2vec 2.0 front end on a spoof set with speaker-disjoint held-out speakers and voices, optionally leaving one generator family or channel out; resumes in the same --out',
    )
    .requiredOption('--set <dir>', 'spoof set from `spoof make-set`')
    .requiredOption('--out <dir>', 'run folder')
    .option(
      '--model <arch>',
      `countermeasure: ${SPOOF_ARCHS.join(', ')} (aasist-wav2vec: AASIST on a wav2vec 2.0 front end; amsdf: audio + emotion views, needs --emotion-model)`,
      choiceFlag(SPOOF_ARCHS),
      'aasist' as SpoofArch,
    )
    .option(
      '--init <spec>',
      `initial weights: aasist: aasist | aasist-l | a file (default aasist); aasist-wav2vec: ${RANDOM_INIT} (a small front end from scratch, the default) or a wav2vec 2.0 / XLSR checkpoint for the front end; amsdf: AASIST weights for its audio view (default aasist) or ${RANDOM_INIT}`,
    )
    .option(
      '--conditioning <mode>',
      `none, ${EMOTION_CONDITIONING_MODES.join(', ')}`,
      choiceFlag(['none', ...EMOTION_CONDITIONING_MODES] as const),
      'none' as const,
    )
    .option('--emotion-model <run-dir>', 'SER run giving the emotion embeddings (with --conditioning, and for --model amsdf)')
    .option('--epochs <n>', 'epochs', intFlag(1), d.epochs)
    .option('--batch-size <n>', 'batch size', intFlag(1), d.batchSize)
    .option('--lr <x>', 'learning rate', positiveFlag, d.lr)
    .option('--crop <samples>', 'training crop length (16 kHz samples)', intFlag(1), d.cropSamples)
    .option('--folds <n>', 'speaker folds per source', intFlag(2), d.folds)
    .option('--test-fold <k>', 'fold whose speakers and voices are held out', intFlag(0), d.testFold)
    .option('--holdout-family <name>', 'leave-one-family-out: never train on this generator family; test on it')
    .option('--holdout-channel <name>', 'leave-one-channel-out: never train on this channel; test on it')
    .option(
      '--vad <mode>',
      `what of each clip the model hears in training and scoring: ${SPOOF_VAD_MODES.join(', ')} (energy: without its leading and trailing silence)`,
      choiceFlag(SPOOF_VAD_MODES),
      'none' as SpoofVad,
    )
    .option(
      '--rawboost [steps]',
      `RawBoost augmentation of every training crop: comma-separated steps applied in order (${RAWBOOST_STEPS.join(', ')}; default all three)`,
      choiceListFlag(RAWBOOST_STEPS),
    )
    .option(
      '--dev-fold <k>',
      'a speaker fold (not the test fold) kept for dev: the lowest dev-EER epoch is kept and calibration.json fitted on it (P(spoof), threshold)',
      intFlag(0),
    )
    .option('--seed <n>', 'seed', intFlag(), d.seed)
    .action(
      async (o: {
        set: string;
        out: string;
        model: SpoofArch;
        init?: string;
        conditioning: EmotionConditioning | 'none';
        emotionModel?: string;
        epochs: number;
        batchSize: number;
        lr: number;
        crop: number;
        folds: number;
        testFold: number;
        holdoutFamily?: string;
        holdoutChannel?: string;
        rawboost?: RawBoostStep[] | true;
        devFold?: number;
        vad: SpoofVad;
        seed: number;
      }) => {
        if (o.holdoutFamily && o.holdoutChannel) throw new Error('spoof train: give --holdout-family or --holdout-channel, not both');
        const protocol: SpoofProtocol = o.holdoutFamily
          ? { kind: 'leave-one-family-out', family: o.holdoutFamily }
          : o.holdoutChannel
            ? { kind: 'leave-one-channel-out', channel: o.holdoutChannel }
            : { kind: 'speaker' };
        const r = await trainSpoofModel({
          set: o.set,
          outDir: o.out,
          model: o.model,
          init: o.init ?? (o.model === 'aasist-wav2vec' ? RANDOM_INIT : 'aasist'),
          conditioning: o.conditioning,
          emotionRun: o.emotionModel,
          epochs: o.epochs,
          batchSize: o.batchSize,
          lr: o.lr,
          cropSamples: o.crop,
          folds: o.folds,
          testFold: o.testFold,
          protocol,
          rawboost: o.rawboost === true ? RAWBOOST_STEPS : o.rawboost,
          devFold: o.devFold,
          vad: o.vad,
          seed: o.seed,
          log: (l) => process.stderr.write(`${l}\n`),
        });
        r.model.module.dispose();
        process.stdout.write(
          `${resolve(o.out)}: trained on ${r.split.train.length} utterances; ${r.split.test.length} held out (${protocol.kind}, split.json)${r.dev ? `; dev: ${r.split.dev.length} trials, epoch ${r.dev.epoch} kept (EER ${(100 * r.dev.eer).toFixed(2)} %), calibration.json` : ''}${r.split.notes.map((n) => `\n  note: ${n}`).join('')}\n`,
        );
      },
    );
}
