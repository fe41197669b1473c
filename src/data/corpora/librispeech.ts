/**
 * LibriSpeech (Panayotov et al., 2015): read English audiobook speech. No emotion labels; used
 * for speaker/gender probes and as neutral read speech.
 *
 * Layout: `SPEAKER/CHAPTER/SPEAKER-CHAPTER-UTT.flac` (the chapter level may be missing, as in
 * `../shared/data/librispeech-test-other-subset`), `SPEAKER-CHAPTER.trans.txt` transcripts
 * next to the audio (optional), and `SPEAKERS.TXT` (`ID | SEX | SUBSET | MINUTES | NAME`,
 * `;` comments) in the root or its parent (the `LibriSpeech/` folder).
 */
import { readdir } from 'node:fs/promises';
import { basename, dirname, join, relative, sep } from 'node:path';
import { boolOption, compact, finish, isFile, parseGender, readMetadata, requireDir, scanAudio, stem } from './common.js';
import { fail, quote } from './errors.js';
import type { CorpusAdapter, Gender, ListOptions, Utterance } from './types.js';

const CORPUS = 'librispeech';
const SPEAKERS_FILE = 'SPEAKERS.TXT';
const NAME_PATTERN = /^(\d+)-(\d+)-(\d+)$/;
/** Fields of a SPEAKERS.TXT line (the name may itself contain '|'). */
const SPEAKER_FIELDS = ['ID', 'SEX', 'SUBSET', 'MINUTES', 'NAME'];

/** One reader of SPEAKERS.TXT. */
export interface LibriSpeaker {
  gender: Gender;
  subset: string;
  minutes: number;
  name: string;
}

/**
 * Parses SPEAKERS.TXT.
 * @throws MetadataError naming the file, line and field of a malformed line.
 */
export function parseSpeakersTxt(text: string, file: string): Map<string, LibriSpeaker> {
  const out = new Map<string, LibriSpeaker>();
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (line === '' || line.startsWith(';')) return;
    const at = (field?: string) => ({ file, line: i + 1, field });
    const f = line.split('|').map((x) => x.trim());
    if (f.length < SPEAKER_FIELDS.length)
      fail(at(), `expected ${SPEAKER_FIELDS.length} '|'-separated fields '${SPEAKER_FIELDS.join(' | ')}', got ${f.length}: ${quote(line)}`);
    const [id, sex, subset, minutes] = f;
    if (!/^\d+$/.test(id)) fail(at('ID'), `expected a numeric reader id, got ${quote(id)}`);
    const gender = parseGender(sex);
    if (gender === null || sex.length !== 1) fail(at('SEX'), `expected 'F' or 'M', got ${quote(sex)}`);
    const min = Number(minutes);
    if (minutes === '' || !Number.isFinite(min) || min < 0) fail(at('MINUTES'), `expected a number of minutes, got ${quote(minutes)}`);
    if (out.has(id)) fail(at('ID'), `reader ${id} is listed twice`);
    out.set(id, { gender, subset, minutes: min, name: f.slice(4).join('|') });
  });
  return out;
}

async function findSpeakersFile(dir: string): Promise<string | null> {
  for (const f of [join(dir, SPEAKERS_FILE), join(dirname(dir), SPEAKERS_FILE)]) if (await isFile(f)) return f;
  return null;
}

/** Transcripts of the `*.trans.txt` files in the given folders: utterance id → text. */
async function readTranscripts(dirs: Iterable<string>): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const d of dirs) {
    for (const name of (await readdir(d)).filter((n) => n.endsWith('.trans.txt'))) {
      const file = join(d, name);
      (await readMetadata(file, CORPUS)).split(/\r?\n/).forEach((raw, i) => {
        const line = raw.trim();
        if (line === '') return;
        const space = line.indexOf(' ');
        const id = space < 0 ? line : line.slice(0, space);
        if (!NAME_PATTERN.test(id)) fail({ file, line: i + 1, field: 'utterance id' }, `expected SPEAKER-CHAPTER-UTT, got ${quote(id)}`);
        out.set(id, space < 0 ? '' : line.slice(space + 1));
      });
    }
  }
  return out;
}

async function list(root: string, options?: ListOptions): Promise<Utterance[]> {
  const dir = await requireDir(root, CORPUS, 'SPEAKER/CHAPTER/SPEAKER-CHAPTER-UTT.flac files and SPEAKERS.TXT');
  const needSpeakers = boolOption(options, 'requireSpeakers', true, CORPUS);
  const files = await scanAudio(dir, ['.flac', '.wav']);
  if (files.length === 0) throw new Error(`${CORPUS}: no .flac files under ${dir}`);
  const speakersFile = await findSpeakersFile(dir);
  if (speakersFile === null && needSpeakers) {
    throw new Error(
      `${CORPUS}: no ${SPEAKERS_FILE} in ${dir} or its parent (it gives each reader's sex; pass { requireSpeakers: false } to list without it)`,
    );
  }
  const speakers = speakersFile === null ? null : parseSpeakersTxt(await readMetadata(speakersFile, CORPUS), speakersFile);
  const transcripts = await readTranscripts(new Set(files.map((f) => dirname(f))));
  const utts: Utterance[] = [];
  for (const path of files) {
    const name = stem(path);
    const m = NAME_PATTERN.exec(name);
    if (!m) fail({ file: path, field: 'file name' }, `expected SPEAKER-CHAPTER-UTT (e.g. 3005-163389-0005), got '${basename(path)}'`);
    const [, spk, chapter] = m;
    const folders = relative(dir, dirname(path)).split(sep);
    if (!folders.includes(spk))
      fail({ file: path, field: 'speaker' }, `reader ${spk} of the file name is not one of its folders (${folders.join('/')})`);
    const reader = speakers?.get(spk);
    if (speakers && !reader) fail({ file: speakersFile!, field: 'ID' }, `reader ${spk} (of ${path}) is not listed`);
    utts.push({
      id: name,
      path,
      corpus: CORPUS,
      speaker: `${CORPUS}:${spk}`,
      labels: compact({ chapter: Number(chapter), subset: reader?.subset, text: transcripts.get(name) }),
      attributes: reader ? { gender: reader.gender } : {},
    });
  }
  return finish(utts, options, CORPUS);
}

/**
 * The LibriSpeech adapter. Options: `requireSpeakers` (default true). Labels: `chapter`,
 * `subset` (from SPEAKERS.TXT), `text` (when transcripts are present); attributes: gender.
 * No emotion label maps.
 */
export const librispeech: CorpusAdapter = {
  name: CORPUS,
  description: 'LibriSpeech: read audiobook speech with reader sex; no emotion labels',
  labelMaps: {},
  defaultLabelMap: '',
  list,
};
