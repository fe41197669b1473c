/**
 * The platform-independent part of src/features (no Node built-ins; the web app computes
 * features with it): STFT, mel filterbanks, log-mel, MFCC, deltas, the spectrogram image sets,
 * segmenting, functionals, the feature-set registry, and feature normalization (per corpus or
 * per speaker).
 *
 * Importing this module also registers every feature set that lives outside registry.ts
 * (`egemaps-ts`, which registers itself when src/features/egemaps is loaded, and the functional
 * sets of functionals.ts), so
 * code that looks sets up by name should import the registry through here.
 */
export * from './types.js';
export * from './stft.js';
export * from './mel.js';
export * from './mfcc.js';
export * from './deltas.js';
export * from './sets.js';
export * from './segment.js';
export * from './registry.js';
export { fitNormalizer, normalize, type Normalizer } from './normalize.js';
export { MIN_SPEAKER_UTTERANCES, fitSpeakerNormalizers, speakerNormWarnings, speakerNormalize } from './speaker-norm.js';
// Side effect: registers `egemaps-ts` (after registry.js above has been evaluated).
import './egemaps/index.js';
import './compare/index.js';
// Side effect: registers `mel-functionals` and `egemaps-mel` (they build on the sets above).
import './functionals.js';
// Side effect: registers the backbone sets (`speech-embedding`, `speech-embedding-stats`).
import './backbone-sets.js';
export { meanStdPool, SPEECH_EMBEDDING_STATS_SET } from './backbone-sets.js';
// Side effect: registers the engine-backbone sets (`wav2vec2`, `wavlm`, `whisper`, … and their `-stats`).
import './ssl-sets.js';
// Side effect: registers `waveform` (the signal itself, what backbone fine-tuning trains on).
import './waveform-set.js';
export { specAugment, type SpecAugmentOptions } from './spec-augment.js';
export { FUSION_SEPARATOR, UTTERANCE_NORMS, VAD_MODES, normalizeUtterance, type UtteranceNorm, type VadMode } from './compose.js';
