/**
 * ASVspoof 2019 logical access (Wang et al., 2020): bona fide and synthetic/converted speech
 * (attacks A01–A19) in official train/dev/eval partitions with disjoint speakers.
 *
 * Layout (the `LA/` folder of the release, or its parent):
 * `ASVspoof2019_LA_cm_protocols/ASVspoof2019.LA.cm.{train.trn,dev.trl,eval.trl}.txt` with lines
 * `SPEAKER UTTERANCE - SYSTEM KEY` (e.g. `LA_0079 LA_T_1138215 - - bonafide`,
 * `LA_0079 LA_T_1004644 - A01 spoof`) and audio `ASVspoof2019_LA_{train,dev,eval}/flac/<id>.flac`.
 * Speaker gender is read, when present, from the ASV protocols
 * `ASVspoof2019_LA_asv_protocols/ASVspoof2019.LA.asv.{dev,eval}.{female,male}.trn.txt`
 * (first field of each line = speaker).
 */
import { join } from 'node:path';
import { dropMissing, enumOption, finish, isDir, isFile, missingPolicy, readMetadata, requireDir, scanAudio } from './common.js';
import { fail, quote } from './errors.js';
import { makeLabelMap } from './labels.js';
import type { CorpusAdapter, Gender, ListOptions, Utterance } from './types.js';

const CORPUS = 'asvspoof2019-la';
const CM_DIR = 'ASVspoof2019_LA_cm_protocols';
const ASV_DIR = 'ASVspoof2019_LA_asv_protocols';
/** The partitions and their protocol-file suffixes and utterance-id letters. */
export const ASVSPOOF_PARTITIONS = {
  train: { protocol: 'train.trn', letter: 'T' },
  dev: { protocol: 'dev.trl', letter: 'D' },
  eval: { protocol: 'eval.trl', letter: 'E' },
} as const;
type Partition = keyof typeof ASVSPOOF_PARTITIONS;
const SPEAKER_PATTERN = /^LA_\d{4}$/;
const SYSTEM_PATTERN = /^A\d{2}$/;
/** Fields of a CM protocol line. */
const CM_FIELDS = ['speaker', 'utterance', 'unused', 'system', 'key'];

/** One CM protocol line. */
export interface CmProtocolEntry {
  speaker: string;
  utterance: string;
  /** Attack id (A01 ...), or null for bona fide. */
  system: string | null;
  key: 'bonafide' | 'spoof';
}

/**
 * Parses a CM protocol file.
 * @throws MetadataError naming the file, line and field of a malformed line.
 */
export function parseCmProtocol(text: string, file: string, partition: Partition): CmProtocolEntry[] {
  const out: CmProtocolEntry[] = [];
  const letter = ASVSPOOF_PARTITIONS[partition].letter;
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (line === '') return;
    const at = (field?: string) => ({ file, line: i + 1, field });
    const f = line.split(/\s+/);
    if (f.length !== CM_FIELDS.length)
      fail(at(), `expected ${CM_FIELDS.length} fields '${CM_FIELDS.join(' ')}', got ${f.length}: ${quote(line)}`);
    const [speaker, utterance, , system, key] = f;
    if (!SPEAKER_PATTERN.test(speaker)) fail(at('speaker'), `expected LA_NNNN, got ${quote(speaker)}`);
    if (!new RegExp(`^LA_${letter}_\\d{7}$`).test(utterance))
      fail(at('utterance'), `expected LA_${letter}_NNNNNNN in the ${partition} protocol, got ${quote(utterance)}`);
    if (key !== 'bonafide' && key !== 'spoof') fail(at('key'), `expected 'bonafide' or 'spoof', got ${quote(key)}`);
    if (key === 'bonafide' ? system !== '-' : !SYSTEM_PATTERN.test(system)) {
      fail(
        at('system'),
        key === 'bonafide'
          ? `bona fide lines have '-' as system, got ${quote(system)}`
          : `expected an attack id A01 ... A19 for a spoof, got ${quote(system)}`,
      );
    }
    out.push({ speaker, utterance, system: key === 'spoof' ? system : null, key });
  });
  return out;
}

