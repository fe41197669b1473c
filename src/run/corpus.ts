/** The run's utterances (corpus + label map, or the synthesized corpus) and its split. */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { loadCorpus, SYNTH_CLASSES, writeSyntheticCorpus, type Utterance } from '../data/index.js';
import { defaultCacheDir } from '../features/index.js';
import { checkSplit, createSplit, loadSplit, type Split } from '../data/index.js';
import type { RunConfig } from './config.js';

/** An utterance with its class index. */
export type LabelledUtterance = Utterance & { label: number };

/**
 * Lists the configured corpus with its label map. The `synthetic` corpus is written as WAV files
 * into the cache folder (or `corpus.root` when given) the first time.
 */
export async function listRunUtterances(
  cfg: RunConfig,
  cacheDir?: string | null,
): Promise<{ utterances: LabelledUtterance[]; classes: string[] }> {
  const c = cfg.corpus;
  if (c.name === 'synthetic') {
    const seed = Number(c.options.seed ?? 1);
    const dir = c.root ?? join(cacheDir ?? defaultCacheDir(), `synthetic-corpus-seed${seed}`);
    const utts = writeSyntheticCorpus(dir, {
      seed,
      speakers: Number(c.options.speakers ?? 6),
      perClassPerSpeaker: Number(c.options.perClassPerSpeaker ?? 6),
    });
    const classes: string[] = [...SYNTH_CLASSES];
    return { utterances: utts.map((u) => ({ ...u, label: classes.indexOf(u.labels.emotion!) })), classes };
  }
  if (!c.root) throw new Error(`corpus.root: the '${c.name}' corpus needs its folder (--data DIR)`);
  const loaded = await loadCorpus(c.name, c.root, { ...c.options, labelMap: c.labelMap });
  if (loaded.utterances.length === 0) throw new Error(`${c.root}: no utterances left after the label map '${loaded.labelMap.name}'`);
  return {
    utterances: loaded.utterances.map((u) => ({ ...u, label: loaded.classes.indexOf(u.labels.emotion as string) })),
    classes: loaded.classes,
  };
}

/**
 * The run's split: reused from `path` when present (resume), else loaded from the configured
 * manifest or generated; checked for speaker leakage. Writes nothing: the caller saves a new
 * split (`saveSplit`) once everything else is validated.
 */
export async function makeRunSplit(cfg: RunConfig, utts: Utterance[], path: string): Promise<{ split: Split; isNew: boolean }> {
  const p = cfg.protocol;
  const isNew = !existsSync(path);
  let split: Split;
  if (!isNew) split = await loadSplit(path, utts);
  else if (p.kind === 'manifest') split = await loadSplit(p.path, utts);
  else split = createSplit(utts, p);
  checkSplit(split, utts);
  return { split, isNew };
}
