/**
 * `trustser serve`: an HTTP service (fastify) that analyzes uploaded audio with an exported SER
 * model (and optionally a countermeasure), with size, duration, time and concurrency limits and
 * optional bearer-token auth, and that serves the in-browser web app (web/, built to dist/web).
 * analysis.ts and trust.ts are pure and shared with the web app.
 */
export { createServer, startServer, UPLOAD_TIMEOUT_MS, type Service, type RunningService } from './server.js';
export {
  resolveServeOptions,
  defaultWebDir,
  DEFAULT_HOST,
  DEFAULT_PORT,
  DEFAULT_MAX_BODY_MB,
  DEFAULT_MAX_SECONDS,
  DEFAULT_TIMEOUT_MS,
  DEFAULT_CONCURRENCY,
  DEFAULT_QUEUE,
  DEFAULT_THREADS,
  MIB,
  type ServeOptions,
  type ResolvedServeOptions,
} from './options.js';
export * from './pure.js';
export { analyzeAudio, type Analyzer } from './analyze.js';
export { AnalysisPool, PoolFullError } from './pool.js';
export { HttpError, errorBody, type ErrorBody } from './errors.js';
export { ServedSpoofModel } from './spoof.js';
export {
  modelInfo,
  requestMinConfidence,
  MODEL_FILE_ROUTE,
  SIDECAR_FILE_ROUTE,
  SPOOF_FILE_ROUTE,
  type ServiceState,
  type SpoofInfo,
} from './routes.js';
