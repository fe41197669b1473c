/** Anti-spoofing data and scoring: the synthetic spoof set, AASIST scoring, fine-tuning and evaluation. */
export {
  makeSpoofSet,
  planSpoofSet,
  CLEAN_CHANNEL,
  DEFAULT_SPOOF_CHANNELS,
  SPOOF_MANIFEST,
  SPOOF_SETTINGS,
  type FailedClip,
  type PlannedClip,
  type SpoofSetOptions,
  type SpoofSetSummary,
} from './make-set.js';
export {
  SPOOF_FAMILIES,
  SPOOF_FAMILY_NAMES,
  ESPEAK_VOICES,
  espeakSsml,
  getSpoofFamily,
  type SpoofFamily,
  type TtsJob,
} from './families.js';
export { EMOTION_PROSODY, READ_SENTENCES, READ_GROUP, type SpoofVoice, type ProsodyProfile } from './voices.js';
export { heldOutTrials, spoofSplit, SPOOF_SPLIT_FILE, type SpoofProtocol, type SpoofSplit } from './protocols.js';
export {
  loadSpoofModel,
  wrapSpoofModel,
  emotionEmbeddings,
  EMOTION_WINDOW_S,
  resolveSpoofWeights,
  aasistWeightDirs,
  PUBLISHED_AASIST,
  AASIST_DIR_ENV,
  SPOOF_RUN_MODEL,
  SPOOF_ARCHS,
  RANDOM_INIT,
  initialSpoofNetwork,
  type SpoofArch,
  type SpoofNetwork,
  type SpoofModel,
  type EmotionEmbeddings,
} from './model.js';
export { scoreFiles, scoresCsv, writeScores, SCORE_BATCH, type SpoofScore, type ScoreOptions } from './score.js';
export {
  readScores,
  evaluateScores,
  loadSpoofManifest,
  formatSpoofEvaluation,
  SCORE_COLUMNS,
  type ScoredFile,
  type SpoofEvaluation,
  type EvaluateSpoofOptions,
} from './evaluate.js';
export { trainSpoofModel, SPOOF_TRAIN_DEFAULTS, type SpoofDevChoice, type SpoofTrainOptions } from './train.js';
export {
  RUN_CALIBRATION_FILE,
  calibrateScores,
  calibratedReliability,
  calibrationFor,
  describeCalibration,
  readCalibration,
  writeCalibration,
  type CalibrationFit,
} from './calibration.js';
