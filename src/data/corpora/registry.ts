/**
 * The corpus registry: adapters by name (with common aliases) and a one-call loader that
 * lists a corpus and applies a label map.
 */
import { asvspoof2019La } from './asvspoof.js';
import { cremaD } from './crema-d.js';
import { emodb } from './emodb.js';
import { iemocap } from './iemocap.js';
import { applyLabelMap, resolveLabelMap } from './labels.js';
import { librispeech } from './librispeech.js';
import { manifest } from './manifest.js';
import { meld } from './meld.js';
import { mspImprov } from './msp-improv.js';
import { mspPodcast } from './msp-podcast.js';
import { ravdess } from './ravdess.js';
import { tess } from './tess.js';
import type { CorpusAdapter, LabelMap, ListOptions, Utterance } from './types.js';

const ADAPTERS: CorpusAdapter[] = [
  ravdess,
  tess,
  cremaD,
  iemocap,
  mspImprov,
  mspPodcast,
  meld,
  emodb,
  asvspoof2019La,
  librispeech,
  manifest,
];

/** Alternative spellings accepted by {@link getCorpus} (after lower-casing). */
const ALIASES: Record<string, string> = {
  cremad: 'crema-d',
  crema_d: 'crema-d',
  'msp-improv': 'msp-improv',
  msp_improv: 'msp-improv',
  mspimprov: 'msp-improv',
  msp_podcast: 'msp-podcast',
  msppodcast: 'msp-podcast',
  'emo-db': 'emodb',
  berlin: 'emodb',
  asvspoof: 'asvspoof2019-la',
  asvspoof2019: 'asvspoof2019-la',
  'asvspoof2019-la': 'asvspoof2019-la',
  asvspoof2019_la: 'asvspoof2019-la',
  csv: 'manifest',
  toronto: 'tess',
};

/** Every registered adapter, in a fixed order. */
export function listCorpora(): CorpusAdapter[] {
  return [...ADAPTERS];
}

/**
 * The adapter called `name` (case-insensitive; aliases such as `cremad`, `csv` accepted).
 * @throws Error listing the known corpora for an unknown name.
 */
export function getCorpus(name: string): CorpusAdapter {
  const key = name.trim().toLowerCase();
  const canonical = ALIASES[key] ?? key;
  const a = ADAPTERS.find((x) => x.name === canonical);
  if (!a) throw new Error(`unknown corpus '${name}' (known: ${ADAPTERS.map((x) => x.name).join(', ')})`);
  return a;
}

/** Options of {@link loadCorpus}: the adapter's list options plus the label map to apply. */
export interface LoadCorpusOptions extends ListOptions {
  /** Label map name (default: the adapter's default; `'identity'` keeps raw labels). */
  labelMap?: string;
}

/** Result of {@link loadCorpus}. */
export interface LoadedCorpus {
  adapter: CorpusAdapter;
  /** Every utterance as listed, before the label map. */
  all: Utterance[];
  /** Utterances kept by the label map, labels mapped to classes. */
  utterances: Utterance[];
  classes: string[];
  labelMap: LabelMap;
}

/**
 * Lists a corpus and applies a label map in one call.
 * @throws Error for an unknown corpus or label map, and whatever the adapter throws.
 */
export async function loadCorpus(name: string, root: string, options: LoadCorpusOptions = {}): Promise<LoadedCorpus> {
  const adapter = getCorpus(name);
  const { labelMap: mapName, ...listOptions } = options;
  const all = await adapter.list(root, listOptions);
  const labelMap = resolveLabelMap(adapter, mapName, all);
  const { utterances, classes } = applyLabelMap(all, labelMap);
  return { adapter, all, utterances, classes, labelMap };
}
