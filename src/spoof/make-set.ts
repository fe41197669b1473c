/**
 * `trustser spoof make-set`: a spoofing corpus of several generator families built on this
 * machine (./families.ts). TTS families speak the RAVDESS statements in every RAVDESS emotion's
 * prosody and read sentences; the copy-synthesis family re-synthesizes bona fide utterances
 * (their own emotion, speaker and content). Bona fide trials are the RAVDESS and LibriSpeech
 * files. A share of all clips — bona fide and spoof alike, so a channel is never a spoof cue —
 * goes through a channel shift (telephone, codecs, noise, room); bona fide files on the clean
 * channel are referenced, never copied.
 *
 * Output folder: `spoof/<family>/…wav`, `bonafide/<channel>/…wav`, `manifest.csv` (the generic
 * manifest format with `spoof`, `family`, `voice`, `channel` columns, loadable with
 * `loadCorpus('manifest', …)`) and `spoof-set.json` (settings, counts, failures). The manifest
 * is written last, atomically: a folder without it is an interrupted run, and running again
 * resumes it (finished WAVs are kept). A clip a synthesizer fails on is skipped and listed.
 */
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import cliProgress from 'cli-progress';
import { stringify } from 'csv-stringify/sync';
import { getChannelShift, loadAudio } from '../audio/index.js';
import { getCorpus, MANIFEST_FILE, RAVDESS_STATEMENTS, type Utterance } from '../data/index.js';
import { makeRng, shuffle, type Rng } from '../core/pure.js';
import { removeStaleTemps, writeFileAtomic } from '../core/index.js';
import { checkFamiliesInstalled, getSpoofFamily, SPOOF_FAMILY_NAMES, type SpoofFamily, type TtsFamily } from './families.js';
import { renderClip, type ClipPlan } from './synth.js';
import { EMOTION_PROSODY, PROSODY_JITTER_PCT, READ_GROUP, READ_SENTENCES, type SpoofVoice } from './voices.js';

/** File names inside a spoof-set folder. */
export const SPOOF_MANIFEST = MANIFEST_FILE;
export const SPOOF_SETTINGS = 'spoof-set.json';

/** Channels drawn from by default: a phone line, two low-rate codecs, broadband noise, a room. */
export const DEFAULT_SPOOF_CHANNELS: readonly string[] = ['telephone', 'mp3-16kbps', 'ogg-q0', 'white-20db', 'reverb-room'];
/** Channel name of an unaltered clip in the manifest. */
export const CLEAN_CHANNEL = 'clean';
/** LibriSpeech files pooled as babble talkers (when a babble channel is chosen). */
const BABBLE_POOL_FILES = 20;

/** Settings of `makeSpoofSet`. */
export interface SpoofSetOptions {
  /** Output folder (created; must not already hold a finished set). */
  outDir: string;
  /** RAVDESS root (bona fide emotional speech), or null to leave it out. */
  ravdessRoot: string | null;
  /** LibriSpeech root (bona fide read speech), or null to leave it out. */
  librispeechRoot: string | null;
  /** Families to build (default: every family). */
  families?: readonly string[];
  /** Voices per TTS family, replacing the family's own list. */
  voices?: Readonly<Record<string, readonly SpoofVoice[]>>;
  /**
   * Spoofs per family for each (sentence, emotion), voices taken in turn, each with its own
   * prosody jitter; the copy family re-synthesizes as many bona fide clips per group (default 4).
   */
  renditions?: number;
  /** Share of clips (bona fide and spoof alike) passed through a channel from `channels` (default 0.5). */
  channelFraction?: number;
  /** Channel shift names drawn from (default {@link DEFAULT_SPOOF_CHANNELS}). */
  channels?: readonly string[];
  /** Peak level range of the stored spoofs (dBFS), drawn uniformly (default [-12, -1]). */
  peakDbRange?: [number, number];
  seed?: number;
  /** Parallel synthesis jobs (default: CPU count). */
  jobs?: number;
  /** Progress bar on stderr (default: when stderr is a TTY). */
  progress?: boolean;
}

/** A clip that could not be made (left out of the manifest). */
export interface FailedClip {
  id: string;
  reason: string;
}

/** What `makeSpoofSet` produced. */
export interface SpoofSetSummary {
  outDir: string;
  manifest: string;
  bonafide: number;
  spoof: number;
  /** Spoofs per family. */
  families: Record<string, number>;
  /** Clips made by this call (the rest were kept from an interrupted run). */
  synthesized: number;
  failed: FailedClip[];
}

