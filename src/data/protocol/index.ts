/**
 * Evaluation protocols: speaker-independent splits (k-fold, leave-one-speaker-out,
 * leave-one-session-out), official partitions, an explicitly marked utterance-level holdout,
 * versioned split manifests, and the leakage check run before training.
 * This is the module's only public entry point.
 */
export {
  SPLIT_CREATOR,
  SPLIT_KINDS,
  SPLIT_MANIFEST_VERSION,
  loadSplit,
  parseSplit,
  saveSplit,
  type Fold,
  type Split,
  type SplitKind,
} from './manifest.js';
export {
  SplitError,
  checkSplit,
  corpusNameOf,
  foldUtterances,
  type FoldSummary,
  type FoldUtterances,
  type SplitProblem,
  type SplitSummary,
} from './check.js';
export { DEFAULT_DEV_SPEAKERS, DEFAULT_SPLIT_SEED, UNKNOWN_GENDER, speakerTable, type SpeakerInfo } from './speakers.js';
export { leaveOneSessionOut, leaveOneSpeakerOut, speakerKFold, type LeaveOneOutOptions, type SpeakerKFoldOptions } from './kfold.js';
export { OFFICIAL_SPLIT_FIELD, officialSplit, type OfficialSplitOptions } from './official.js';
export { DEFAULT_DEV_FRACTION, DEFAULT_TEST_FRACTION, utteranceHoldout, type UtteranceHoldoutOptions } from './holdout.js';
export { createSplit, type SplitSpec } from './create.js';
export {
  MIN_TRAIN_SPEAKERS_FOR_SPEAKER_DEV,
  allDataSplit,
  crossCorpusSplit,
  type CrossCorpusOptions,
  type DevOptions,
} from './cross-corpus.js';
