/**
 * CREMA-D (Cao et al., 2014): 91 actors, 12 sentences, 6 intended emotions at up to 4 levels,
 * with actor demographics (age, sex, race, ethnicity) and crowd-sourced perceptual ratings.
 *
 * Layout: `AudioWAV/1001_DFA_ANG_XX.wav` (ActorID_Sentence_Emotion_Level),
 * `VideoDemographics.csv` (ActorID, Age, Sex, Race, Ethnicity) and
 * `processedResults/summaryTable.csv` (FileName, VoiceVote, VoiceLevel, FaceVote, FaceLevel,
 * MultiModalVote, MultiModalLevel; a leading unnamed index column is ignored).
 */
import { join } from 'node:path';
import { boolOption, compact, enumOption, finish, isFile, parseGender, readMetadata, requireDir, scanAudio, stem } from './common.js';
import { cell, numberCell, parseCsv, requireColumns } from './csv.js';
import { fail } from './errors.js';
import { FOUR_CLASSES, makeLabelMap } from './labels.js';
import type { CorpusAdapter, ListOptions, Utterance, UtteranceAttributes } from './types.js';

const CORPUS = 'crema-d';
const AUDIO_DIR = 'AudioWAV';
const DEMOGRAPHICS = 'VideoDemographics.csv';
const SUMMARY = join('processedResults', 'summaryTable.csv');
/** Column of summaryTable.csv read as the observed (voice-only) label. */
export const CREMA_OBSERVED_COLUMN = 'VoiceVote';
/** Column of summaryTable.csv holding the mean perceived level of the voice-only ratings. */
export const CREMA_OBSERVED_LEVEL_COLUMN = 'VoiceLevel';

/** Intended-emotion codes (file-name part 3). */
export const CREMA_EMOTIONS = ['ANG', 'DIS', 'FEA', 'HAP', 'NEU', 'SAD'];
/** Rating letters in summaryTable.csv → emotion codes. */
const VOTE_LETTERS: Record<string, string> = { A: 'ANG', D: 'DIS', F: 'FEA', H: 'HAP', N: 'NEU', S: 'SAD' };
/** The 12 sentence codes (file-name part 2). */
export const CREMA_SENTENCES = ['IEO', 'TIE', 'IOM', 'IWW', 'TAI', 'MTI', 'IWL', 'ITH', 'DFA', 'ITS', 'TSI', 'WSI'];
const LEVELS: Record<string, string> = { LO: 'low', MD: 'medium', HI: 'high', XX: 'unspecified' };
const NAME_PATTERN = /^(\d{4})_([A-Z]{3})_([A-Z]{3})_([A-Z]{2})$/;
const FIELDS = ['actor', 'sentence', 'emotion', 'level'];

/** Raw code → shared class name. */
const SIX: Record<string, string> = { ANG: 'angry', DIS: 'disgust', FEA: 'fearful', HAP: 'happy', NEU: 'neutral', SAD: 'sad' };

async function readDemographics(file: string): Promise<Map<string, UtteranceAttributes>> {
  const table = parseCsv(await readMetadata(file, CORPUS), file);
  requireColumns(table, ['ActorID', 'Age', 'Sex', 'Race', 'Ethnicity']);
  const out = new Map<string, UtteranceAttributes>();
  for (const row of table.rows) {
    const id = cell(table, row, 'ActorID');
    if (!/^\d{4}$/.test(id)) fail({ file, line: row.line, field: 'ActorID' }, `expected a four-digit actor id, got '${id}'`);
    if (out.has(id)) fail({ file, line: row.line, field: 'ActorID' }, `actor ${id} is listed twice`);
    const age = numberCell(table, row, 'Age');
    const gender = parseGender(cell(table, row, 'Sex'));
    if (gender === null) fail({ file, line: row.line, field: 'Sex' }, `expected Male or Female, got '${row.values.Sex}'`);
    out.set(id, { gender, age, race: cell(table, row, 'Race'), ethnicity: cell(table, row, 'Ethnicity') });
  }
  return out;
}

/** Per file stem: the raw voice vote, its single emotion code (null for ties) and level. */
interface VoiceRating {
  vote: string;
  observed: string | null;
  level: number | null;
}

