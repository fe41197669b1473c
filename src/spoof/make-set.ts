/**
 * `trustser spoof make-set`: a real, if simple, spoofing corpus built on this machine. Spoofs
 * are espeak-ng renditions of the RAVDESS statements in every RAVDESS emotion's prosody, and of
 * read sentences, by several voices, a share of them passed through a lossy codec; bona fide
 * trials are the RAVDESS and LibriSpeech files themselves (referenced, never copied).
 *
 * Output folder: `spoof/<voice>/<id>.wav`, `manifest.csv` (the generic manifest format with a
 * `spoof` column, loadable with `loadCorpus('manifest', …)`) and `spoof-set.json` (settings and
 * counts). The manifest is written last, atomically: a folder without it is an interrupted run,
 * and running again resumes it (finished WAVs are kept).
 */
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import cliProgress from 'cli-progress';
import { stringify } from 'csv-stringify/sync';
import { getCorpus, MANIFEST_FILE, RAVDESS_STATEMENTS } from '../data/index.js';
import { makeRng, type Rng } from '../core/pure.js';
import { writeFileAtomic } from '../core/index.js';
import { CODECS, synthesize, type Rendition } from './synth.js';
import { DEFAULT_VOICES, EMOTION_PROSODY, PROSODY_JITTER_PCT, READ_GROUP, READ_SENTENCES, type SpoofVoice } from './voices.js';

/** File names inside a spoof-set folder. */
export const SPOOF_MANIFEST = MANIFEST_FILE;
export const SPOOF_SETTINGS = 'spoof-set.json';

/** Settings of `makeSpoofSet`. */
export interface SpoofSetOptions {
  /** Output folder (created; must not already hold a finished set). */
  outDir: string;
  /** RAVDESS root (bona fide emotional speech), or null to leave it out. */
  ravdessRoot: string | null;
  /** LibriSpeech root (bona fide read speech), or null to leave it out. */
  librispeechRoot: string | null;
  voices?: readonly SpoofVoice[];
  /** Renditions per (voice, sentence, emotion), each with its own prosody jitter (default 1). */
  takes?: number;
  /** Fraction of spoofs passed through a codec from `codecs` (default 0.5). */
  codecFraction?: number;
  /** Codec names drawn from (default: all of {@link CODECS}). */
  codecs?: readonly string[];
  /** Peak level range of the stored spoofs (dBFS), drawn uniformly (default [-12, -1]). */
  peakDbRange?: [number, number];
  seed?: number;
  /** Parallel synthesis jobs (default: CPU count). */
  jobs?: number;
  /** Progress bar on stderr (default: when stderr is a TTY). */
  progress?: boolean;
}

/** What `makeSpoofSet` produced. */
export interface SpoofSetSummary {
  outDir: string;
  manifest: string;
  bonafide: number;
  spoof: number;
  /** Spoofs synthesized by this call (the rest were kept from an interrupted run). */
  synthesized: number;
}

interface ManifestRow {
  id: string;
  path: string;
  label: string;
  speaker: string;
  gender: string;
  spoof: 'bonafide' | 'spoof';
  source: string;
  voice: string;
  codec: string;
}

interface PlannedSpoof {
  row: ManifestRow;
  rendition: Rendition;
}

const DEFAULTS = { takes: 1, codecFraction: 0.5, peakDbRange: [-12, -1] as [number, number], seed: 1 };

/** Deterministic list of spoofs for the settings (same seed → same files). */
export function planSpoofs(o: SpoofSetOptions): PlannedSpoof[] {
  const voices = o.voices ?? DEFAULT_VOICES;
  const takes = o.takes ?? DEFAULTS.takes;
  const codecFraction = o.codecFraction ?? DEFAULTS.codecFraction;
  const codecs = o.codecs ?? Object.keys(CODECS);
  const [lo, hi] = o.peakDbRange ?? DEFAULTS.peakDbRange;
  const rng = makeRng(o.seed ?? DEFAULTS.seed);
  const jitter = (v: number, r: Rng) => v * (1 + ((2 * r.next() - 1) * PROSODY_JITTER_PCT) / 100);
  const plans: PlannedSpoof[] = [];
  const add = (voice: SpoofVoice, text: string, group: string, tag: string, take: number) => {
    const base = EMOTION_PROSODY[group] ?? EMOTION_PROSODY.neutral;
    const prosody = {
      ratePct: jitter(base.ratePct, rng),
      pitchPct: base.pitchPct + (2 * rng.next() - 1) * PROSODY_JITTER_PCT,
      rangePct: base.rangePct,
    };
    const codec = rng.next() < codecFraction ? codecs[Math.floor(rng.next() * codecs.length)] : null;
    const peakDb = lo + rng.next() * (hi - lo);
    const id = `espeak/${voice.name}/${tag}-t${take + 1}`;
    plans.push({
      row: {
        id,
        path: `spoof/${voice.name}/${tag}-t${take + 1}.wav`,
        label: group,
        speaker: `espeak-${voice.name}`,
        gender: voice.gender,
        spoof: 'spoof',
        source: 'espeak-ng',
        voice: voice.name,
        codec: codec ?? 'none',
      },
      rendition: { text, voice: voice.name, prosody, codec, peakDb },
    });
  };
  for (const voice of voices) {
    for (let take = 0; take < takes; take++) {
      if (o.ravdessRoot !== null) {
        for (const [code, text] of Object.entries(RAVDESS_STATEMENTS)) {
          for (const emotion of Object.keys(EMOTION_PROSODY)) add(voice, text, emotion, `${emotion}-s${code}`, take);
        }
      }
      if (o.librispeechRoot !== null)
        READ_SENTENCES.forEach((text, i) => add(voice, text, READ_GROUP, `read-${String(i + 1).padStart(2, '0')}`, take));
    }
  }
  return plans;
}

