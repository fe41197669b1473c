/** Anti-spoofing data and scoring: the synthetic spoof set, AASIST scoring, fine-tuning and evaluation. */
export { makeSpoofSet, planSpoofs, SPOOF_MANIFEST, SPOOF_SETTINGS, type SpoofSetOptions, type SpoofSetSummary } from './make-set.js';
export { synthesize, renditionSsml, CODECS, type CodecChannel, type Rendition } from './synth.js';
export { DEFAULT_VOICES, EMOTION_PROSODY, READ_SENTENCES, READ_GROUP, type SpoofVoice, type ProsodyProfile } from './voices.js';
export {
  loadSpoofModel,
  wrapSpoofModel,
  emotionEmbeddings,
  resolveSpoofWeights,
  aasistWeightDirs,
  PUBLISHED_AASIST,
  AASIST_DIR_ENV,
  SPOOF_RUN_MODEL,
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
export { trainSpoofModel, spoofSplit, SPOOF_TRAIN_DEFAULTS, type SpoofTrainOptions } from './train.js';
export {
  calibrateScores,
  calibratedReliability,
  describeCalibration,
  readCalibration,
  writeCalibration,
  type CalibrationFit,
} from './calibration.js';
