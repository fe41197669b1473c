/** Feature extraction at scale: inputs, cache, worker pool, output files. */
export { extractFeatures, type ExtractOptions, type ExtractSummary } from './extract.js';
export { computeFeatures } from './many.js';
export type { TaskAugmentation } from './compute.js';
export { FeatureCache, cacheKey, defaultCacheDir, CACHE_FORMAT_VERSION } from './cache.js';
