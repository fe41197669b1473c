/**
 * IEMOCAP (Busso et al., 2008): 5 sessions × 2 actors (1 female, 1 male), improvised and
 * scripted dialogs, categorical labels and valence/activation/dominance ratings (1–5).
 *
 * Layout: `Session{1..5}/dialog/EmoEvaluation/<dialog>.txt` and
 * `Session{1..5}/sentences/wav/<dialog>/<turn>.wav`. An evaluation file's utterance lines read
 * `[START - END]<TAB>TURN<TAB>EMOTION<TAB>[V, A, D]` (header: `% [START_TIME - END_TIME]
 * TURN_NAME EMOTION [V, A, D]`); the per-annotator lines below them are skipped.
 */
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { compact, dropMissing, finish, isHidden, missingPolicy, readMetadata, requireDir, scanAudio, stem } from './common.js';
import { fail, quote } from './errors.js';
import { FOUR_CLASSES, makeLabelMap } from './labels.js';
import type { CorpusAdapter, ListOptions, Utterance } from './types.js';

const CORPUS = 'iemocap';
/** Session folders: Session1 ... Session5. */
const SESSION_DIR = /^Session(\d+)$/;
/** Categorical codes used in the evaluation files ('xxx' = no majority). */
export const IEMOCAP_EMOTIONS = ['neu', 'hap', 'sad', 'ang', 'exc', 'fru', 'fea', 'sur', 'dis', 'oth', 'xxx'];
/** Turn names: Ses01F_impro01_F000, Ses01F_script01_1_M012, Ses05M_script01_1b_F004. */
const TURN_PATTERN = /^Ses(\d{2})([FM])_(.+)_([FM])(\d{3})$/;
const TIME_PATTERN = /^\[\s*(\d+(?:\.\d+)?)\s*-\s*(\d+(?:\.\d+)?)\s*\]$/;
const VAD_PATTERN = /^\[\s*([^,\s]+)\s*,\s*([^,\s]+)\s*,\s*([^,\s\]]+)\s*\]$/;
/** Smallest and largest value of the dimensional rating scale. */
const VAD_MIN = 1;
const VAD_MAX = 5;

/** One utterance line of an evaluation file. */
export interface IemocapTurn {
  turn: string;
  dialog: string;
  startS: number;
  endS: number;
  emotion: string;
  valence: number;
  arousal: number;
  dominance: number;
  /** Gender of the speaking actor (from the turn's last part). */
  gender: 'female' | 'male';
}

/**
 * Parses the utterance lines of one EmoEvaluation file.
 * @param file - file name for messages; `dialog` - expected dialog (the file stem).
 * @throws MetadataError naming the file, line and field of a malformed utterance line.
 */
export function parseEmoEvaluation(text: string, file: string, dialog: string): IemocapTurn[] {
  const out: IemocapTurn[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (!line.startsWith('[')) return; // header ('%'), annotator lines ('C-E1:', 'A-E2:'), blanks
    const at = { file, line: i + 1 };
    const parts = line
      .split('\t')
      .map((p) => p.trim())
      .filter((p) => p !== '');
    if (parts.length !== 4)
      fail(at, `expected 4 tab-separated fields '[START - END]  TURN  EMOTION  [V, A, D]', got ${parts.length}: ${quote(line)}`);
    const [time, turn, emotion, vad] = parts;
    const t = TIME_PATTERN.exec(time);
    if (!t || Number(t[2]) < Number(t[1]))
      fail({ ...at, field: 'time range' }, `expected '[START - END]' in seconds with END ≥ START, got ${quote(time)}`);
    const m = TURN_PATTERN.exec(turn);
    if (!m) fail({ ...at, field: 'turn name' }, `expected e.g. Ses01F_impro01_F000, got ${quote(turn)}`);
    const turnDialog = turn.slice(0, turn.lastIndexOf('_'));
    if (turnDialog !== dialog) fail({ ...at, field: 'turn name' }, `turn ${turn} does not belong to dialog ${dialog}`);
    if (!IEMOCAP_EMOTIONS.includes(emotion))
      fail({ ...at, field: 'emotion' }, `unknown emotion code ${quote(emotion)} (expected one of ${IEMOCAP_EMOTIONS.join(', ')})`);
    const v = VAD_PATTERN.exec(vad);
    const nums = v ? [Number(v[1]), Number(v[2]), Number(v[3])] : [];
    if (!v || nums.some((x) => !Number.isFinite(x) || x < VAD_MIN || x > VAD_MAX)) {
      fail(
        { ...at, field: 'valence/arousal/dominance' },
        `expected '[V, A, D]', three numbers in [${VAD_MIN}, ${VAD_MAX}], got ${quote(vad)}`,
      );
    }
    out.push({
      turn,
      dialog,
      startS: Number(t[1]),
      endS: Number(t[2]),
      emotion,
      valence: nums[0],
      arousal: nums[1],
      dominance: nums[2],
      gender: m[4] === 'F' ? 'female' : 'male',
    });
  });
  return out;
}

