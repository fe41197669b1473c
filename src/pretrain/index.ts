/**
 * Self-supervised pre-training of the s3prl backbones (APC, TERA) on a user's own unlabelled
 * audio: the pool, the objectives, the resumable loop and the run folder whose
 * `backbone.safetensors` the backbone stage loads as `apc` / `tera`.
 */
export {
  DEFAULT_LR,
  DEFAULT_SEGMENT_FRAMES,
  MIN_SEGMENT_FRAMES,
  PRETRAIN_METHODS,
  PretrainConfig,
  loadPretrainConfig,
  parsePretrainConfig,
  upstreamSettings,
  type CorpusSource,
  type PretrainMethod,
} from './config.js';
export { listPoolFiles, poolSegments, type FeatureFn, type PoolSummary, type Segment } from './data.js';
export { TERA_NOISE_STD, alterForTera, apcLoss, padBatch, teraLoss, type TeraAlteration, type TeraBatch } from './objectives.js';
export {
  PRETRAIN_FILES,
  pretrain,
  type PretrainEpoch,
  type PretrainOptions,
  type PretrainProgress,
  type PretrainResult,
} from './run.js';