function checkOptions(o: SpoofSetOptions): void {
  if (o.ravdessRoot === null && o.librispeechRoot === null)
    throw new Error('spoof make-set: no bona fide data (give a RAVDESS and/or LibriSpeech folder)');
  for (const [name, root] of [
    ['RAVDESS', o.ravdessRoot],
    ['LibriSpeech', o.librispeechRoot],
  ] as const) {
    if (root !== null && !existsSync(root)) throw new Error(`spoof make-set: ${name} folder ${root} does not exist`);
  }
  if (o.takes !== undefined && !(Number.isInteger(o.takes) && o.takes >= 1))
    throw new Error(`spoof make-set: takes must be a positive integer, got ${o.takes}`);
  if (o.codecFraction !== undefined && !(o.codecFraction >= 0 && o.codecFraction <= 1))
    throw new Error(`spoof make-set: codecFraction must lie in [0, 1], got ${o.codecFraction}`);
  for (const c of o.codecs ?? [])
    if (!(c in CODECS)) throw new Error(`spoof make-set: unknown codec '${c}' (known: ${Object.keys(CODECS).join(', ')})`);
  if (o.codecs && o.codecs.length === 0) throw new Error('spoof make-set: codecs is empty');
  if (o.voices && o.voices.length === 0) throw new Error('spoof make-set: no voices given');
  if (o.peakDbRange && !(o.peakDbRange[0] <= o.peakDbRange[1] && o.peakDbRange[1] <= 0))
    throw new Error(`spoof make-set: peakDbRange must be [low, high] with low ≤ high ≤ 0 dBFS, got [${o.peakDbRange}]`);
  if (existsSync(join(o.outDir, SPOOF_MANIFEST)))
    throw new Error(`spoof make-set: ${o.outDir} already holds a spoof set (${SPOOF_MANIFEST}); choose another folder`);
}

async function bonafideRows(o: SpoofSetOptions): Promise<ManifestRow[]> {
  const rows: ManifestRow[] = [];
  const sources: [string, string | null][] = [
    ['ravdess', o.ravdessRoot],
    ['librispeech', o.librispeechRoot],
  ];
  for (const [corpus, root] of sources) {
    if (root === null) continue;
    for (const u of await getCorpus(corpus).list(resolve(root))) {
      const label = corpus === 'ravdess' ? String(u.labels.emotion) : READ_GROUP;
      rows.push({
        id: `${corpus}/${u.id}`,
        path: u.path,
        label,
        speaker: u.speaker,
        gender: u.attributes.gender ?? '',
        spoof: 'bonafide',
        source: corpus,
        voice: '',
        codec: 'none',
      });
    }
  }
  return rows;
}

/** Builds (or resumes) a spoof set; see the module comment for the layout. */
export async function makeSpoofSet(o: SpoofSetOptions): Promise<SpoofSetSummary> {
  checkOptions(o);
  const bona = await bonafideRows(o);
  const plans = planSpoofs(o);
  const outDir = resolve(o.outDir);
  const todo = plans.filter((p) => !existsSync(join(outDir, p.row.path)));
  for (const dir of new Set(plans.map((p) => join(outDir, p.row.path, '..')))) await mkdir(dir, { recursive: true });
  const work = await mkdtemp(join(tmpdir(), 'trustser-spoof-'));
  const bar =
    (o.progress ?? process.stderr.isTTY)
      ? new cliProgress.SingleBar(
          { stream: process.stderr, format: 'spoof set [{bar}] {value}/{total} files | {eta_formatted} left' },
          cliProgress.Presets.shades_classic,
        )
      : null;
  bar?.start(todo.length, 0);
  try {
    let next = 0;
    const worker = async () => {
      while (next < todo.length) {
        const p = todo[next++];
        await synthesize(p.rendition, join(outDir, p.row.path), work);
        bar?.increment();
      }
    };
    await Promise.all(Array.from({ length: Math.max(1, o.jobs ?? availableParallelism()) }, worker));
  } finally {
    bar?.stop();
    await rm(work, { recursive: true, force: true });
  }
  const rows = [...bona, ...plans.map((p) => p.row)];
  const csv = stringify(rows, { header: true, columns: ['id', 'path', 'label', 'speaker', 'gender', 'spoof', 'source', 'voice', 'codec'] });
  const settings = {
    version: 1,
    seed: o.seed ?? DEFAULTS.seed,
    voices: (o.voices ?? DEFAULT_VOICES).map((v) => v.name),
    takes: o.takes ?? DEFAULTS.takes,
    codecFraction: o.codecFraction ?? DEFAULTS.codecFraction,
    codecs: o.codecs ?? Object.keys(CODECS),
    peakDbRange: o.peakDbRange ?? DEFAULTS.peakDbRange,
    ravdessRoot: o.ravdessRoot,
    librispeechRoot: o.librispeechRoot,
    counts: { bonafide: bona.length, spoof: plans.length },
  };
  await writeFileAtomic(join(outDir, SPOOF_SETTINGS), `${JSON.stringify(settings, null, 2)}\n`);
  await writeFileAtomic(join(outDir, SPOOF_MANIFEST), csv);
  return { outDir, manifest: join(outDir, SPOOF_MANIFEST), bonafide: bona.length, spoof: plans.length, synthesized: todo.length };
}
