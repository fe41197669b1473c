/**
 * MELD (Poria et al., 2019): utterances from the TV series Friends with emotion and sentiment
 * labels and official train/dev/test partitions.
 *
 * Layout: `{train,dev,test}_sent_emo.csv` at the root (or in a `train/`, `dev/`, `test/`
 * folder), columns `Sr No., Utterance, Speaker, Emotion, Sentiment, Dialogue_ID,
 * Utterance_ID, Season, Episode, StartTime, EndTime`. The release ships video
 * (`train_splits/dia0_utt0.mp4`, `dev_splits_complete/`, `output_repeated_splits_test/`);
 * this adapter expects audio extracted next to them with the same stem:
 * `<split folder>/dia{D}_utt{U}.wav` (FLAC/MP3/Ogg also accepted).
 */
import { join } from 'node:path';
import { dropMissing, finish, isFile, missingPolicy, readMetadata, requireDir, scanAudio, stem } from './common.js';
import { cell, parseCsv, requireColumns } from './csv.js';
import { fail } from './errors.js';
import { FOUR_CLASSES, makeLabelMap } from './labels.js';
import type { CorpusAdapter, ListOptions, Utterance } from './types.js';

const CORPUS = 'meld';
/** The official partitions. */
export const MELD_SPLITS = ['train', 'dev', 'test'] as const;
type MeldSplit = (typeof MELD_SPLITS)[number];
/** Audio folders tried per partition, in order (release names first). */
export const MELD_AUDIO_DIRS: Record<MeldSplit, string[]> = {
  train: ['train_splits', 'train'],
  dev: ['dev_splits_complete', 'dev_splits', 'dev'],
  test: ['output_repeated_splits_test', 'test_splits', 'test'],
};
/** Emotion labels of the release. */
export const MELD_EMOTIONS = ['neutral', 'joy', 'sadness', 'anger', 'surprise', 'fear', 'disgust'];
const SENTIMENTS = ['neutral', 'positive', 'negative'];
const COLUMNS = ['Speaker', 'Emotion', 'Sentiment', 'Dialogue_ID', 'Utterance_ID'];

async function findLabels(dir: string, split: MeldSplit): Promise<string | null> {
  for (const f of [join(dir, `${split}_sent_emo.csv`), join(dir, split, `${split}_sent_emo.csv`)]) if (await isFile(f)) return f;
  return null;
}

async function list(root: string, options?: ListOptions): Promise<Utterance[]> {
  const dir = await requireDir(root, CORPUS, 'train_sent_emo.csv, dev_sent_emo.csv, test_sent_emo.csv and the per-split audio folders');
  const policy = missingPolicy(options, CORPUS);
  const utts: Utterance[] = [];
  const present = new Set<string>();
  let found = 0;
  for (const split of MELD_SPLITS) {
    const file = await findLabels(dir, split);
    if (file === null) continue;
    found++;
    // Index the audio of this partition by stem (first folder that has the file wins).
    const audio = new Map<string, string>();
    for (const d of MELD_AUDIO_DIRS[split]) {
      for (const p of await scanAudio(join(dir, d))) if (!audio.has(stem(p))) audio.set(stem(p), p);
    }
    for (const p of audio.values()) present.add(p);
    const table = parseCsv(await readMetadata(file, CORPUS), file);
    requireColumns(table, COLUMNS);
    for (const row of table.rows) {
      const at = (field: string) => ({ file, line: row.line, field });
      const ids = ['Dialogue_ID', 'Utterance_ID'].map((c) => {
        const v = cell(table, row, c);
        if (!/^\d+$/.test(v)) fail(at(c), `expected a non-negative integer, got '${v}'`);
        return Number(v);
      });
      const emotion = cell(table, row, 'Emotion').toLowerCase();
      if (!MELD_EMOTIONS.includes(emotion))
        fail(at('Emotion'), `unknown emotion '${row.values.Emotion}' (expected one of ${MELD_EMOTIONS.join(', ')})`);
      const sentiment = cell(table, row, 'Sentiment').toLowerCase();
      if (!SENTIMENTS.includes(sentiment))
        fail(at('Sentiment'), `unknown sentiment '${row.values.Sentiment}' (expected ${SENTIMENTS.join(', ')})`);
      const name = `dia${ids[0]}_utt${ids[1]}`;
      utts.push({
        id: `${split}/${name}`,
        path: audio.get(name) ?? join(dir, MELD_AUDIO_DIRS[split][0], `${name}.wav`),
        corpus: CORPUS,
        speaker: `${CORPUS}:${cell(table, row, 'Speaker')}`,
        labels: { emotion, sentiment, split, dialogue: ids[0], utterance: ids[1] },
        attributes: {},
      });
    }
  }
  if (found === 0) throw new Error(`${CORPUS}: none of train_sent_emo.csv, dev_sent_emo.csv, test_sent_emo.csv found in ${dir}`);
  return finish(dropMissing(utts, present, policy, CORPUS), options, CORPUS);
}

const SEVEN: Record<string, string> = {
  neutral: 'neutral',
  joy: 'happy',
  sadness: 'sad',
  anger: 'angry',
  surprise: 'surprised',
  fear: 'fearful',
  disgust: 'disgust',
};

/**
 * The MELD adapter. Ids are `<split>/dia{D}_utt{U}` (dialogue numbers restart in each
 * partition); speakers are the character names (`meld:Joey`) — the same characters appear in
 * every partition, so MELD's official split is not speaker-independent. Labels: `emotion`,
 * `sentiment`, `split` (train/dev/test), `dialogue`, `utterance`.
 */
export const meld: CorpusAdapter = {
  name: CORPUS,
  description:
    'MELD: Friends TV-series dialogues, 7 emotions and 3 sentiments, official train/dev/test (speakers are characters, shared across partitions)',
  labelMaps: {
    '4class': makeLabelMap('4class', FOUR_CLASSES, {
      neutral: 'neutral',
      joy: 'happy',
      sadness: 'sad',
      anger: 'angry',
      surprise: null,
      fear: null,
      disgust: null,
    }),
    '7class': makeLabelMap('7class', ['neutral', 'happy', 'sad', 'angry', 'surprised', 'fearful', 'disgust'], SEVEN),
    sentiment: makeLabelMap('sentiment', SENTIMENTS, Object.fromEntries(SENTIMENTS.map((s) => [s, s])), 'sentiment'),
  },
  defaultLabelMap: '4class',
  list,
};
