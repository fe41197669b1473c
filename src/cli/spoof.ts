/** `trustser spoof make-set|score|evaluate|train` and `trustser analyze` (emotion + spoof score). */
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import cliProgress from 'cli-progress';
import { stringify } from 'csv-stringify/sync';
import { BONAFIDE_CLASS, SPOOF_CLASS } from '../models/index.js';
import {
  DEFAULT_VOICES, SPOOF_TRAIN_DEFAULTS, evaluateScores, formatSpoofEvaluation, loadSpoofManifest, loadSpoofModel, makeSpoofSet, readScores, scoreFiles,
  scoresCsv, trainSpoofModel, writeScores, type SpoofScore,
} from '../spoof/index.js';
import { EMOTION_CONDITIONING_MODES, type EmotionConditioning } from '../models/index.js';
import { packageRoot } from '../core/index.js';
import { writeFileAtomic } from '../core/index.js';
import { throwIfFailed, type FileFailure } from '../core/pure.js';
import { choiceFlag, intFlag, numberFlag, positiveFlag } from '../core/index.js';
import { NO_SPEECH_LABEL } from '../run/index.js';
import { audioFiles } from './train.js';

const SHARED_DATA = () => join(packageRoot(), '..', 'shared', 'data');


function progressBar(enabled: boolean, label: string): cliProgress.SingleBar | null {
  return enabled && process.stderr.isTTY ? new cliProgress.SingleBar({ stream: process.stderr, format: `${label} [{bar}] {value}/{total} files | {eta_formatted} left` }, cliProgress.Presets.shades_classic) : null;
}

/** Scores files with a spoof model, showing progress; failed files are listed, not fatal. */
async function scoreWithProgress(spec: string, files: string[], o: { emotionModel?: string; batchSize?: number; quiet?: boolean }): Promise<{ scores: SpoofScore[]; failed: FileFailure[] }> {
  const model = await loadSpoofModel(spec, { emotionRun: o.emotionModel, paths: files });
  const bar = progressBar(!o.quiet, 'scoring');
  bar?.start(files.length, 0);
  try {
    return await scoreFiles(model, files, { emotionRun: o.emotionModel, batchSize: o.batchSize, onProgress: (d) => bar?.update(d) });
  } finally {
    bar?.stop();
    model.module.dispose();
  }
}

function registerMakeSet(spoof: Command): void {
  spoof
    .command('make-set')
    .description('build a spoofing corpus: espeak-ng renditions of the RAVDESS statements in every emotion prosody and of read sentences (some through a codec); bona fide = RAVDESS + LibriSpeech')
    .requiredOption('--out <dir>', 'output folder (manifest.csv, spoof-set.json, spoof/…)')
    .option('--ravdess <dir>', 'RAVDESS folder (default ../shared/data/ravdess-speech-16k)')
    .option('--librispeech <dir>', 'LibriSpeech folder (default ../shared/data/librispeech-test-other-subset)')
    .option('--no-ravdess', 'leave RAVDESS out')
    .option('--no-librispeech', 'leave LibriSpeech out')
    .option('--voices <list>', `espeak-ng voices as name:gender, comma-separated (default: ${DEFAULT_VOICES.length} built-in voices)`)
    .option('--takes <n>', 'renditions per voice, sentence and emotion', intFlag(1), 1)
    .option('--codec-fraction <x>', 'share of spoofs passed through a codec', numberFlag({ min: 0, max: 1 }), 0.5)
    .option('--codecs <list>', 'codecs drawn from (mp3, ogg, gsm, alaw)')
    .option('--seed <n>', 'random seed', intFlag(), 1)
    .option('--jobs <n>', 'parallel synthesis jobs', intFlag(1))
    .option('--json', 'print the summary as JSON')
    .action(async (o: { out: string; ravdess: string | boolean; librispeech: string | boolean; voices?: string; takes: number; codecFraction: number; codecs?: string; seed: number; jobs?: number; json?: boolean }) => {
      const root = (v: string | boolean, dflt: string) => (v === false ? null : typeof v === 'string' ? v : join(SHARED_DATA(), dflt));
      const voices = o.voices?.split(',').map((s) => {
        const [name, gender] = s.split(':');
        if (!name || (gender !== 'male' && gender !== 'female')) throw new Error(`--voices: expected name:male or name:female, got '${s}'`);
        return { name, gender: gender as 'male' | 'female' };
      });
      const summary = await makeSpoofSet({
        outDir: o.out, ravdessRoot: root(o.ravdess, 'ravdess-speech-16k'), librispeechRoot: root(o.librispeech, 'librispeech-test-other-subset'),
        voices, takes: o.takes, codecFraction: o.codecFraction, codecs: o.codecs?.split(','),
        seed: o.seed, jobs: o.jobs, progress: !o.json && process.stderr.isTTY,
      });
      process.stdout.write(o.json ? `${JSON.stringify(summary)}\n` : `${summary.manifest}: ${summary.bonafide} bona fide, ${summary.spoof} spoof (${summary.synthesized} synthesized now)\n`);
    });
}

