/**
 * Data: corpus adapters (RAVDESS, CREMA-D, IEMOCAP, MSP-IMPROV, MSP-Podcast, MELD, EmoDB,
 * ASVspoof 2019 LA, LibriSpeech, CSV manifests, the synthesized corpus) with their label maps,
 * and the evaluation protocols built on them (speaker-independent splits, split manifests, the
 * leakage check).
 */
export * from './corpora/index.js';
export * from './protocol/index.js';
