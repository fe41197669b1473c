/**
 * Models on the engine: the SER models (registry, architectures, construction for a run,
 * batching of their inputs), the AASIST anti-spoofing countermeasures, the differentiable
 * log-mel front end, and parameter / MAC counting. ./pure.ts is the part browsers may use.
 */
export * from './ser/index.js';
export * from './aasist/index.js';
export { LogMelFrontend, type LogMelFrontendOptions } from './frontend.js';
export {
  countParams,
  countMacs,
  macsPerSecond,
  linearMacs,
  conv1dMacs,
  conv2dMacs,
  lstmMacs,
  gruMacs,
  multiheadAttentionMacs,
  DEFAULT_FRAME_RATE_HZ,
} from './complexity.js';
