/**
 * AASIST and AASIST-L spoofing countermeasures (raw waveform → [spoof, bona fide] logits) on the
 * engine, loadable from the published PyTorch weights, and their emotion-conditioned variants.
 */
export {
  AASIST_CONFIG,
  AASIST_L_CONFIG,
  AASIST_VARIANTS,
  AASIST_SAMPLES,
  AASIST_SAMPLE_RATE_HZ,
  READOUT_PARTS,
  FRONT_POOL,
  BLOCK_TIME_POOL,
  ENCODER_BLOCKS,
  aasistConfigSchema,
  checkAasistConfig,
  aasistMinSamples,
  spectralNodes,
  temporalNodes,
  pooledNodes,
  readoutDim,
  sincLength,
  type AasistConfig,
  type AasistVariant,
} from './config.js';
export { fitAasistInput, aasistBatch } from './input.js';
export {
  DEFAULT_TOP_K,
  SPOOF_AGGREGATIONS,
  SPOOF_VAD_MODES,
  aggregateWindowLogits,
  resolveWindowing,
  scoreInWindows,
  spoofInput,
  windowStarts,
  windowedSummary,
  type SpoofAggregation,
  type SpoofVad,
  type SpoofWindowing,
  type WindowedScore,
} from './windows.js';
export { SincFrontEnd, sincFilterBank, melBandEdgesHz, hammingWindow, FREQ_MASK_MAX_FILTERS } from './sinc.js';
export { ResidualBlock, buildEncoder } from './encoder.js';
export { GraphAttentionLayer, GAT_INPUT_DROPOUT } from './graph-attention.js';
export { HeteroGraphAttentionLayer, type HsGalOutput } from './hs-gal.js';
export { GraphPool, POOL_SCORE_DROPOUT } from './pool.js';
export {
  Aasist,
  SPOOF_CLASS,
  BONAFIDE_CLASS,
  AASIST_CLASS_WEIGHTS,
  READOUT_DROPOUT,
  BRANCH_DROPOUT,
  type AasistOptions,
  type AasistOutput,
} from './model.js';
export { Amsdf, AMSDF_EMOTION_NODES, type AmsdfOptions } from './amsdf.js';
export { AasistSsl, newAasistSsl, SMALL_SSL_FRONT_END, SSL_PROJECTION_DIM } from './ssl.js';
export { loadAasistWeights, detectAasistVariant, readAasistStateDict } from './weights.js';
export {
  AasistEmotion,
  EMOTION_CONDITIONING_MODES,
  type EmotionConditioning,
  type AasistEmotionOptions,
  type AasistEmotionOutput,
} from './emotion.js';