async function readRatings(file: string): Promise<Map<string, VoiceRating>> {
  const table = parseCsv(await readMetadata(file, CORPUS), file);
  requireColumns(table, ['FileName', CREMA_OBSERVED_COLUMN]);
  const out = new Map<string, VoiceRating>();
  for (const row of table.rows) {
    const name = stem(cell(table, row, 'FileName'));
    const vote = cell(table, row, CREMA_OBSERVED_COLUMN);
    const letters = vote.split(':').map((l) => l.trim());
    for (const l of letters) {
      if (!(l in VOTE_LETTERS))
        fail(
          { file, line: row.line, field: CREMA_OBSERVED_COLUMN },
          `unknown emotion letter '${l}' in '${vote}' (expected A, D, F, H, N or S, ties joined by ':')`,
        );
    }
    const levelText = row.values[CREMA_OBSERVED_LEVEL_COLUMN] ?? '';
    const level = letters.length === 1 && levelText !== '' && Number.isFinite(Number(levelText)) ? Number(levelText) : null;
    out.set(name, { vote, observed: letters.length === 1 ? VOTE_LETTERS[letters[0]] : null, level });
  }
  return out;
}

async function list(root: string, options?: ListOptions): Promise<Utterance[]> {
  const dir = await requireDir(root, CORPUS, `${AUDIO_DIR}/ with ActorID_Sentence_Emotion_Level.wav files and ${DEMOGRAPHICS}`);
  const labelKind = enumOption(options, 'label', ['intended', 'observed'] as const, 'intended', CORPUS);
  const needDemographics = boolOption(options, 'requireDemographics', true, CORPUS);
  const files = await scanAudio(join(dir, AUDIO_DIR), ['.wav']);
  if (files.length === 0) throw new Error(`${CORPUS}: no .wav files in ${join(dir, AUDIO_DIR)}`);

  const demoFile = join(dir, DEMOGRAPHICS);
  let demographics: Map<string, UtteranceAttributes> | null = null;
  if (await isFile(demoFile)) demographics = await readDemographics(demoFile);
  else if (needDemographics)
    throw new Error(
      `${CORPUS}: ${demoFile} does not exist (it holds the actors' age, sex, race and ethnicity; pass { requireDemographics: false } to list without them)`,
    );

  const summaryFile = join(dir, SUMMARY);
  let ratings: Map<string, VoiceRating> | null = null;
  if (await isFile(summaryFile)) ratings = await readRatings(summaryFile);
  else if (labelKind === 'observed')
    throw new Error(`${CORPUS}: label 'observed' needs the crowd ratings in ${summaryFile}, which does not exist`);

  const utts: Utterance[] = [];
  for (const path of files) {
    const name = stem(path);
    const m = NAME_PATTERN.exec(name);
    if (!m) fail({ file: path, field: 'file name' }, `expected ActorID_Sentence_Emotion_Level (e.g. 1001_DFA_ANG_XX), got '${name}'`);
    const [, actor, sentence, emotion, level] = m;
    const bad = [true, CREMA_SENTENCES.includes(sentence), CREMA_EMOTIONS.includes(emotion), level in LEVELS].indexOf(false);
    if (bad >= 0) fail({ file: path, field: FIELDS[bad] }, `unknown code '${m[bad + 1]}' in '${name}'`);
    let attributes: UtteranceAttributes = {};
    if (demographics) {
      const a = demographics.get(actor);
      if (!a) fail({ file: demoFile, field: 'ActorID' }, `actor ${actor} (of ${path}) is not listed`);
      attributes = { ...a };
    }
    const r = ratings?.get(name);
    const observed = r?.observed ?? undefined;
    utts.push({
      id: name,
      path,
      corpus: CORPUS,
      speaker: `${CORPUS}:${actor}`,
      labels: compact({
        emotion: labelKind === 'intended' ? emotion : observed,
        intended: emotion,
        observed,
        voiceVote: r?.vote,
        voiceLevel: r?.level ?? undefined,
        sentence,
        level: LEVELS[level],
      }),
      attributes,
    });
  }
  return finish(utts, options, CORPUS);
}

/**
 * The CREMA-D adapter. Options: `label: 'intended' | 'observed'` (default intended: the
 * emotion the actor was asked for; observed: the crowd's voice-only majority vote,
 * `summaryTable.csv` column {@link CREMA_OBSERVED_COLUMN}, undefined for ties and unrated
 * files), `requireDemographics` (default true). Both `labels.intended` and `labels.observed`
 * are always set when known; raw emotions are the corpus codes ANG, DIS, FEA, HAP, NEU, SAD.
 */
export const cremaD: CorpusAdapter = {
  name: CORPUS,
  description:
    'CREMA-D: 91 actors with age/sex/race/ethnicity, 6 emotions; intended (file name) and observed (crowd voice-only vote) labels',
  labelMaps: {
    '6class': makeLabelMap('6class', ['neutral', 'happy', 'sad', 'angry', 'fearful', 'disgust'], SIX),
    '4class': makeLabelMap('4class', FOUR_CLASSES, { ...SIX, DIS: null, FEA: null }),
  },
  defaultLabelMap: '6class',
  list,
};
