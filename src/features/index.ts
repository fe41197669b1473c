/**
 * Features: everything of ./pure.ts (the spectral and functional feature sets, the registry,
 * normalization) plus extraction at scale — a content-addressed cache, worker threads, output
 * files (`trustser features extract`) and the features of many utterances for training.
 */
export * from './pure.js';
// Side effect: the Node sources of the backbones the backbone feature sets run.
import '../backbones/index.js';
// Side effect: in Node, mel spectrograms (and every set built on them) run on the libtorch engine.
import './engine-mel.js';
export {
  CACHE_FORMAT_VERSION,
  FeatureCache,
  cacheKey,
  computeFeatures,
  defaultCacheDir,
  extractFeatures,
  type ExtractOptions,
  type ExtractSummary,
  type TaskAugmentation,
  cachedResult,
  runTask,
  threadRunner,
  type ExtractResult,
  type ExtractTask,
  type TaskRunner,
} from './extract/index.js';
