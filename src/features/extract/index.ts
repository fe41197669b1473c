/** Feature extraction at scale: inputs, cache, worker pool, output files. */
export { extractFeatures, type ExtractOptions, type ExtractSummary } from './extract.js';
export { listInputs, scanDir, AUDIO_EXTENSIONS, type InputItem } from './inputs.js';
export { FeatureCache, cacheKey, defaultCacheDir, CACHE_FORMAT_VERSION, type FeatureArray } from './cache.js';
