/**
 * Trust reports: the validated `trust.json` record of an audited model and its self-contained
 * HTML page (trust-profile radar, confusion heat map, per-group bars, robustness and attack
 * curves, tables with confidence intervals), for one model or a comparison of several; reading
 * and writing them in a run folder. ./pure.ts is the part without file access.
 */
export * from './pure.js';
export { loadTrustReport, writeTrustReport, type WrittenTrustReport } from './files.js';
