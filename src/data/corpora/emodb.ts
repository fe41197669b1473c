/**
 * Berlin Database of Emotional Speech, EmoDB (Burkhardt et al., 2005): 10 actors (5 female,
 * 5 male), 10 German sentences, 7 emotions; labels in the file name, e.g. `wav/03a01Fa.wav`
 * = speaker 03, text a01, emotion F (Freude), version a.
 */
import { join } from 'node:path';
import { finish, isDir, requireDir, scanAudio, stem } from './common.js';
import { fail } from './errors.js';
import { FOUR_CLASSES, makeLabelMap } from './labels.js';
import type { CorpusAdapter, Gender, ListOptions, Utterance } from './types.js';

const CORPUS = 'emodb';
/** Emotion letters (German initials) → the English names used as raw labels. */
export const EMODB_EMOTIONS: Record<string, string> = {
  W: 'anger', // Wut / Ärger
  L: 'boredom', // Langeweile
  E: 'disgust', // Ekel
  A: 'fear', // Angst
  F: 'happiness', // Freude
  T: 'sadness', // Trauer
  N: 'neutral',
};
/** The published speaker list: gender and age (years) at recording. */
export const EMODB_SPEAKERS: Record<string, { gender: Gender; age: number }> = {
  '03': { gender: 'male', age: 31 },
  '08': { gender: 'female', age: 34 },
  '09': { gender: 'female', age: 21 },
  '10': { gender: 'male', age: 32 },
  '11': { gender: 'male', age: 26 },
  '12': { gender: 'male', age: 30 },
  '13': { gender: 'female', age: 32 },
  '14': { gender: 'female', age: 35 },
  '15': { gender: 'male', age: 25 },
  '16': { gender: 'female', age: 31 },
};
const NAME_PATTERN = /^(\d{2})([ab]\d{2})([A-Z])([a-z])$/;

async function list(root: string, options?: ListOptions): Promise<Utterance[]> {
  const dir = await requireDir(root, CORPUS, 'wav/ with files such as 03a01Fa.wav');
  const wavDir = (await isDir(join(dir, 'wav'))) ? join(dir, 'wav') : dir;
  const files = await scanAudio(wavDir, ['.wav']);
  if (files.length === 0) throw new Error(`${CORPUS}: no .wav files in ${wavDir}`);
  const utts: Utterance[] = [];
  for (const path of files) {
    const name = stem(path);
    const m = NAME_PATTERN.exec(name);
    if (!m)
      fail({ file: path, field: 'file name' }, `expected SSTTTEV (speaker, text, emotion letter, version; e.g. 03a01Fa), got '${name}'`);
    const [, spk, text, letter, version] = m;
    const speaker = EMODB_SPEAKERS[spk];
    if (!speaker) fail({ file: path, field: 'speaker' }, `unknown speaker '${spk}' (EmoDB has ${Object.keys(EMODB_SPEAKERS).join(', ')})`);
    const emotion = EMODB_EMOTIONS[letter];
    if (!emotion)
      fail(
        { file: path, field: 'emotion' },
        `unknown emotion letter '${letter}' (expected one of ${Object.keys(EMODB_EMOTIONS).join(', ')})`,
      );
    utts.push({
      id: name,
      path,
      corpus: CORPUS,
      speaker: `${CORPUS}:${spk}`,
      labels: { emotion, text, version },
      attributes: { gender: speaker.gender, age: speaker.age },
    });
  }
  return finish(utts, options, CORPUS);
}

const SEVEN: Record<string, string> = {
  anger: 'angry',
  boredom: 'bored',
  disgust: 'disgust',
  fear: 'fearful',
  happiness: 'happy',
  sadness: 'sad',
  neutral: 'neutral',
};

/**
 * The EmoDB adapter. Labels: `emotion` (anger, boredom, disgust, fear, happiness, sadness,
 * neutral), `text` (a01 ... b10), `version`; attributes: gender and age from the speaker list.
 */
export const emodb: CorpusAdapter = {
  name: CORPUS,
  description: 'EmoDB (Berlin): 10 actors (5 female, 5 male), 10 German sentences, 7 emotions; labels in the file names',
  labelMaps: {
    '7class': makeLabelMap('7class', ['neutral', 'happy', 'sad', 'angry', 'fearful', 'disgust', 'bored'], SEVEN),
    '4class': makeLabelMap('4class', FOUR_CLASSES, {
      neutral: 'neutral',
      happiness: 'happy',
      sadness: 'sad',
      anger: 'angry',
      boredom: null,
      disgust: null,
      fear: null,
    }),
  },
  defaultLabelMap: '7class',
  list,
};
