/**
 * Speaker-independent splits: k folds of test speakers, leave one speaker out, and leave one
 * session out. Seeded and deterministic: the same utterances and seed give the same split.
 */
import type { Utterance } from '../corpora/index.js';
import type { Split } from './manifest.js';
import {
  DEFAULT_DEV_SPEAKERS,
  DEFAULT_SPLIT_SEED,
  deal,
  groupBy,
  makeSplit,
  pickDev,
  requireCount,
  speakerFold,
  speakerTable,
  splitRng,
} from './speakers.js';
import { shuffle } from '../../core/index.js';

/** Options of {@link speakerKFold}. */
export interface SpeakerKFoldOptions {
  /** Number of folds k (2 ≤ k ≤ number of speakers). */
  folds: number;
  /** Generator seed (default {@link DEFAULT_SPLIT_SEED}). */
  seed?: number;
  /** Deal test speakers so that every fold has as equal a share of each gender as possible. */
  balanceBy?: 'gender';
  /** Development speakers per fold, drawn from that fold's training speakers, gender-balanced when possible (default {@link DEFAULT_DEV_SPEAKERS}; 0 = no dev set). */
  devSpeakers?: number;
}

/**
 * Speaker-independent k-fold cross-validation: the speakers are shuffled and partitioned
 * into `folds` test sets (every speaker is tested exactly once); each fold's dev speakers are
 * drawn from the remaining speakers and the rest train.
 *
 * With `balanceBy: 'gender'`, each gender (and the speakers with unknown gender, as one more
 * group) is dealt round-robin over the folds, so RAVDESS (12 female, 12 male) in 6 folds
 * gives 2 female + 2 male test actors per fold.
 *
 * @throws RangeError for invalid counts; Error when a fold would have no training speaker.
 */
export function speakerKFold(utts: readonly Utterance[], options: SpeakerKFoldOptions): Split {
  const { folds: k, balanceBy } = options;
  const seed = options.seed ?? DEFAULT_SPLIT_SEED;
  const devSpeakers = options.devSpeakers ?? DEFAULT_DEV_SPEAKERS;
  const rng = splitRng(seed);
  requireCount(devSpeakers, 'devSpeakers', 0);
  const speakers = speakerTable(utts);
  requireCount(k, 'folds', 2);
  if (k > speakers.length) throw new RangeError(`folds (${k}) exceeds the number of speakers (${speakers.length})`);
  if (balanceBy !== undefined && balanceBy !== 'gender')
    throw new RangeError(`balanceBy must be 'gender', got ${JSON.stringify(balanceBy)}`);
  const groups =
    balanceBy === 'gender'
      ? groupBy(speakers, (s) => s.gender).map(([, ids]) => shuffle(ids, rng))
      : [
          shuffle(
            speakers.map((s) => s.id),
            rng,
          ),
        ];
  const bins = deal(groups, k);
  const folds = bins.map((testIds, i) => {
    const name = `fold-${i}`;
    const test = new Set(testIds);
    return speakerFold(name, utts, test, pickDev(speakers, test, devSpeakers, rng, name));
  });
  const recorded: Record<string, unknown> = { folds: k, devSpeakers };
  if (balanceBy) recorded.balanceBy = balanceBy;
  return makeSplit(utts, 'speaker-kfold', seed, folds, { speakerIndependent: true, options: recorded });
}

/** Options of {@link leaveOneSpeakerOut} and {@link leaveOneSessionOut}. */
export interface LeaveOneOutOptions {
  /** Seed of the dev-speaker draws (default {@link DEFAULT_SPLIT_SEED}). */
  seed?: number;
  /** Development speakers per fold (default {@link DEFAULT_DEV_SPEAKERS}; 0 = none). */
  devSpeakers?: number;
}

/**
 * Leave-one-speaker-out: one fold per speaker (named after it, in sorted order) testing that
 * speaker; dev speakers are drawn from the others, gender-balanced when possible.
 */
export function leaveOneSpeakerOut(utts: readonly Utterance[], options: LeaveOneOutOptions = {}): Split {
  const seed = options.seed ?? DEFAULT_SPLIT_SEED;
  const devSpeakers = options.devSpeakers ?? DEFAULT_DEV_SPEAKERS;
  const rng = splitRng(seed);
  requireCount(devSpeakers, 'devSpeakers', 0);
  const speakers = speakerTable(utts);
  if (speakers.length < 2) throw new Error(`leave-one-speaker-out needs at least 2 speakers, got ${speakers.length}`);
  const folds = speakers.map((s) => {
    const test = new Set([s.id]);
    return speakerFold(s.id, utts, test, pickDev(speakers, test, devSpeakers, rng, s.id));
  });
  return makeSplit(utts, 'leave-one-speaker-out', seed, folds, { speakerIndependent: true, options: { devSpeakers } });
}

/**
 * Leave-one-session-out (IEMOCAP, MSP-IMPROV): one fold per `session` value (in sorted
 * order) testing all of that session's speakers; dev speakers are drawn from the other
 * sessions' speakers, gender-balanced when possible.
 * @throws Error when an utterance has no session, or a speaker spans two sessions.
 */
export function leaveOneSessionOut(utts: readonly Utterance[], options: LeaveOneOutOptions = {}): Split {
  const seed = options.seed ?? DEFAULT_SPLIT_SEED;
  const devSpeakers = options.devSpeakers ?? DEFAULT_DEV_SPEAKERS;
  const rng = splitRng(seed);
  requireCount(devSpeakers, 'devSpeakers', 0);
  const noSession = utts.find((u) => u.session === undefined || u.session === '');
  if (noSession)
    throw new Error(`leave-one-session-out: utterance '${noSession.id}' has no session (the corpus adapter must set 'session')`);
  const speakers = speakerTable(utts, true);
  const sessions = groupBy(speakers, (s) => s.session!);
  if (sessions.length < 2) throw new Error(`leave-one-session-out needs at least 2 sessions, got ${sessions.length}`);
  const folds = sessions.map(([session, ids]) => {
    const test = new Set(ids);
    return speakerFold(session, utts, test, pickDev(speakers, test, devSpeakers, rng, session));
  });
  return makeSplit(utts, 'leave-one-session-out', seed, folds, { speakerIndependent: true, options: { devSpeakers } });
}