interface ManifestRow {
  id: string;
  path: string;
  label: string;
  speaker: string;
  gender: string;
  spoof: 'bonafide' | 'spoof';
  source: string;
  family: string;
  voice: string;
  channel: string;
}

const MANIFEST_COLUMNS: readonly (keyof ManifestRow)[] = [
  'id',
  'path',
  'label',
  'speaker',
  'gender',
  'spoof',
  'source',
  'family',
  'voice',
  'channel',
];

/** One manifest row and how to make its file (null: a bona fide file used as it is). */
export interface PlannedClip {
  row: ManifestRow;
  clip: ClipPlan | null;
}

const DEFAULTS = { renditions: 4, channelFraction: 0.5, peakDbRange: [-12, -1] as [number, number], seed: 1 };

/** The (text, group, tag) items every TTS family speaks. */
function ttsItems(o: SpoofSetOptions): { text: string; group: string; tag: string }[] {
  const items: { text: string; group: string; tag: string }[] = [];
  if (o.ravdessRoot !== null)
    for (const [code, text] of Object.entries(RAVDESS_STATEMENTS))
      for (const emotion of Object.keys(EMOTION_PROSODY)) items.push({ text, group: emotion, tag: `${emotion}-s${code}` });
  if (o.librispeechRoot !== null)
    READ_SENTENCES.forEach((text, i) => items.push({ text, group: READ_GROUP, tag: `read-${String(i + 1).padStart(2, '0')}` }));
  return items;
}

const chosenFamilies = (o: SpoofSetOptions): SpoofFamily[] => (o.families ?? SPOOF_FAMILY_NAMES).map(getSpoofFamily);
const voicesOf = (o: SpoofSetOptions) => (f: TtsFamily) => o.voices?.[f.name] ?? f.voices;

/** Draws a clip's channel (the same law for bona fide and spoof). */
function drawChannel(o: SpoofSetOptions, rng: Rng): { channel: string | null; channelSeed: number } {
  const channels = o.channels ?? DEFAULT_SPOOF_CHANNELS;
  const fraction = o.channelFraction ?? DEFAULTS.channelFraction;
  const channel = rng.next() < fraction ? channels[rng.int(channels.length)] : null;
  return { channel, channelSeed: rng.int(2 ** 31) };
}

const safe = (id: string) => id.replace(/[^A-Za-z0-9._/-]/g, '_');

/** Deterministic plan of every clip for the settings and the bona fide list (same seed → same files). */
export function planSpoofSet(o: SpoofSetOptions, bonafide: readonly Utterance[]): PlannedClip[] {
  const renditions = o.renditions ?? DEFAULTS.renditions;
  const [lo, hi] = o.peakDbRange ?? DEFAULTS.peakDbRange;
  const rng = makeRng(o.seed ?? DEFAULTS.seed);
  const peak = (levelDb: number) => Math.min(hi, lo + rng.next() * (hi - lo) + levelDb);
  const plans: PlannedClip[] = [];
  const groupOf = (u: Utterance) => (u.corpus === 'librispeech' ? READ_GROUP : String(u.labels.emotion));
  for (const u of bonafide) {
    const { channel, channelSeed } = drawChannel(o, rng);
    const channelName = channel ?? CLEAN_CHANNEL;
    plans.push({
      row: {
        id: `${u.corpus}/${u.id}`,
        path: channel === null ? u.path : `bonafide/${channel}/${u.corpus}/${safe(u.id)}.wav`,
        label: groupOf(u),
        speaker: u.speaker,
        gender: u.attributes.gender ?? '',
        spoof: 'bonafide',
        source: u.corpus,
        family: '',
        voice: '',
        channel: channelName,
      },
      clip: channel === null ? null : { source: { kind: 'bonafide', sourcePath: u.path }, channel, channelSeed, peakDb: null },
    });
  }
  const items = ttsItems(o);
  for (const family of chosenFamilies(o)) {
    if (family.kind === 'copy') {
      // As many re-synthesized clips per group as a TTS family has spoofs in it.
      for (const group of [...new Set(items.map((i) => i.group))]) {
        const want = items.filter((i) => i.group === group).length * renditions;
        const pool = shuffle(
          bonafide.filter((u) => groupOf(u) === group),
          rng,
        ).slice(0, want);
        for (const u of pool) {
          const { channel, channelSeed } = drawChannel(o, rng);
          plans.push({
            row: {
              id: `${family.name}/${u.corpus}/${u.id}`,
              path: `spoof/${family.name}/${u.corpus}/${safe(u.id)}.wav`,
              label: group,
              speaker: u.speaker,
              gender: u.attributes.gender ?? '',
              spoof: 'spoof',
              source: family.name,
              family: family.name,
              voice: u.speaker,
              channel: channel ?? CLEAN_CHANNEL,
            },
            clip: { source: { kind: 'copy', family, sourcePath: u.path }, channel, channelSeed, peakDb: peak(0) },
          });
        }
      }
      continue;
    }
    const voices = voicesOf(o)(family);
    items.forEach((item, k) => {
      const base = EMOTION_PROSODY[item.group] ?? EMOTION_PROSODY.neutral;
      for (let r = 0; r < renditions; r++) {
        // Voices in turn, shifted per item, so every voice speaks every kind of item.
        const voice = voices[(r + k) % voices.length];
        const jitter = () => (2 * rng.next() - 1) * PROSODY_JITTER_PCT;
        const prosody = {
          ratePct: base.ratePct * (1 + jitter() / 100),
          pitchPct: base.pitchPct + jitter(),
          rangePct: base.rangePct,
          levelDb: base.levelDb,
        };
        const { channel, channelSeed } = drawChannel(o, rng);
        const name = `${item.tag}-r${r + 1}`;
        plans.push({
          row: {
            id: `${family.name}/${voice.name}/${name}`,
            path: `spoof/${family.name}/${voice.name}/${name}.wav`,
            label: item.group,
            speaker: `${family.name}-${voice.name}`,
            gender: voice.gender,
            spoof: 'spoof',
            source: family.name,
            family: family.name,
            voice: voice.name,
            channel: channel ?? CLEAN_CHANNEL,
          },
          clip: {
            source: { kind: 'tts', family, job: { text: item.text, voice: voice.name, prosody } },
            channel,
            channelSeed,
            peakDb: peak(base.levelDb),
          },
        });
      }
    });
  }
  return plans;
}

