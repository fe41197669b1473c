/**
 * The leakage check every training run performs before it trains: a split is refused when a
 * speaker appears in two partitions of a fold, when it names ids the corpus does not have, or
 * when an id is listed twice.
 */
import type { Utterance } from '../corpora/index.js';
import type { Split } from './manifest.js';

/** How many offending ids an error message quotes. */
const IDS_SHOWN = 3;
const PARTITIONS = ['train', 'dev', 'test'] as const;
type Partition = (typeof PARTITIONS)[number];

/** Why a split was refused. */
export type SplitProblem = 'speaker-leak' | 'unknown-id' | 'duplicate-id' | 'corpus-mismatch';

/** A split that must not be used; the message says which fold, speaker/id and partitions. */
export class SplitError extends Error {
  readonly problem: SplitProblem;
  /** Fold name (undefined for whole-split problems). */
  readonly fold: string | undefined;
  constructor(problem: SplitProblem, fold: string | undefined, message: string) {
    super(message);
    this.name = 'SplitError';
    this.problem = problem;
    this.fold = fold;
  }
}

/** Sizes of one checked fold. */
export interface FoldSummary {
  name: string;
  utterances: Record<Partition, number>;
  speakers: Record<Partition, number>;
}

/** What {@link checkSplit} found: per-fold sizes. */
export interface SplitSummary {
  folds: FoldSummary[];
}

/** Corpus name(s) of a set of utterances: the single name, or the sorted names joined by '+'. */
export function corpusNameOf(utts: readonly Utterance[]): string {
  return [...new Set(utts.map((u) => u.corpus))].sort().join('+');
}

/**
 * Checks a split against the corpus it will be used with.
 *
 * Refuses (throws {@link SplitError}) when, in any fold:
 * - an id is listed twice in a partition, or in two partitions;
 * - an id is not one of `utterances`;
 * - a speaker has utterances in two partitions (unless the split says
 *   `speakerIndependent: false`, as utterance-level holdouts must).
 * Also refuses a split made for another corpus than the utterances'.
 *
 * Pass the listing the split was made from (usually the whole corpus, before a label map
 * drops classes): ids of a split made on the full corpus are "unknown" to a mapped subset.
 *
 * @returns per-fold utterance and speaker counts.
 */
export function checkSplit(split: Split, utterances: readonly Utterance[]): SplitSummary {
  const corpus = corpusNameOf(utterances);
  if (utterances.length > 0 && split.corpus !== corpus) {
    throw new SplitError(
      'corpus-mismatch',
      undefined,
      `split was made for corpus '${split.corpus}', but the utterances are from '${corpus}'`,
    );
  }
  const byId = new Map<string, Utterance>();
  for (const u of utterances) byId.set(u.id, u);
  const checkSpeakers = split.speakerIndependent !== false;
  const folds: FoldSummary[] = [];
  for (const fold of split.folds) {
    const where = `fold '${fold.name}'`;
    const partOf = new Map<string, Partition>();
    const speakerPart = new Map<string, Partition>();
    const counts = { train: 0, dev: 0, test: 0 };
    const speakers = { train: new Set<string>(), dev: new Set<string>(), test: new Set<string>() };
    for (const part of PARTITIONS) {
      const unknown: string[] = [];
      for (const id of fold[part]) {
        const prev = partOf.get(id);
        if (prev !== undefined) {
          const msg = prev === part ? `utterance '${id}' is listed twice in ${part}` : `utterance '${id}' is in both ${prev} and ${part}`;
          throw new SplitError('duplicate-id', fold.name, `${where}: ${msg}`);
        }
        partOf.set(id, part);
        const u = byId.get(id);
        if (!u) {
          unknown.push(id);
          continue;
        }
        counts[part]++;
        speakers[part].add(u.speaker);
        const other = speakerPart.get(u.speaker);
        const trainDevOk = split.devSharesSpeakers === true && other !== undefined && other !== 'test' && part !== 'test';
        if (checkSpeakers && other !== undefined && other !== part && !trainDevOk) {
          throw new SplitError(
            'speaker-leak',
            fold.name,
            `${where}: speaker '${u.speaker}' is in both ${other} and ${part} (e.g. utterance '${id}' in ${part}); a speaker-independent split must keep each speaker in one partition`,
          );
        }
        if (other === undefined) speakerPart.set(u.speaker, part);
      }
      if (unknown.length > 0) {
        const shown = unknown
          .slice(0, IDS_SHOWN)
          .map((i) => `'${i}'`)
          .join(', ');
        const more = unknown.length > IDS_SHOWN ? ` and ${unknown.length - IDS_SHOWN} more` : '';
        throw new SplitError(
          'unknown-id',
          fold.name,
          `${where}: ${part} lists ${unknown.length} id(s) that are not in corpus '${corpus}': ${shown}${more}`,
        );
      }
    }
    folds.push({
      name: fold.name,
      utterances: counts,
      speakers: { train: speakers.train.size, dev: speakers.dev.size, test: speakers.test.size },
    });
  }
  return { folds };
}

/** The utterances of one fold's partitions, in manifest order. */
export interface FoldUtterances {
  name: string;
  train: Utterance[];
  dev: Utterance[];
  test: Utterance[];
}

/**
 * Resolves a fold (by index or name) to utterance records.
 * @param options.skipMissing - leave out ids that are not among `utterances` instead of
 *   failing (for a label-mapped subset of the corpus the split was made on; run
 *   {@link checkSplit} on the full listing first).
 * @throws Error for an unknown fold, or an id that is not among `utterances`.
 */
export function foldUtterances(
  split: Split,
  fold: number | string,
  utterances: readonly Utterance[],
  options: { skipMissing?: boolean } = {},
): FoldUtterances {
  const f = typeof fold === 'number' ? split.folds[fold] : split.folds.find((x) => x.name === fold);
  if (!f)
    throw new Error(
      `split has no fold ${typeof fold === 'number' ? fold : `'${fold}'`} (folds: ${split.folds.map((x) => x.name).join(', ')})`,
    );
  const byId = new Map(utterances.map((u) => [u.id, u]));
  const pick = (ids: string[], part: Partition): Utterance[] => {
    const out: Utterance[] = [];
    for (const id of ids) {
      const u = byId.get(id);
      if (u) out.push(u);
      else if (!options.skipMissing)
        throw new SplitError('unknown-id', f.name, `fold '${f.name}': ${part} id '${id}' is not among the utterances`);
    }
    return out;
  };
  return { name: f.name, train: pick(f.train, 'train'), dev: pick(f.dev, 'dev'), test: pick(f.test, 'test') };
}