function registerScore(spoof: Command): void {
  spoof
    .command('score')
    .description('one score per audio file (higher = more bona fide), with the predicted emotion when --emotion-model is given')
    .argument('<inputs...>', 'audio files or folders')
    .option('--model <spec>', 'aasist, aasist-l, a .pth/.safetensors file, or a `spoof train` run folder', 'aasist')
    .option('--emotion-model <run-dir>', 'SER run (trustser train) to predict each file’s emotion')
    .option('--out <file>', 'write the scores as CSV here (default: print them)')
    .option('--batch-size <n>', 'files per forward pass', intFlag(1))
    .option('--json', 'print JSON instead of CSV')
    .action(async (inputs: string[], o: { model: string; emotionModel?: string; out?: string; batchSize?: number; json?: boolean }) => {
      const files = await audioFiles(inputs);
      const { scores, failed } = await scoreWithProgress(o.model, files, o);
      if (o.out) {
        if (scores.length > 0) await writeScores(o.out, scores);
        process.stdout.write(`${resolve(o.out)}: ${scores.length} scores\n`);
      } else process.stdout.write(o.json ? `${JSON.stringify(scores)}\n` : scoresCsv(scores));
      throwIfFailed('spoof scoring', failed, files.length);
    });
}

function registerEvaluate(spoof: Command): void {
  spoof
    .command('evaluate')
    .description('EER (with threshold), min DCF, DET data and per-group EER of a scores file against a spoof-set manifest')
    .requiredOption('--scores <file>', 'scores CSV from `trustser spoof score`')
    .requiredOption('--manifest <file>', 'spoof-set manifest (a folder holding manifest.csv, or the file)')
    .option('--group-by <what>', "'emotion' (manifest label), 'predicted-emotion', or a manifest column (gender, codec, voice, source)", 'emotion')
    .option('--against-all-bonafide', 'score each group\'s spoofs against every bona fide trial (for spoof-only columns: codec, voice)')
    .option('--cost-miss <x>', 'cost of rejecting bona fide', positiveFlag, 1)
    .option('--cost-fa <x>', 'cost of accepting a spoof', positiveFlag, 10)
    .option('--prior-spoof <p>', 'prior probability of a spoof', numberFlag({ min: 0, max: 1, exclusiveMin: true }), 0.05)
    .option('--det-out <file>', 'write the DET curve (pMiss, pFa, probits, threshold) as CSV')
    .option('--json', 'print the full evaluation as JSON')
    .action(async (o: { scores: string; manifest: string; groupBy: string; againstAllBonafide?: boolean; costMiss: number; costFa: number; priorSpoof: number; detOut?: string; json?: boolean }) => {
      const scores = readScores(o.scores);
      const utts = await loadSpoofManifest(o.manifest);
      const e = evaluateScores(scores, utts, { groupBy: o.groupBy, pooledBonafide: o.againstAllBonafide, dcf: { costMiss: o.costMiss, costFa: o.costFa, priorSpoof: o.priorSpoof } });
      if (o.detOut) await writeFileAtomic(o.detOut, stringify(e.det.map((p) => [p.threshold, p.pMiss, p.pFa, p.probitMiss, p.probitFa]), { header: true, columns: ['threshold', 'p_miss', 'p_fa', 'probit_miss', 'probit_fa'] }));
      process.stdout.write(o.json ? `${JSON.stringify(e)}\n` : `${formatSpoofEvaluation(e)}\n`);
    });
}

