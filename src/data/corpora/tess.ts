/**
 * Toronto emotional speech set, TESS (Dupuis & Pichora-Fuller, 2010): two female speakers (OAF,
 * aged 64; YAF, aged 26) saying "Say the word …" for 200 target words in 7 emotions; labels in
 * the file name `SPEAKER/SPEAKER_WORD_EMOTION.(wav|flac)`.
 */
import { basename, dirname } from 'node:path';
import { finish, requireDir, scanAudio, stem } from './common.js';
import { fail } from './errors.js';
import { FOUR_CLASSES, makeLabelMap } from './labels.js';
import type { CorpusAdapter, ListOptions, Utterance } from './types.js';

const CORPUS = 'tess';
/** The two speakers and what the corpus documents about them. */
export const TESS_SPEAKERS: Record<string, { age: number }> = { OAF: { age: 64 }, YAF: { age: 26 } };
/** Raw emotion names in the file names (`ps` = pleasant surprise). */
export const TESS_EMOTIONS = ['angry', 'disgust', 'fear', 'happy', 'neutral', 'ps', 'sad'] as const;
const NAME_PATTERN = /^([A-Z]{3})_([a-z]+)_([a-z]+)$/i;

async function list(root: string, options?: ListOptions): Promise<Utterance[]> {
  const dir = await requireDir(root, CORPUS, 'OAF/ and YAF/ folders of SPEAKER_WORD_EMOTION audio files');
  const files = await scanAudio(dir, ['.wav', '.flac']);
  if (files.length === 0) throw new Error(`${CORPUS}: no .wav or .flac files under ${dir}`);
  const utts: Utterance[] = [];
  for (const path of files) {
    const name = stem(path);
    const m = NAME_PATTERN.exec(name);
    if (!m) fail({ file: path, field: 'file name' }, `expected SPEAKER_WORD_EMOTION (e.g. OAF_back_angry), got '${basename(path)}'`);
    const [, spk, word, emotion] = m;
    const speaker = spk.toUpperCase();
    if (!TESS_SPEAKERS[speaker])
      fail({ file: path, field: 'speaker' }, `unknown speaker '${spk}' (TESS has ${Object.keys(TESS_SPEAKERS).join(', ')})`);
    const folder = basename(dirname(path)).toUpperCase();
    if (folder !== speaker)
      fail({ file: path, field: 'speaker' }, `speaker ${speaker} in the file name, but the file is in ${basename(dirname(path))}/`);
    const raw = emotion.toLowerCase();
    if (!(TESS_EMOTIONS as readonly string[]).includes(raw))
      fail({ file: path, field: 'emotion' }, `unknown emotion '${emotion}' (expected ${TESS_EMOTIONS.join(', ')})`);
    utts.push({
      id: name,
      path,
      corpus: CORPUS,
      speaker: `${CORPUS}:${speaker}`,
      labels: { emotion: raw, word: word.toLowerCase() },
      attributes: { gender: 'female', age: TESS_SPEAKERS[speaker].age },
    });
  }
  return finish(utts, options, CORPUS);
}

const SEVEN: Record<string, string> = {
  angry: 'angry',
  disgust: 'disgust',
  fear: 'fearful',
  happy: 'happy',
  neutral: 'neutral',
  ps: 'surprised',
  sad: 'sad',
};

/** The TESS adapter. Labels: `emotion` (7 raw names) and `word`; every speaker is female, with her age. */
export const tess: CorpusAdapter = {
  name: CORPUS,
  description:
    'TESS: 2 female speakers (aged 26 and 64), 200 words in the carrier phrase "Say the word …", 7 emotions; labels in the file names',
  labelMaps: {
    '7class': makeLabelMap('7class', ['neutral', 'happy', 'sad', 'angry', 'fearful', 'disgust', 'surprised'], SEVEN),
    '4class': makeLabelMap('4class', FOUR_CLASSES, {
      neutral: 'neutral',
      happy: 'happy',
      sad: 'sad',
      angry: 'angry',
      fear: null,
      disgust: null,
      ps: null,
    }),
  },
  defaultLabelMap: '7class',
  list,
};
