/**
 * The platform-independent part of src/models (no engine, no Node built-ins): how a clip is
 * fitted to the AASIST input length, for scoring in browsers.
 */
export { SPOOF_VAD_MODES, resolveWindowing, scoreInWindows, spoofInput, windowedSummary, type SpoofVad } from './aasist/windows.js';
