/**
 * Utterance-level stratified holdout. The same speakers appear in training and test, so
 * results overstate how well a model generalises to new speakers; it is produced only when the
 * caller says so explicitly and the manifest is marked `speakerIndependent: false`.
 */
import type { Utterance } from '../corpora/index.js';
import type { Split } from './manifest.js';
import { shuffle } from '../../core/index.js';
import { DEFAULT_SPLIT_SEED, makeSplit, splitRng } from './speakers.js';

/** Default share of each stratum in the test partition. */
export const DEFAULT_TEST_FRACTION = 0.2;
/** Default share of each stratum in the dev partition. */
export const DEFAULT_DEV_FRACTION = 0.1;
/** Stratum of utterances without the stratifying label. */
const NO_LABEL = '(none)';

/** Options of {@link utteranceHoldout}. */
export interface UtteranceHoldoutOptions {
  /** Must be `true`: acknowledges that the split is NOT speaker-independent. */
  notSpeakerIndependent: true;
  /** Seed (default {@link DEFAULT_SPLIT_SEED}). */
  seed?: number;
  /** Share of every stratum tested (default {@link DEFAULT_TEST_FRACTION}). */
  testFraction?: number;
  /** Share of every stratum used for development (default {@link DEFAULT_DEV_FRACTION}). */
  devFraction?: number;
  /** Label to stratify by (default 'emotion'). */
  stratifyBy?: string;
}

/**
 * A single fold (`holdout`) drawn at the utterance level, stratified by a label: within each
 * label value, `round(n · testFraction)` utterances test, `round(n · devFraction)` develop and
 * the rest train. NOT speaker-independent: marked so in the manifest (`speakerIndependent:
 * false` and a note).
 * @throws Error unless `notSpeakerIndependent: true` is passed; RangeError for bad fractions.
 */
export function utteranceHoldout(utts: readonly Utterance[], options: UtteranceHoldoutOptions): Split {
  if (options?.notSpeakerIndependent !== true) {
    throw new Error(
      'utterance-level holdout puts the same speakers in training and test, so its scores do not measure generalisation to new speakers; ' +
        'pass { notSpeakerIndependent: true } to create it anyway, or use a speaker-independent split (speakerKFold, leaveOneSpeakerOut, leaveOneSessionOut)',
    );
  }
  const seed = options.seed ?? DEFAULT_SPLIT_SEED;
  const testFraction = options.testFraction ?? DEFAULT_TEST_FRACTION;
  const devFraction = options.devFraction ?? DEFAULT_DEV_FRACTION;
  const field = options.stratifyBy ?? 'emotion';
  for (const [name, v] of [
    ['testFraction', testFraction],
    ['devFraction', devFraction],
  ] as const) {
    if (!Number.isFinite(v) || v < 0 || v >= 1) throw new RangeError(`${name} must be in [0, 1), got ${v}`);
  }
  if (testFraction <= 0) throw new RangeError(`testFraction must be > 0, got ${testFraction}`);
  if (testFraction + devFraction >= 1) throw new RangeError(`testFraction + devFraction must be < 1, got ${testFraction + devFraction}`);
  const rng = splitRng(seed);
  const strata = new Map<string, string[]>();
  for (const u of utts) {
    const key = u.labels[field] === undefined ? NO_LABEL : String(u.labels[field]);
    strata.set(key, [...(strata.get(key) ?? []), u.id]);
  }
  const train: string[] = [];
  const dev: string[] = [];
  const test: string[] = [];
  for (const key of [...strata.keys()].sort()) {
    const ids = shuffle(strata.get(key)!.sort(), rng);
    const nTest = Math.round(ids.length * testFraction);
    const nDev = Math.round(ids.length * devFraction);
    test.push(...ids.slice(0, nTest));
    dev.push(...ids.slice(nTest, nTest + nDev));
    train.push(...ids.slice(nTest + nDev));
  }
  if (test.length === 0 || train.length === 0)
    throw new Error(`utterance holdout: ${utts.length} utterance(s) are too few for a non-empty training and test partition`);
  return makeSplit(utts, 'utterance-holdout', seed, [{ name: 'holdout', train: train.sort(), dev: dev.sort(), test: test.sort() }], {
    speakerIndependent: false,
    note: `NOT speaker-independent: utterance-level holdout stratified by ${field}; speakers appear in several partitions`,
    options: { testFraction, devFraction, stratifyBy: field },
  });
}