async function checkOptions(o: SpoofSetOptions): Promise<void> {
  if (o.ravdessRoot === null && o.librispeechRoot === null)
    throw new Error('spoof make-set: no bona fide data (give a RAVDESS and/or LibriSpeech folder)');
  for (const [name, root] of [
    ['RAVDESS', o.ravdessRoot],
    ['LibriSpeech', o.librispeechRoot],
  ] as const) {
    if (root !== null && !existsSync(root)) throw new Error(`spoof make-set: ${name} folder ${root} does not exist`);
  }
  if (o.renditions !== undefined && !(Number.isInteger(o.renditions) && o.renditions >= 1))
    throw new Error(`spoof make-set: renditions must be a positive integer, got ${o.renditions}`);
  if (o.channelFraction !== undefined && !(o.channelFraction >= 0 && o.channelFraction <= 1))
    throw new Error(`spoof make-set: channelFraction must lie in [0, 1], got ${o.channelFraction}`);
  if (o.channels && o.channels.length === 0) throw new Error('spoof make-set: channels is empty');
  for (const c of o.channels ?? []) {
    try {
      getChannelShift(c);
    } catch (e) {
      throw new Error(`spoof make-set: ${(e as Error).message}`);
    }
    if (c.startsWith('babble') && o.librispeechRoot === null)
      throw new Error(`spoof make-set: channel '${c}' needs other talkers: give a LibriSpeech folder`);
  }
  if (o.families && o.families.length === 0) throw new Error('spoof make-set: families is empty');
  const families = chosenFamilies(o);
  for (const name of Object.keys(o.voices ?? {})) {
    const f = getSpoofFamily(name);
    if (f.kind !== 'tts') throw new Error(`spoof make-set: family '${name}' has no voices to choose (it copies the bona fide speakers)`);
    if (o.voices![name].length === 0) throw new Error(`spoof make-set: no voices given for family '${name}'`);
  }
  if (o.peakDbRange && !(o.peakDbRange[0] <= o.peakDbRange[1] && o.peakDbRange[1] <= 0))
    throw new Error(`spoof make-set: peakDbRange must be [low, high] with low ≤ high ≤ 0 dBFS, got [${o.peakDbRange}]`);
  if (existsSync(join(o.outDir, SPOOF_MANIFEST)))
    throw new Error(`spoof make-set: ${o.outDir} already holds a spoof set (${SPOOF_MANIFEST}); choose another folder`);
  await checkFamiliesInstalled(families, voicesOf(o));
}

