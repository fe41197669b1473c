/**
 * Protocols across corpora: train on some corpora and test on others (`cross-corpus`), or train
 * on everything a user has (`all`, the model they deploy, with no test set). Dev data comes
 * from the training corpora: whole speakers where a corpus has enough of them, else a
 * stratified share of the corpus' utterances (then dev shares speakers with training — never
 * with test — and the manifest says so).
 */
import type { Utterance } from '../corpora/index.js';
import type { Fold, Split } from './manifest.js';
import { DEFAULT_DEV_SPEAKERS, DEFAULT_SPLIT_SEED, makeSplit, pickDev, requireCount, speakerTable, splitRng } from './speakers.js';
import { DEFAULT_DEV_FRACTION } from './holdout.js';
import { shuffle, type Rng } from '../../core/index.js';

/** A corpus gives whole dev speakers only when it keeps at least this many training speakers besides them. */
export const MIN_TRAIN_SPEAKERS_FOR_SPEAKER_DEV = 4;

/** How dev data is drawn from the training corpora. */
export interface DevOptions {
  /** Dev speakers per training corpus with enough speakers (default {@link DEFAULT_DEV_SPEAKERS}; 0 = none). */
  devSpeakers?: number;
  /** Share of each label's utterances of a corpus with too few speakers (default {@link DEFAULT_DEV_FRACTION}). */
  devFraction?: number;
  seed?: number;
}

/** Options of {@link crossCorpusSplit}: corpus names (`Utterance.corpus`) trained and tested on. */
export interface CrossCorpusOptions extends DevOptions {
  train: readonly string[];
  test: readonly string[];
}

function byCorpus(utts: readonly Utterance[]): Map<string, Utterance[]> {
  const m = new Map<string, Utterance[]>();
  for (const u of utts) m.set(u.corpus, [...(m.get(u.corpus) ?? []), u]);
  return m;
}

/** Splits one training corpus into train and dev ids; `sharesSpeakers` when dev is utterance-level. */
function devOf(
  utts: Utterance[],
  devSpeakers: number,
  devFraction: number,
  rng: Rng,
): { train: string[]; dev: string[]; sharesSpeakers: boolean } {
  const speakers = speakerTable(utts);
  if (devSpeakers === 0) return { train: utts.map((u) => u.id), dev: [], sharesSpeakers: false };
  if (speakers.length >= devSpeakers + MIN_TRAIN_SPEAKERS_FOR_SPEAKER_DEV) {
    const dev = pickDev(speakers, new Set(), devSpeakers, rng, utts[0].corpus);
    return {
      train: utts.filter((u) => !dev.has(u.speaker)).map((u) => u.id),
      dev: utts.filter((u) => dev.has(u.speaker)).map((u) => u.id),
      sharesSpeakers: false,
    };
  }
  const strata = new Map<string, string[]>();
  for (const u of utts) {
    const k = String(u.labels.emotion ?? '');
    strata.set(k, [...(strata.get(k) ?? []), u.id]);
  }
  const train: string[] = [],
    dev: string[] = [];
  for (const k of [...strata.keys()].sort()) {
    const ids = shuffle(strata.get(k)!.sort(), rng);
    const n = Math.round(ids.length * devFraction);
    dev.push(...ids.slice(0, n));
    train.push(...ids.slice(n));
  }
  return { train, dev, sharesSpeakers: true };
}

function trainDev(
  utts: readonly Utterance[],
  corpora: readonly string[],
  o: DevOptions,
): { train: string[]; dev: string[]; shared: string[] } {
  const devSpeakers = o.devSpeakers ?? DEFAULT_DEV_SPEAKERS;
  const devFraction = o.devFraction ?? DEFAULT_DEV_FRACTION;
  requireCount(devSpeakers, 'devSpeakers', 0);
  if (!(devFraction > 0 && devFraction < 1)) throw new RangeError(`devFraction must be in (0, 1), got ${devFraction}`);
  const rng = splitRng(o.seed ?? DEFAULT_SPLIT_SEED);
  const groups = byCorpus(utts);
  const train: string[] = [],
    dev: string[] = [],
    shared: string[] = [];
  for (const c of corpora) {
    const g = groups.get(c);
    if (!g) throw new Error(`corpus '${c}' has no utterances (corpora: ${[...groups.keys()].join(', ')})`);
    const r = devOf(g, devSpeakers, devFraction, rng);
    train.push(...r.train);
    dev.push(...r.dev);
    if (r.sharesSpeakers) shared.push(c);
  }
  return { train: train.sort(), dev: dev.sort(), shared };
}

function devNote(shared: string[]): Pick<Split, 'devSharesSpeakers' | 'note'> {
  return shared.length === 0
    ? {}
    : {
        devSharesSpeakers: true,
        note: `dev utterances of ${shared.join(', ')} share speakers with training (too few speakers for a speaker-level dev set)`,
      };
}

/**
 * One fold `A+B→C+D`: the training corpora train (minus dev), the test corpora test.
 * @throws Error when a corpus is both trained and tested on, or has no utterances.
 */
export function crossCorpusSplit(utts: readonly Utterance[], o: CrossCorpusOptions): Split {
  const both = o.train.filter((c) => o.test.includes(c));
  if (both.length > 0) throw new Error(`cross-corpus: ${both.join(', ')} is both a training and a test corpus`);
  const groups = byCorpus(utts);
  for (const c of o.test) if (!groups.has(c)) throw new Error(`cross-corpus: test corpus '${c}' has no utterances`);
  const { train, dev, shared } = trainDev(utts, o.train, o);
  const test = o.test.flatMap((c) => groups.get(c)!.map((u) => u.id)).sort();
  const fold: Fold = { name: `${o.train.join('+')}→${o.test.join('+')}`, train, dev, test };
  return makeSplit(utts, 'cross-corpus', o.seed ?? DEFAULT_SPLIT_SEED, [fold], {
    ...devNote(shared),
    options: {
      train: [...o.train],
      test: [...o.test],
      devSpeakers: o.devSpeakers ?? DEFAULT_DEV_SPEAKERS,
      devFraction: o.devFraction ?? DEFAULT_DEV_FRACTION,
    },
  });
}

/** One fold `all`: every corpus trains (minus dev); there is no test partition. */
export function allDataSplit(utts: readonly Utterance[], o: DevOptions = {}): Split {
  const corpora = [...byCorpus(utts).keys()].sort();
  const { train, dev, shared } = trainDev(utts, corpora, o);
  return makeSplit(utts, 'all', o.seed ?? DEFAULT_SPLIT_SEED, [{ name: 'all', train, dev, test: [] }], {
    ...devNote(shared),
    options: { devSpeakers: o.devSpeakers ?? DEFAULT_DEV_SPEAKERS, devFraction: o.devFraction ?? DEFAULT_DEV_FRACTION },
  });
}
