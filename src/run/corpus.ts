/** The run's utterances (corpus + label map, or the synthesized corpus) and its split. */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { loadCorpus, SYNTH_CLASSES, writeSyntheticCorpus, type Utterance } from '../data/index.js';
import { defaultCacheDir } from '../features/index.js';
import { checkSplit, createSplit, loadSplit, type Split } from '../data/index.js';
import { corpusId, type CorpusConfig, type RunConfig } from './config.js';

/** An utterance with its class index. */
export type LabelledUtterance = Utterance & { label: number };

/** A corpus of the run, listed with its label map. */
interface ListedCorpus {
  id: string;
  utterances: Utterance[];
  classes: string[];
}

/** Defaults of the synthetic corpus' options (speakers, clips per class and speaker). */
const SYNTHETIC_DEFAULTS = { seed: 1, speakers: 6, perClassPerSpeaker: 6 } as const;

/**
 * The folder under `cacheRoot` that holds the synthetic corpus of these options. Its clips
 * depend on every option (one random stream), so each combination has its own folder.
 */
export function syntheticCorpusDir(cacheRoot: string, options: Readonly<Record<string, unknown>> = {}): string {
  const seed = Number(options.seed ?? SYNTHETIC_DEFAULTS.seed);
  const speakers = Number(options.speakers ?? SYNTHETIC_DEFAULTS.speakers);
  const per = Number(options.perClassPerSpeaker ?? SYNTHETIC_DEFAULTS.perClassPerSpeaker);
  const shape = speakers === SYNTHETIC_DEFAULTS.speakers && per === SYNTHETIC_DEFAULTS.perClassPerSpeaker ? '' : `-${speakers}x${per}`;
  return join(cacheRoot, `synthetic-corpus-seed${seed}${shape}`);
}

async function listOne(c: CorpusConfig, cacheDir: string | null | undefined): Promise<ListedCorpus> {
  if (c.name === 'synthetic') {
    const dir = c.root ?? syntheticCorpusDir(cacheDir ?? defaultCacheDir(), c.options);
    const utts = writeSyntheticCorpus(dir, {
      seed: Number(c.options.seed ?? SYNTHETIC_DEFAULTS.seed),
      speakers: Number(c.options.speakers ?? SYNTHETIC_DEFAULTS.speakers),
      perClassPerSpeaker: Number(c.options.perClassPerSpeaker ?? SYNTHETIC_DEFAULTS.perClassPerSpeaker),
    });
    return { id: corpusId(c), utterances: utts, classes: [...SYNTH_CLASSES] };
  }
  if (!c.root) throw new Error(`corpus.root: the '${c.name}' corpus needs its folder (--data DIR)`);
  const loaded = await loadCorpus(c.name, c.root, { ...c.options, labelMap: c.labelMap });
  if (loaded.utterances.length === 0) throw new Error(`${c.root}: no utterances left after the label map '${loaded.labelMap.name}'`);
  return { id: corpusId(c), utterances: loaded.utterances, classes: loaded.classes };
}

/**
 * The run's classes: one corpus' own; for several, the classes all of them have (cross-corpus
 * `shared`), the ones the protocol lists, or else every class of any corpus, in first-seen order.
 */
function runClasses(cfg: RunConfig, listed: ListedCorpus[]): string[] {
  if (listed.length === 1) return listed[0].classes;
  const p = cfg.protocol;
  const union = [...new Set(listed.flatMap((l) => l.classes))];
  if (p.kind !== 'cross-corpus') return union;
  if (p.classes === 'shared') {
    const shared = union.filter((c) => listed.every((l) => l.classes.includes(c)));
    if (shared.length < 2)
      throw new Error(
        `protocol.classes: the corpora share ${shared.length} class(es) (${listed.map((l) => `${l.id}: ${l.classes.join(', ')}`).join('; ')}); choose label maps that agree or list the classes`,
      );
    return shared;
  }
  for (const c of p.classes) {
    const missing = listed.filter((l) => !l.classes.includes(c) && p.train.includes(l.id)).map((l) => l.id);
    if (missing.length === p.train.length) throw new Error(`protocol.classes: no training corpus has class '${c}'`);
  }
  return p.classes;
}

/**
 * An utterance of corpus `id` in a run of several corpora: its id prefixed by the corpus id
 * (`ravdess/03-01-…`), `corpus` set to the id, and its speaker qualified by the id.
 */
export function qualifyUtterance<U extends Utterance>(u: U, id: string): U {
  return { ...u, id: `${id}/${u.id}`, corpus: id, speaker: u.speaker.startsWith(`${id}:`) ? u.speaker : `${id}:${u.speaker}` };
}

/**
 * Lists the configured corpora with their label maps (the `synthetic` corpus is written as WAV
 * files into the cache folder, or `corpus.root`, the first time). With several corpora, ids are
 * prefixed by the corpus id (`ravdess/03-01-…`), each utterance's `corpus` is its corpus id,
 * and utterances of classes outside the run's classes are left out (`notes` says how many).
 */
export async function listRunUtterances(
  cfg: RunConfig,
  cacheDir?: string | null,
): Promise<{ utterances: LabelledUtterance[]; classes: string[]; notes: string[] }> {
  const listed: ListedCorpus[] = [];
  for (const c of cfg.corpus) listed.push(await listOne(c, cacheDir));
  const classes = runClasses(cfg, listed);
  const several = listed.length > 1;
  const notes: string[] = [];
  const utterances = listed.flatMap((l) => {
    const kept = l.utterances.filter((u) => classes.includes(u.labels.emotion as string));
    if (kept.length < l.utterances.length)
      notes.push(
        `${l.id}: ${l.utterances.length - kept.length} utterance(s) of classes outside the run's (${classes.join(', ')}) left out`,
      );
    return kept.map((u) => ({
      ...(several ? qualifyUtterance(u, l.id) : u),
      label: classes.indexOf(u.labels.emotion as string),
    }));
  });
  return { utterances, classes, notes };
}

/**
 * The run's split: reused from `path` when present (resume), else loaded from the configured
 * manifest or generated; checked for speaker leakage. Writes nothing: the caller saves a new
 * split (`saveSplit`) once everything else is validated.
 */
export async function makeRunSplit(
  cfg: Pick<RunConfig, 'protocol'>,
  utts: Utterance[],
  path: string,
): Promise<{ split: Split; isNew: boolean }> {
  const p = cfg.protocol;
  const isNew = !existsSync(path);
  let split: Split;
  if (!isNew) split = await loadSplit(path, utts);
  else if (p.kind === 'manifest') split = await loadSplit(p.path, utts);
  else split = createSplit(utts, p);
  checkSplit(split, utts);
  return { split, isNew };
}