async function bonafideUtterances(o: SpoofSetOptions): Promise<Utterance[]> {
  const out: Utterance[] = [];
  for (const [corpus, root] of [
    ['ravdess', o.ravdessRoot],
    ['librispeech', o.librispeechRoot],
  ] as const) {
    if (root !== null) out.push(...(await getCorpus(corpus).list(resolve(root))));
  }
  return out;
}

async function babblePool(o: SpoofSetOptions, bonafide: readonly Utterance[]): Promise<Float32Array[] | undefined> {
  if (!(o.channels ?? DEFAULT_SPOOF_CHANNELS).some((c) => c.startsWith('babble'))) return undefined;
  const talkers = bonafide.filter((u) => u.corpus === 'librispeech').slice(0, BABBLE_POOL_FILES);
  return Promise.all(talkers.map(async (u) => (await loadAudio(u.path)).samples));
}

/** Builds (or resumes) a spoof set; see the module comment for the layout. */
export async function makeSpoofSet(o: SpoofSetOptions): Promise<SpoofSetSummary> {
  await checkOptions(o);
  const outDir = resolve(o.outDir);
  const bonafide = await bonafideUtterances(o);
  const plans = planSpoofSet(o, bonafide);
  // Clips of a killed run are either complete (renamed into place) or temporaries, removed here.
  removeStaleTemps(outDir);
  const todo = plans.filter((p) => p.clip !== null && !existsSync(join(outDir, p.row.path)));
  for (const dir of new Set(todo.map((p) => join(outDir, p.row.path, '..')))) await mkdir(dir, { recursive: true });
  const babble = await babblePool(o, bonafide);
  const work = await mkdtemp(join(tmpdir(), 'trustser-spoof-'));
  const bar =
    (o.progress ?? process.stderr.isTTY)
      ? new cliProgress.SingleBar(
          { stream: process.stderr, format: 'spoof set [{bar}] {value}/{total} clips | {eta_formatted} left' },
          cliProgress.Presets.shades_classic,
        )
      : null;
  const failed: FailedClip[] = [];
  bar?.start(todo.length, 0);
  try {
    let next = 0;
    const worker = async () => {
      while (next < todo.length) {
        const p = todo[next++];
        try {
          await renderClip(p.clip!, join(outDir, p.row.path), { workDir: work, babble });
        } catch (e) {
          failed.push({ id: p.row.id, reason: (e as Error).message });
        }
        bar?.increment();
      }
    };
    await Promise.all(Array.from({ length: Math.max(1, o.jobs ?? availableParallelism()) }, worker));
  } finally {
    bar?.stop();
    await rm(work, { recursive: true, force: true });
  }
  const failedIds = new Set(failed.map((f) => f.id));
  const rows = plans.filter((p) => !failedIds.has(p.row.id)).map((p) => p.row);
  const spoofRows = rows.filter((r) => r.spoof === 'spoof');
  if (spoofRows.length === 0) {
    const first = failed.find((f) => plans.find((p) => p.row.id === f.id)?.row.spoof === 'spoof');
    throw new Error(`spoof make-set: no spoof could be made${first ? ` (first failure: ${first.id}: ${first.reason})` : ''}`);
  }
  failed.sort((a, b) => a.id.localeCompare(b.id));
  const families: Record<string, number> = {};
  for (const r of spoofRows) families[r.family] = (families[r.family] ?? 0) + 1;
  const counts = { bonafide: rows.length - spoofRows.length, spoof: spoofRows.length };
  const settings = {
    version: 2,
    seed: o.seed ?? DEFAULTS.seed,
    families: chosenFamilies(o).map((f) => ({
      name: f.name,
      description: f.description,
      ...(f.kind === 'tts' ? { voices: voicesOf(o)(f).map((v) => v.name), prosody: f.prosody } : {}),
    })),
    renditions: o.renditions ?? DEFAULTS.renditions,
    channelFraction: o.channelFraction ?? DEFAULTS.channelFraction,
    channels: o.channels ?? DEFAULT_SPOOF_CHANNELS,
    peakDbRange: o.peakDbRange ?? DEFAULTS.peakDbRange,
    ravdessRoot: o.ravdessRoot,
    librispeechRoot: o.librispeechRoot,
    counts: { ...counts, families },
    failed,
  };
  await writeFileAtomic(join(outDir, SPOOF_SETTINGS), `${JSON.stringify(settings, null, 2)}\n`);
  await writeFileAtomic(join(outDir, SPOOF_MANIFEST), stringify(rows, { header: true, columns: [...MANIFEST_COLUMNS] }));
  return { outDir, manifest: join(outDir, SPOOF_MANIFEST), ...counts, families, synthesized: todo.length - failed.length, failed };
}
