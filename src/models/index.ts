/** Models on the engine (front ends, SER models, anti-spoofing). */
export { LogMelFrontend, type LogMelFrontendOptions } from './frontend.js';
