/**
 * Spectral front end: FFT, STFT, mel filterbanks, log-mel, MFCC, deltas, the seed's
 * image-CNN spectrogram sets, segmenting, and the feature-set registry.
 *
 * Importing this module also registers every feature set that lives outside registry.ts
 * (`egemaps-ts`, which registers itself when src/features/egemaps is loaded, and the functional
 * sets of functionals.ts), so
 * code that looks sets up by name should import the registry through here.
 */
export * from './frames.js';
export * from '../dsp/window.js';
export * from './stft.js';
export * from './mel.js';
export * from './mfcc.js';
export * from './deltas.js';
export * from './sets.js';
export * from './segment.js';
export * from './registry.js';
// Side effect: registers `egemaps-ts` (after registry.js above has been evaluated).
import './egemaps/index.js';
// Side effect: registers `mel-functionals` and `egemaps-mel` (they build on the sets above).
import './functionals.js';
