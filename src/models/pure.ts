/**
 * The platform-independent part of src/models (no engine, no Node built-ins): how a clip is
 * fitted to the AASIST input length, for scoring in browsers.
 */
export { resolveWindowing, scoreInWindows, windowedSummary } from './aasist/windows.js';
