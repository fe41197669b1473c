/** `trustser spoof make-set`: build a spoofing corpus of several generator families with its manifest. */
import { join } from 'node:path';
import { type Command, InvalidArgumentError } from 'commander';
import { listChannelShifts } from '../audio/index.js';
import { choiceListFlag, intFlag, numberFlag, packageRoot } from '../core/index.js';
import { DEFAULT_SPOOF_CHANNELS, getSpoofFamily, makeSpoofSet, SPOOF_FAMILY_NAMES, type SpoofVoice } from '../spoof/index.js';

const SHARED_DATA = () => join(packageRoot(), '..', 'shared', 'data');

/** Parses `family/name:gender,…` into voices per family. */
function voicesFlag(v: string): Record<string, SpoofVoice[]> {
  const out: Record<string, SpoofVoice[]> = {};
  for (const item of v
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
    const m = /^([^/]+)\/([^:]+):(male|female)$/.exec(item);
    if (!m) throw new InvalidArgumentError(`expected family/voice:male or family/voice:female, got '${item}'`);
    const family = getSpoofFamily(m[1]);
    if (family.kind !== 'tts')
      throw new InvalidArgumentError(`family '${m[1]}' has no voices to choose (it copies the bona fide speakers)`);
    if (!out[m[1]]) out[m[1]] = [];
    out[m[1]].push({ name: m[2], gender: m[3] as 'male' | 'female' });
  }
  return out;
}

export function registerMakeSet(spoof: Command): void {
  spoof
    .command('make-set')
    .description(
      'build a spoofing corpus: TTS families (espeak-ng, flite, festival) speaking the RAVDESS statements in every emotion prosody and read sentences, copy-synthesis of real speech (SPTK), a share of every clip through a channel; bona fide = RAVDESS + LibriSpeech',
    )
    .requiredOption('--out <dir>', 'output folder (manifest.csv, spoof-set.json, spoof/…, bonafide/…)')
    .option('--ravdess <dir>', 'RAVDESS folder (default ../shared/data/ravdess-speech-16k)')
    .option('--librispeech <dir>', 'LibriSpeech folder (default ../shared/data/librispeech-test-other-subset)')
    .option('--no-ravdess', 'leave RAVDESS out')
    .option('--no-librispeech', 'leave LibriSpeech out')
    .option('--families <list>', `generator families (default all: ${SPOOF_FAMILY_NAMES.join(', ')})`, choiceListFlag(SPOOF_FAMILY_NAMES))
    .option('--voices <list>', "voices replacing a TTS family's own, as family/voice:gender, comma-separated", voicesFlag)
    .option('--renditions <n>', 'spoofs per family, sentence and emotion (voices in turn)', intFlag(1), 4)
    .option(
      '--channel-fraction <x>',
      'share of clips, bona fide and spoof alike, passed through a channel',
      numberFlag({ min: 0, max: 1 }),
      0.5,
    )
    .option(
      '--channels <list>',
      `channel shifts drawn from, comma-separated (default ${DEFAULT_SPOOF_CHANNELS.join(', ')}; known: ${listChannelShifts()
        .map((c) => c.name)
        .join(', ')})`,
    )
    .option('--seed <n>', 'random seed', intFlag(), 1)
    .option('--jobs <n>', 'parallel synthesis jobs', intFlag(1))
    .option('--json', 'print the summary as JSON')
    .action(
      async (o: {
        out: string;
        ravdess: string | boolean;
        librispeech: string | boolean;
        families?: string[];
        voices?: Record<string, SpoofVoice[]>;
        renditions: number;
        channelFraction: number;
        channels?: string;
        seed: number;
        jobs?: number;
        json?: boolean;
      }) => {
        const root = (v: string | boolean, dflt: string) => (v === false ? null : typeof v === 'string' ? v : join(SHARED_DATA(), dflt));
        const summary = await makeSpoofSet({
          outDir: o.out,
          ravdessRoot: root(o.ravdess, 'ravdess-speech-16k'),
          librispeechRoot: root(o.librispeech, 'librispeech-test-other-subset'),
          families: o.families,
          voices: o.voices,
          renditions: o.renditions,
          channelFraction: o.channelFraction,
          channels: o.channels?.split(',').map((s) => s.trim()),
          seed: o.seed,
          jobs: o.jobs,
          progress: !o.json && process.stderr.isTTY,
        });
        for (const f of summary.failed) process.stderr.write(`skipped ${f.id}: ${f.reason}\n`);
        const families = Object.entries(summary.families)
          .map(([f, n]) => `${f} ${n}`)
          .join(', ');
        process.stdout.write(
          o.json
            ? `${JSON.stringify(summary)}\n`
            : `${summary.manifest}: ${summary.bonafide} bona fide, ${summary.spoof} spoof (${families}); ${summary.synthesized} clips made now${summary.failed.length ? `, ${summary.failed.length} skipped (listed above and in spoof-set.json)` : ''}\n`,
        );
      },
    );
}
