/**
 * Official partitions published with a corpus (MSP-Podcast Split_Set, ASVspoof train/dev/eval,
 * MELD train/dev/test, a manifest's `split` column), read from a label the adapter sets.
 */
import type { Utterance } from '../corpora/index.js';
import type { Fold, Split } from './manifest.js';
import { makeSplit } from './speakers.js';

/** Label read by default. */
export const OFFICIAL_SPLIT_FIELD = 'split';
/** Partition values (lower-cased) recognised as training and development data. */
const TRAIN_VALUES = ['train', 'training'];
const DEV_VALUES = ['dev', 'development', 'devel', 'validation', 'valid', 'val'];
/** Test partitions: test, test1, test2, ..., eval, evaluation. */
const TEST_PATTERN = /^(test\d*|eval|evaluation)$/;
/** Speakers quoted when refusing an overlapping official split. */
const SPEAKERS_SHOWN = 3;

/** Options of {@link officialSplit}. */
export interface OfficialSplitOptions {
  /** Label holding the partition (default {@link OFFICIAL_SPLIT_FIELD}). */
  field?: string;
  /**
   * Accept official partitions that share speakers (MELD: the same characters everywhere);
   * the split is then marked `speakerIndependent: false`. Default false: such a split is refused.
   */
  allowSpeakerOverlap?: boolean;
}

type Role = 'train' | 'dev' | 'test';

function roleOf(value: string): Role | null {
  const v = value.toLowerCase();
  if (TRAIN_VALUES.includes(v)) return 'train';
  if (DEV_VALUES.includes(v)) return 'dev';
  if (TEST_PATTERN.test(v)) return 'test';
  return null;
}

/**
 * The corpus' official partitions as a split: one fold per test partition (MSP-Podcast:
 * `Test1`, `Test2`; ASVspoof: `eval`; MELD: `test`), all sharing the training and dev
 * partitions.
 * @throws Error when an utterance has no or an unknown partition value, when there is no
 *   training or test partition, or when partitions share speakers and `allowSpeakerOverlap`
 *   is not set.
 */
export function officialSplit(utts: readonly Utterance[], options: OfficialSplitOptions = {}): Split {
  const field = options.field ?? OFFICIAL_SPLIT_FIELD;
  if (utts.length === 0) throw new Error('cannot split an empty list of utterances');
  const parts = { train: [] as Utterance[], dev: [] as Utterance[] };
  const tests = new Map<string, Utterance[]>();
  for (const u of utts) {
    const value = u.labels[field];
    if (value === undefined || value === '') {
      throw new Error(
        `official split: utterance '${u.id}' has no '${field}' label (adapters that set it: msp-podcast, asvspoof2019-la, meld; or a 'split' column in a CSV manifest)`,
      );
    }
    const role = roleOf(String(value));
    if (role === null)
      throw new Error(
        `official split: utterance '${u.id}' has ${field} '${value}', which is not a known partition (train, dev/development/validation, test/testN/eval)`,
      );
    if (role === 'test') tests.set(String(value), [...(tests.get(String(value)) ?? []), u]);
    else parts[role].push(u);
  }
  if (parts.train.length === 0) throw new Error(`official split: no utterance is in a training partition (${field} = train)`);
  if (tests.size === 0) throw new Error(`official split: no utterance is in a test partition (${field} = test, testN or eval)`);

  // Speakers shared between partitions break speaker independence.
  const where = new Map<string, Set<string>>();
  const note = (u: Utterance, part: string): void => {
    where.set(u.speaker, (where.get(u.speaker) ?? new Set()).add(part));
  };
  for (const u of parts.train) note(u, 'train');
  for (const u of parts.dev) note(u, 'dev');
  for (const [name, list] of tests) for (const u of list) note(u, name);
  const shared = [...where.entries()].filter(([, s]) => s.size > 1).sort((a, b) => (a[0] < b[0] ? -1 : 1));
  if (shared.length > 0 && !options.allowSpeakerOverlap) {
    const shown = shared
      .slice(0, SPEAKERS_SHOWN)
      .map(([spk, s]) => `'${spk}' in ${[...s].join(' and ')}`)
      .join('; ');
    throw new Error(
      `official split: ${shared.length} speaker(s) appear in more than one partition (${shown}); the official partitions are not speaker-independent. ` +
        'Pass { allowSpeakerOverlap: true } to use them anyway (the split is then marked speakerIndependent: false), or make a speaker-independent split.',
    );
  }
  const ids = (list: Utterance[]): string[] => list.map((u) => u.id).sort();
  const train = ids(parts.train);
  const dev = ids(parts.dev);
  const folds: Fold[] = [...tests.keys()].sort().map((name) => ({ name, train, dev, test: ids(tests.get(name)!) }));
  const overlap = shared.length > 0;
  return makeSplit(utts, 'official', 0, folds, {
    speakerIndependent: !overlap,
    ...(overlap ? { note: `NOT speaker-independent: the official partitions share ${shared.length} speaker(s)` } : {}),
    options: { field, allowSpeakerOverlap: options.allowSpeakerOverlap ?? false },
  });
}