async function list(root: string, options?: ListOptions): Promise<Utterance[]> {
  const dir = await requireDir(root, CORPUS, 'Session1 ... Session5 folders');
  const policy = missingPolicy(options, CORPUS);
  const sessions = (await readdir(dir, { withFileTypes: true }))
    .filter((e) => e.isDirectory() && SESSION_DIR.test(e.name))
    .map((e) => e.name)
    .sort();
  if (sessions.length === 0) throw new Error(`${CORPUS}: no Session1 ... Session5 folders in ${dir}`);
  const utts: Utterance[] = [];
  const present = new Set<string>();
  for (const session of sessions) {
    const sessionNo = Number(SESSION_DIR.exec(session)![1]);
    const evalDir = join(dir, session, 'dialog', 'EmoEvaluation');
    const entries = await readdir(evalDir, { withFileTypes: true }).catch(() => {
      throw new Error(`${CORPUS}: ${evalDir} does not exist (expected the EmoEvaluation/*.txt label files)`);
    });
    const evalFiles = entries
      .filter((e) => e.isFile() && e.name.endsWith('.txt') && !isHidden(e.name))
      .map((e) => e.name)
      .sort();
    if (evalFiles.length === 0) throw new Error(`${CORPUS}: no .txt files in ${evalDir}`);
    const wavDir = join(dir, session, 'sentences', 'wav');
    for (const p of await scanAudio(wavDir, ['.wav'])) present.add(p);
    for (const name of evalFiles) {
      const file = join(evalDir, name);
      const dialog = stem(name);
      for (const t of parseEmoEvaluation(await readMetadata(file, CORPUS), file, dialog)) {
        const m = TURN_PATTERN.exec(t.turn)!;
        if (Number(m[1]) !== sessionNo) fail({ file, field: 'turn name' }, `turn ${t.turn} is in ${session}`);
        utts.push({
          id: t.turn,
          path: join(wavDir, dialog, `${t.turn}.wav`),
          corpus: CORPUS,
          durationS: t.endS - t.startS,
          speaker: `${CORPUS}:Ses${m[1]}${m[4]}`,
          session,
          labels: compact({
            emotion: t.emotion,
            valence: t.valence,
            arousal: t.arousal,
            dominance: t.dominance,
            mode: dialog.includes('impro') ? 'improvised' : dialog.includes('script') ? 'scripted' : undefined,
            dialog,
          }),
          attributes: { gender: t.gender },
        });
      }
    }
  }
  return finish(dropMissing(utts, present, policy, CORPUS), options, CORPUS);
}

const FOUR_RAW: Record<string, string | null> = { neu: 'neutral', hap: 'happy', sad: 'sad', ang: 'angry' };

/**
 * The IEMOCAP adapter. Speakers are `iemocap:Ses01F` (session + the speaking actor's gender,
 * from the first letter of the turn's last part); `session` is `Session1` ...; labels:
 * `emotion` (raw code), `valence`, `arousal`, `dominance` (1–5), `mode`
 * (`improvised`/`scripted`), `dialog`. `durationS` comes from the evaluation time range.
 * Label maps: `4class` (neu, hap, sad, ang) and `4class-exc` (excited merged into happy).
 */
export const iemocap: CorpusAdapter = {
  name: CORPUS,
  description: 'IEMOCAP: 5 sessions x 2 actors, improvised/scripted dialogs, categorical and valence/arousal/dominance labels',
  labelMaps: {
    '4class': makeLabelMap('4class', FOUR_CLASSES, FOUR_RAW),
    '4class-exc': makeLabelMap('4class-exc', FOUR_CLASSES, { ...FOUR_RAW, exc: 'happy' }),
  },
  defaultLabelMap: '4class',
  list,
};
