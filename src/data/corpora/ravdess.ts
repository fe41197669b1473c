/**
 * RAVDESS (Livingstone & Russo, 2018): 24 actors (odd = male, even = female), labels in the
 * file name `MM-VV-EE-II-SS-RR-AA.wav` under `Actor_AA/`.
 */
import { basename, dirname } from 'node:path';
import { enumOption, finish, requireDir, scanAudio, stem } from './common.js';
import { fail } from './errors.js';
import { FOUR_CLASSES, makeLabelMap } from './labels.js';
import type { CorpusAdapter, ListOptions, Utterance } from './types.js';

const CORPUS = 'ravdess';
/** Modality code for audio-only files. */
const MODALITY_AUDIO_ONLY = '03';
/** Vocal channel codes. */
const VOCAL_CHANNEL = { speech: '01', song: '02' } as const;
/** Emotion codes (file-name field 3) → names from the RAVDESS documentation. */
export const RAVDESS_EMOTIONS: Record<string, string> = {
  '01': 'neutral',
  '02': 'calm',
  '03': 'happy',
  '04': 'sad',
  '05': 'angry',
  '06': 'fearful',
  '07': 'disgust',
  '08': 'surprised',
};
const INTENSITY: Record<string, string> = { '01': 'normal', '02': 'strong' };
/** Statement codes → the sentence spoken. */
export const RAVDESS_STATEMENTS: Record<string, string> = { '01': 'Kids are talking by the door', '02': 'Dogs are sitting by the door' };
const STATEMENT_KEY: Record<string, string> = { '01': 'kids', '02': 'dogs' };
const REPETITIONS = ['01', '02'];
/** Number of actors in the corpus. */
export const RAVDESS_ACTORS = 24;
const FIELD_NAMES = ['modality', 'vocal channel', 'emotion', 'intensity', 'statement', 'repetition', 'actor'] as const;
const NAME_PATTERN = /^\d{2}(-\d{2}){6}$/;
const ACTOR_DIR = /^Actor_(\d{2})$/;

const EIGHT = ['neutral', 'calm', 'happy', 'sad', 'angry', 'fearful', 'disgust', 'surprised'];

/**
 * Parses a RAVDESS file name into its labels.
 * @throws MetadataError naming the file and the field that is malformed.
 */
export function parseRavdessName(path: string): {
  modality: string;
  channel: string;
  emotion: string;
  intensity: string;
  statement: string;
  repetition: number;
  actor: string;
} {
  const name = stem(path);
  if (!NAME_PATTERN.test(name))
    fail({ file: path, field: 'file name' }, `expected MM-VV-EE-II-SS-RR-AA (seven two-digit codes), got '${basename(path)}'`);
  const [mm, vv, ee, ii, ss, rr, aa] = name.split('-');
  const check = (ok: boolean, i: number, v: string): void => {
    if (!ok) fail({ file: path, field: FIELD_NAMES[i] }, `invalid code '${v}' in '${basename(path)}'`);
  };
  check(['01', '02', '03'].includes(mm), 0, mm);
  check(vv === VOCAL_CHANNEL.speech || vv === VOCAL_CHANNEL.song, 1, vv);
  check(ee in RAVDESS_EMOTIONS, 2, ee);
  check(ii in INTENSITY && !(ee === '01' && ii === '02'), 3, ii);
  check(ss in RAVDESS_STATEMENTS, 4, ss);
  check(REPETITIONS.includes(rr), 5, rr);
  const actor = Number(aa);
  check(actor >= 1 && actor <= RAVDESS_ACTORS, 6, aa);
  return {
    modality: mm,
    channel: vv,
    emotion: RAVDESS_EMOTIONS[ee],
    intensity: INTENSITY[ii],
    statement: ss,
    repetition: Number(rr),
    actor: aa,
  };
}

async function list(root: string, options?: ListOptions): Promise<Utterance[]> {
  const dir = await requireDir(root, CORPUS, 'Actor_01 ... Actor_24 folders of 03-01-EE-II-SS-RR-AA.wav files');
  const channel = enumOption(options, 'vocalChannel', ['speech', 'song', 'all'] as const, 'speech', CORPUS);
  const files = (await scanAudio(dir, ['.wav'])).filter((p) => ACTOR_DIR.test(basename(dirname(p))));
  if (files.length === 0) throw new Error(`${CORPUS}: no Actor_XX/*.wav files under ${dir}`);
  const utts: Utterance[] = [];
  for (const path of files) {
    const p = parseRavdessName(path);
    const folderActor = ACTOR_DIR.exec(basename(dirname(path)))![1];
    if (folderActor !== p.actor)
      fail({ file: path, field: 'actor' }, `actor ${p.actor} in the file name, but the file is in Actor_${folderActor}`);
    if (p.modality !== MODALITY_AUDIO_ONLY) continue; // audio-video copies are not used
    if (channel !== 'all' && p.channel !== VOCAL_CHANNEL[channel]) continue;
    utts.push({
      id: stem(path),
      path,
      corpus: CORPUS,
      speaker: `${CORPUS}:${p.actor}`,
      labels: {
        emotion: p.emotion,
        intensity: p.intensity,
        statement: STATEMENT_KEY[p.statement],
        repetition: p.repetition,
        vocalChannel: p.channel === VOCAL_CHANNEL.speech ? 'speech' : 'song',
      },
      attributes: { gender: Number(p.actor) % 2 === 1 ? 'male' : 'female' },
    });
  }
  return finish(utts, options, CORPUS);
}

/**
 * The RAVDESS adapter. Options: `vocalChannel: 'speech' | 'song' | 'all'` (default speech),
 * plus the common {@link ListOptions}. Labels: `emotion` (8 names), `intensity`
 * (`normal`/`strong`), `statement` (`kids`/`dogs`), `repetition` (1/2), `vocalChannel`.
 */
export const ravdess: CorpusAdapter = {
  name: CORPUS,
  description: 'RAVDESS: 24 actors (12 male, 12 female), 8 acted emotions, 2 statements; labels in the file names',
  labelMaps: {
    '8class': makeLabelMap('8class', EIGHT, Object.fromEntries(EIGHT.map((e) => [e, e]))),
    '4class': makeLabelMap('4class', FOUR_CLASSES, {
      neutral: 'neutral',
      happy: 'happy',
      sad: 'sad',
      angry: 'angry',
      calm: null,
      fearful: null,
      disgust: null,
      surprised: null,
    }),
  },
  defaultLabelMap: '8class',
  list,
};
