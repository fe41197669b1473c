/**
 * The utterances of a dimensional run with their targets: the corpus' own arousal / valence /
 * dominance ratings, or proxies derived from each utterance's class, checked (present, finite,
 * in range) before anything is written.
 */
import { loadCorpus, PROXY_SCALE, proxyAttributes, type Attribute, type Utterance } from '../data/index.js';
import { corpusId, qualifyUtterance, type CorpusConfig } from '../run/index.js';
import type { DimensionalConfig } from './config.js';

/** An utterance with its targets, in the config's target order, on the corpus' own scale. */
export type RatedUtterance = Utterance & { targets: number[] };

/** Most offending utterances an error lists. */
const MAX_LISTED = 5;

async function listOne(c: CorpusConfig, cfg: DimensionalConfig): Promise<{ utterances: RatedUtterance[]; notes: string[] }> {
  if (c.name === 'synthetic') throw new Error(`corpus.name: the synthetic corpus has no attribute ratings; use a corpus or manifest`);
  if (!c.root) throw new Error(`corpus.root: the '${c.name}' corpus needs its folder (--data DIR)`);
  const loaded = await loadCorpus(c.name, c.root, { ...c.options, labelMap: c.labelMap });
  const notes: string[] = [];
  const problems: string[] = [];
  const out: RatedUtterance[] = [];
  if (cfg.attributes === 'proxy') {
    // Proxies come from the label map's classes; a class without coordinates is left out and said so.
    const skipped = new Map<string, number>();
    for (const u of loaded.utterances) {
      const a = proxyAttributes(String(u.labels.emotion), u.labels.intensity);
      if (a === null) skipped.set(String(u.labels.emotion), (skipped.get(String(u.labels.emotion)) ?? 0) + 1);
      else out.push({ ...u, targets: cfg.targets.map((t) => a[t]) });
    }
    for (const [cls, n] of skipped)
      notes.push(`${corpusId(c)}: ${n} utterance(s) of class '${cls}' have no proxy attributes and are left out`);
  } else {
    for (const u of loaded.all) {
      const targets = cfg.targets.map((t: Attribute) => u.labels[t]);
      const bad = cfg.targets.filter((_, i) => typeof targets[i] !== 'number' || !Number.isFinite(targets[i]));
      if (bad.length > 0) problems.push(`${u.path}: no ${bad.map((b) => `'${b}'`).join(', ')} rating`);
      else out.push({ ...u, targets: targets as number[] });
    }
  }
  const range = cfg.range ?? (cfg.attributes === 'proxy' ? [PROXY_SCALE.min, PROXY_SCALE.max] : null);
  if (range)
    for (const u of out)
      u.targets.forEach((v, i) => {
        if (v < range[0] || v > range[1]) problems.push(`${u.path}: ${cfg.targets[i]} ${v} is outside range [${range[0]}, ${range[1]}]`);
      });
  if (out.length === 0 && cfg.attributes === 'corpus')
    throw new Error(
      `${c.root}: no utterance of the '${c.name}' corpus has ${cfg.targets.join(', ')} ratings; attributes: proxy (--attributes proxy) derives them from its classes`,
    );
  if (problems.length > 0) {
    const more = problems.length > MAX_LISTED ? `\n… and ${problems.length - MAX_LISTED} more` : '';
    throw new Error(
      `${c.root}: ${problems.length} utterance(s) cannot be used for a dimensional run (${cfg.targets.join(', ')}):\n${problems.slice(0, MAX_LISTED).join('\n')}${more}`,
    );
  }
  if (out.length === 0)
    throw new Error(
      `${c.root}: no utterance has ${cfg.attributes === 'proxy' ? 'a class with proxy attributes' : `${cfg.targets.join(', ')} ratings`} (the '${c.name}' corpus may have none; attributes: proxy derives them from its classes)`,
    );
  return { utterances: out, notes };
}

/**
 * Lists the configured corpora with their targets. With several corpora, ids and speakers are
 * qualified by the corpus id, as in a categorical run.
 * @throws Error naming the corpus folder and every utterance (up to five) with a missing,
 *   non-finite or out-of-range value.
 */
export async function listRatedUtterances(cfg: DimensionalConfig): Promise<{ utterances: RatedUtterance[]; notes: string[] }> {
  const several = cfg.corpus.length > 1;
  const utterances: RatedUtterance[] = [];
  const notes: string[] = [];
  for (const c of cfg.corpus) {
    const one = await listOne(c, cfg);
    notes.push(...one.notes);
    utterances.push(...one.utterances.map((u) => (several ? { ...qualifyUtterance(u, corpusId(c)), targets: u.targets } : u)));
  }
  return { utterances, notes };
}
