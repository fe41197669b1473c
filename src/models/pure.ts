/**
 * The platform-independent part of src/models (no engine, no Node built-ins): the AASIST input
 * contract — clip length, sample rate, and how a clip is fitted to it — for scoring in browsers.
 */
export { AASIST_SAMPLES, AASIST_SAMPLE_RATE_HZ } from './aasist/config.js';
export { fitAasistInput } from './aasist/fit.js';
