/** `trustser spoof make-set`: build a spoofing corpus with its manifest. */
import { join } from 'node:path';
import type { Command } from 'commander';
import { intFlag, numberFlag, packageRoot } from '../core/index.js';
import { DEFAULT_VOICES, makeSpoofSet } from '../spoof/index.js';

const SHARED_DATA = () => join(packageRoot(), '..', 'shared', 'data');

export function registerMakeSet(spoof: Command): void {
  spoof
    .command('make-set')
    .description(
      'build a spoofing corpus: espeak-ng renditions of the RAVDESS statements in every emotion prosody and of read sentences (some through a codec); bona fide = RAVDESS + LibriSpeech',
    )
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
    .action(
      async (o: {
        out: string;
        ravdess: string | boolean;
        librispeech: string | boolean;
        voices?: string;
        takes: number;
        codecFraction: number;
        codecs?: string;
        seed: number;
        jobs?: number;
        json?: boolean;
      }) => {
        const root = (v: string | boolean, dflt: string) => (v === false ? null : typeof v === 'string' ? v : join(SHARED_DATA(), dflt));
        const voices = o.voices?.split(',').map((s) => {
          const [name, gender] = s.split(':');
          if (!name || (gender !== 'male' && gender !== 'female'))
            throw new Error(`--voices: expected name:male or name:female, got '${s}'`);
          return { name, gender: gender as 'male' | 'female' };
        });
        const summary = await makeSpoofSet({
          outDir: o.out,
          ravdessRoot: root(o.ravdess, 'ravdess-speech-16k'),
          librispeechRoot: root(o.librispeech, 'librispeech-test-other-subset'),
          voices,
          takes: o.takes,
          codecFraction: o.codecFraction,
          codecs: o.codecs?.split(','),
          seed: o.seed,
          jobs: o.jobs,
          progress: !o.json && process.stderr.isTTY,
        });
        process.stdout.write(
          o.json
            ? `${JSON.stringify(summary)}\n`
            : `${summary.manifest}: ${summary.bonafide} bona fide, ${summary.spoof} spoof (${summary.synthesized} synthesized now)\n`,
        );
      },
    );
}