/** Speaker → gender from the ASV enrolment protocols that are present. */
async function readGenders(dir: string): Promise<Map<string, Gender>> {
  const out = new Map<string, Gender>();
  for (const part of ['dev', 'eval']) {
    for (const gender of ['female', 'male'] as const) {
      const file = join(dir, ASV_DIR, `ASVspoof2019.LA.asv.${part}.${gender}.trn.txt`);
      if (!(await isFile(file))) continue;
      (await readMetadata(file, CORPUS)).split(/\r?\n/).forEach((raw, i) => {
        const first = raw.trim().split(/\s+/)[0];
        if (first === '') return;
        if (!SPEAKER_PATTERN.test(first)) fail({ file, line: i + 1, field: 'speaker' }, `expected LA_NNNN, got ${quote(first)}`);
        out.set(first, gender);
      });
    }
  }
  return out;
}

async function list(root: string, options?: ListOptions): Promise<Utterance[]> {
  let dir = await requireDir(root, CORPUS, `${CM_DIR}/ and ASVspoof2019_LA_{train,dev,eval}/flac/`);
  if (!(await isDir(join(dir, CM_DIR))) && (await isDir(join(dir, 'LA', CM_DIR)))) dir = join(dir, 'LA');
  if (!(await isDir(join(dir, CM_DIR)))) throw new Error(`${CORPUS}: no ${CM_DIR} folder in ${dir}`);
  const policy = missingPolicy(options, CORPUS);
  const only = enumOption(options, 'partition', ['all', 'train', 'dev', 'eval'] as const, 'all', CORPUS);
  const genders = await readGenders(dir);
  const utts: Utterance[] = [];
  const present = new Set<string>();
  let found = 0;
  for (const part of Object.keys(ASVSPOOF_PARTITIONS) as Partition[]) {
    if (only !== 'all' && only !== part) continue;
    const file = join(dir, CM_DIR, `ASVspoof2019.LA.cm.${ASVSPOOF_PARTITIONS[part].protocol}.txt`);
    if (!(await isFile(file))) {
      if (only === part) throw new Error(`${CORPUS}: protocol ${file} does not exist`);
      continue;
    }
    found++;
    const flacDir = join(dir, `ASVspoof2019_LA_${part}`, 'flac');
    for (const p of await scanAudio(flacDir, ['.flac'])) present.add(p);
    for (const e of parseCmProtocol(await readMetadata(file, CORPUS), file, part)) {
      const gender = genders.get(e.speaker);
      utts.push({
        id: e.utterance,
        path: join(flacDir, `${e.utterance}.flac`),
        corpus: CORPUS,
        speaker: `${CORPUS}:${e.speaker}`,
        labels: e.system === null ? { spoof: e.key, split: part } : { spoof: e.key, attack: e.system, split: part },
        attributes: gender ? { gender } : {},
      });
    }
  }
  if (found === 0) throw new Error(`${CORPUS}: no CM protocol files (ASVspoof2019.LA.cm.*.txt) in ${join(dir, CM_DIR)}`);
  return finish(dropMissing(utts, present, policy, CORPUS), options, CORPUS);
}

/**
 * The ASVspoof 2019 LA adapter. Options: `partition: 'all' | 'train' | 'dev' | 'eval'`.
 * Labels: `spoof` (bonafide/spoof), `attack` (A01 ... A19, spoofs only), `split`
 * (train/dev/eval). No emotion labels; the `spoof` label map classifies bona fide vs spoof.
 */
export const asvspoof2019La: CorpusAdapter = {
  name: CORPUS,
  description: 'ASVspoof 2019 LA: bona fide vs spoofed speech (attacks A01-A19), official train/dev/eval with disjoint speakers',
  labelMaps: {
    spoof: makeLabelMap('spoof', ['bonafide', 'spoof'], { bonafide: 'bonafide', spoof: 'spoof' }, 'spoof'),
  },
  defaultLabelMap: 'spoof',
  list,
};
