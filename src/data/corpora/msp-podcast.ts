/**
 * MSP-Podcast (Lotfian & Busso, 2019): podcast segments with consensus categorical labels,
 * activation/valence/dominance (1–7), speaker ids and gender, and official partitions.
 *
 * Layout: `Labels/labels_consensus.csv` (FileName, EmoClass, EmoAct, EmoVal, EmoDom, SpkrID,
 * Gender, Split_Set) and `Audios/<FileName>`.
 */
import { join } from 'node:path';
import {
  compact,
  dropMissing,
  enumOption,
  finish,
  isDir,
  missingPolicy,
  parseGender,
  readMetadata,
  requireDir,
  scanAudio,
  stem,
} from './common.js';
import { cell, numberCell, parseCsv, requireColumns } from './csv.js';
import { fail } from './errors.js';
import { FOUR_CLASSES, makeLabelMap } from './labels.js';
import type { CorpusAdapter, ListOptions, Utterance } from './types.js';

const CORPUS = 'msp-podcast';
const LABELS_FILE = join('Labels', 'labels_consensus.csv');
/** Audio folder names tried in order (releases use `Audios`). */
const AUDIO_DIRS = ['Audios', 'Audio'];
/** Consensus class letters: A angry, S sad, H happy, U surprise, F fear, D disgust, C contempt, N neutral, O other, X no agreement. */
export const MSP_PODCAST_CLASSES = ['A', 'S', 'H', 'U', 'F', 'D', 'C', 'N', 'O', 'X'];
/** Split_Set values: Train, Development, Test1, Test2 (later releases add more test sets). */
const SPLIT_PATTERN = /^(Train|Development|Test\d*)$/;
/** Attribute scale of the consensus ratings. */
const SCALE_MIN = 1;
const SCALE_MAX = 7;
const UNKNOWN = 'unknown';
const COLUMNS = ['FileName', 'EmoClass', 'EmoAct', 'EmoVal', 'EmoDom', 'SpkrID', 'Gender', 'Split_Set'];

const EIGHT: Record<string, string | null> = {
  N: 'neutral',
  H: 'happy',
  S: 'sad',
  A: 'angry',
  F: 'fearful',
  D: 'disgust',
  U: 'surprised',
  C: 'contempt',
  O: null,
  X: null,
};

async function list(root: string, options?: ListOptions): Promise<Utterance[]> {
  const dir = await requireDir(root, CORPUS, `${LABELS_FILE} and Audios/`);
  const policy = missingPolicy(options, CORPUS);
  const unknownSpeakers = enumOption(options, 'unknownSpeakers', ['per-utterance', 'drop'] as const, 'per-utterance', CORPUS);
  const file = join(dir, LABELS_FILE);
  const table = parseCsv(await readMetadata(file, CORPUS), file);
  requireColumns(table, COLUMNS);
  let audioDir = join(dir, AUDIO_DIRS[0]);
  for (const d of AUDIO_DIRS) {
    if (await isDir(join(dir, d))) {
      audioDir = join(dir, d);
      break;
    }
  }
  const utts: Utterance[] = [];
  for (const row of table.rows) {
    const at = (field: string) => ({ file, line: row.line, field });
    const name = cell(table, row, 'FileName');
    const emo = cell(table, row, 'EmoClass');
    if (!MSP_PODCAST_CLASSES.includes(emo))
      fail(at('EmoClass'), `unknown class '${emo}' (expected one of ${MSP_PODCAST_CLASSES.join(', ')})`);
    const dims: Record<string, number> = {};
    for (const [col, key] of [
      ['EmoAct', 'arousal'],
      ['EmoVal', 'valence'],
      ['EmoDom', 'dominance'],
    ] as const) {
      const v = numberCell(table, row, col);
      if (v < SCALE_MIN || v > SCALE_MAX) fail(at(col), `expected a rating in [${SCALE_MIN}, ${SCALE_MAX}], got ${v}`);
      dims[key] = v;
    }
    const split = cell(table, row, 'Split_Set');
    if (!SPLIT_PATTERN.test(split)) fail(at('Split_Set'), `unknown partition '${split}' (expected Train, Development, Test1, Test2, ...)`);
    const spk = cell(table, row, 'SpkrID');
    const known = spk.toLowerCase() !== UNKNOWN;
    if (known && !/^\d+$/.test(spk)) fail(at('SpkrID'), `expected a numeric speaker id or 'Unknown', got '${spk}'`);
    if (!known && unknownSpeakers === 'drop') continue;
    const g = cell(table, row, 'Gender');
    const gender = parseGender(g);
    if (gender === null && g.toLowerCase() !== UNKNOWN) fail(at('Gender'), `expected Male, Female or Unknown, got '${g}'`);
    const id = stem(name);
    utts.push({
      id,
      path: join(audioDir, name),
      corpus: CORPUS,
      // Unknown speakers become one pseudo-speaker per utterance (see docs/corpora.md).
      speaker: known ? `${CORPUS}:${spk}` : `${CORPUS}:unknown-${id}`,
      labels: { emotion: emo, arousal: dims.arousal, valence: dims.valence, dominance: dims.dominance, split },
      attributes: compact({ gender: gender ?? undefined, speakerKnown: known ? undefined : 'no' }),
    });
  }
  const present = new Set(await scanAudio(audioDir));
  return finish(dropMissing(utts, present, policy, CORPUS), options, CORPUS);
}

/**
 * The MSP-Podcast adapter. Options: `unknownSpeakers: 'per-utterance' | 'drop'` (default
 * per-utterance: each utterance of an unknown speaker gets its own pseudo-speaker id
 * `msp-podcast:unknown-<id>` and `attributes.speakerKnown = 'no'`). Labels: `emotion` (raw
 * letter), `arousal`, `valence`, `dominance` (1–7, from EmoAct/EmoVal/EmoDom) and `split`
 * (Split_Set as written: Train, Development, Test1, Test2).
 */
export const mspPodcast: CorpusAdapter = {
  name: CORPUS,
  description: 'MSP-Podcast: podcast segments, consensus categorical and activation/valence/dominance (1-7) labels, official partitions',
  labelMaps: {
    '4class': makeLabelMap('4class', FOUR_CLASSES, { N: 'neutral', H: 'happy', S: 'sad', A: 'angry' }),
    '8class': makeLabelMap('8class', ['neutral', 'happy', 'sad', 'angry', 'fearful', 'disgust', 'surprised', 'contempt'], EIGHT),
  },
  defaultLabelMap: '4class',
  list,
};
