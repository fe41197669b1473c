/** Feature extraction at scale: inputs, cache, worker pool, output files. */
export { extractFeatures, type ExtractOptions, type ExtractSummary } from './extract.js';
export { computeFeatures } from './many.js';
export { cachedResult, runTask, type ExtractResult, type ExtractTask, type TaskAugmentation } from './compute.js';
export { threadRunner, type TaskRunner } from './pool.js';
export { FeatureCache, cacheKey, defaultCacheDir, CACHE_FORMAT_VERSION } from './cache.js';
