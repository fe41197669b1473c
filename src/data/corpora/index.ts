/**
 * Corpus adapters: every supported corpus listed as {@link Utterance} records (audio path,
 * speaker, labels, speaker attributes) from its own layout and metadata, plus label maps.
 * This is the module's only public entry point.
 */
export type {
  CorpusAdapter,
  Gender,
  LabelMap,
  ListOptions,
  MissingAudioPolicy,
  SpoofLabel,
  Utterance,
  UtteranceAttributes,
  UtteranceLabels,
} from './types.js';
export { MetadataError, type MetadataLocation } from './errors.js';
export {
  EMOTION_CLASSES,
  FOUR_CLASSES,
  IDENTITY_LABEL_MAP,
  applyLabelMap,
  countLabels,
  identityLabelMap,
  makeLabelMap,
  resolveLabelMap,
  validateLabelMap,
  type MappedUtterances,
} from './labels.js';
export { DURATION_READ_CONCURRENCY, audioDurationS, fillDurations } from './duration.js';
export { getCorpus, listCorpora, loadCorpus, type LoadCorpusOptions, type LoadedCorpus } from './registry.js';
export { RAVDESS_ACTORS, RAVDESS_EMOTIONS, RAVDESS_STATEMENTS, parseRavdessName, ravdess } from './ravdess.js';
export { TESS_EMOTIONS, TESS_SPEAKERS, tess } from './tess.js';
export { CREMA_EMOTIONS, CREMA_OBSERVED_COLUMN, CREMA_OBSERVED_LEVEL_COLUMN, CREMA_SENTENCES, cremaD } from './crema-d.js';
export { IEMOCAP_EMOTIONS, iemocap, parseEmoEvaluation, type IemocapTurn } from './iemocap.js';
export { MSP_IMPROV_CLASSES, mspImprov, parseMspImprovEvaluation, type MspImprovRating } from './msp-improv.js';
export { MSP_PODCAST_CLASSES, mspPodcast } from './msp-podcast.js';
export { MELD_AUDIO_DIRS, MELD_EMOTIONS, MELD_SPLITS, meld } from './meld.js';
export { EMODB_EMOTIONS, EMODB_SPEAKERS, emodb } from './emodb.js';
export { ASVSPOOF_PARTITIONS, asvspoof2019La, parseCmProtocol, type CmProtocolEntry } from './asvspoof.js';
export { librispeech, parseSpeakersTxt, type LibriSpeaker } from './librispeech.js';
export { MANIFEST_COLUMNS, MANIFEST_FILE, MANIFEST_REQUIRED, manifest } from './manifest.js';
export { cell, numberCell, parseColumnMapping, parseCsv, requireColumns, type CsvRow, type CsvTable } from './csv.js';
export * from './synthetic.js';
export {
  ATTRIBUTES,
  NORMAL_INTENSITY_FACTOR,
  PROXY_CLASSES,
  PROXY_SCALE,
  proxyAttributes,
  type Attribute,
} from './proxy-attributes.js';