function registerTrainSpoof(spoof: Command): void {
  const d = SPOOF_TRAIN_DEFAULTS;
  spoof
    .command('train')
    .description('fine-tune AASIST (optionally emotion-conditioned) on a spoof set with speaker-disjoint held-out speakers and voices; resumes in the same --out')
    .requiredOption('--set <dir>', 'spoof set from `spoof make-set`')
    .requiredOption('--out <dir>', 'run folder')
    .option('--init <spec>', 'initial weights: aasist, aasist-l or a file', 'aasist')
    .option('--conditioning <mode>', `none, ${EMOTION_CONDITIONING_MODES.join(', ')}`, choiceFlag(['none', ...EMOTION_CONDITIONING_MODES] as const), 'none' as const)
    .option('--emotion-model <run-dir>', 'SER run giving the emotion embeddings (with --conditioning)')
    .option('--epochs <n>', 'epochs', intFlag(1), d.epochs)
    .option('--batch-size <n>', 'batch size', intFlag(1), d.batchSize)
    .option('--lr <x>', 'learning rate', positiveFlag, d.lr)
    .option('--crop <samples>', 'training crop length (16 kHz samples)', intFlag(1), d.cropSamples)
    .option('--seed <n>', 'seed', intFlag(), d.seed)
    .action(async (o: { set: string; out: string; init: string; conditioning: EmotionConditioning | 'none'; emotionModel?: string; epochs: number; batchSize: number; lr: number; crop: number; seed: number }) => {
      const r = await trainSpoofModel({
        set: o.set, outDir: o.out, init: o.init, conditioning: o.conditioning, emotionRun: o.emotionModel,
        epochs: o.epochs, batchSize: o.batchSize, lr: o.lr, cropSamples: o.crop, seed: o.seed,
        log: (l) => process.stderr.write(`${l}\n`),
      });
      r.model.module.dispose();
      process.stdout.write(`${resolve(o.out)}: trained on ${r.split.train.length} utterances; ${r.split.test.length} held out (split.json)\n`);
    });
}

/** `trustser spoof …` and `trustser analyze`. */
export function registerSpoof(program: Command): void {
  const spoof = program.command('spoof').description('anti-spoofing: build a spoof set, score files with AASIST, evaluate EER, fine-tune');
  registerMakeSet(spoof);
  registerScore(spoof);
  registerEvaluate(spoof);
  registerTrainSpoof(spoof);

  program
    .command('analyze')
    .description('emotion and spoof score of each audio file in one call')
    .argument('<inputs...>', 'audio files or folders')
    .requiredOption('--emotion-model <run-dir>', 'SER run (trustser train)')
    .option('--spoof-model <spec>', 'aasist, aasist-l, a weights file or a `spoof train` run folder', 'aasist')
    .option('--json', 'print JSON')
    .action(async (inputs: string[], o: { emotionModel: string; spoofModel: string; json?: boolean }) => {
      const files = await audioFiles(inputs);
      const { scores, failed } = await scoreWithProgress(o.spoofModel, files, { emotionModel: o.emotionModel, quiet: o.json });
      const rows = scores.map((s) => ({ path: s.path, emotion: s.emotion ?? NO_SPEECH_LABEL, emotionProb: s.emotionProb ?? null, spoofScore: s.score, verdict: s.logits[BONAFIDE_CLASS] >= s.logits[SPOOF_CLASS] ? 'bonafide' : 'spoof' }));
      if (o.json) process.stdout.write(`${JSON.stringify(rows)}\n`);
      else {
        const width = Math.max(4, ...rows.map((r) => r.path.length));
        process.stdout.write(`${'file'.padEnd(width)}  ${'emotion'.padEnd(10)} ${'p'.padStart(5)}  ${'spoof score'.padStart(11)}  verdict\n`);
        for (const r of rows) process.stdout.write(`${r.path.padEnd(width)}  ${r.emotion.padEnd(10)} ${(r.emotionProb === null ? '—' : r.emotionProb.toFixed(2)).padStart(5)}  ${r.spoofScore.toFixed(3).padStart(11)}  ${r.verdict}\n`);
      }
      throwIfFailed('analysis', failed, files.length);
    });
}
