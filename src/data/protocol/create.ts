/**
 * One entry point for every split generator, selected by `kind` (what a run config names).
 */
import type { Utterance } from '../corpora/index.js';
import { utteranceHoldout, type UtteranceHoldoutOptions } from './holdout.js';
import { leaveOneSessionOut, leaveOneSpeakerOut, speakerKFold, type LeaveOneOutOptions, type SpeakerKFoldOptions } from './kfold.js';
import type { Split } from './manifest.js';
import { allDataSplit, crossCorpusSplit, type CrossCorpusOptions, type DevOptions } from './cross-corpus.js';
import { officialSplit, type OfficialSplitOptions } from './official.js';

/** A split request: the generator's kind and its options. */
export type SplitSpec =
  | ({ kind: 'speaker-kfold' } & SpeakerKFoldOptions)
  | ({ kind: 'leave-one-speaker-out' } & LeaveOneOutOptions)
  | ({ kind: 'leave-one-session-out' } & LeaveOneOutOptions)
  | ({ kind: 'official' } & OfficialSplitOptions)
  | ({ kind: 'utterance-holdout' } & UtteranceHoldoutOptions)
  | ({ kind: 'cross-corpus' } & CrossCorpusOptions)
  | ({ kind: 'all' } & DevOptions);

/**
 * Generates a split of `utts` as `spec` asks.
 * @throws Error for an unknown kind, and whatever the generator throws.
 */
export function createSplit(utts: readonly Utterance[], spec: SplitSpec): Split {
  switch (spec.kind) {
    case 'speaker-kfold':
      return speakerKFold(utts, spec);
    case 'leave-one-speaker-out':
      return leaveOneSpeakerOut(utts, spec);
    case 'leave-one-session-out':
      return leaveOneSessionOut(utts, spec);
    case 'official':
      return officialSplit(utts, spec);
    case 'utterance-holdout':
      return utteranceHoldout(utts, spec);
    case 'cross-corpus':
      return crossCorpusSplit(utts, spec);
    case 'all':
      return allDataSplit(utts, spec);
    default:
      throw new Error(
        `unknown split kind ${JSON.stringify((spec as { kind: unknown }).kind)} (known: speaker-kfold, leave-one-speaker-out, leave-one-session-out, official, utterance-holdout, cross-corpus, all)`,
      );
  }
}
