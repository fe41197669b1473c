/**
 * The platform-independent part of src/serve (the web app shares it): the analysis result and
 * model summary the service returns, and the pure steps both compute them with — the speech
 * check, window means, the low-confidence label, the spoof verdict, the trust radar of a sidecar.
 */
export {
  DEFAULT_WINDOW_SECONDS,
  DEFAULT_HOP_SECONDS,
  SPOOF_INPUT,
  SPOOF_OUTPUT,
  SPOOF_LOGIT_INDEX,
  BONAFIDE_LOGIT_INDEX,
  MIN_CONFIDENCE_PARAM,
  applyMinConfidence,
  probsByClass,
  meanPosteriors,
  emotionResult,
  analyzeEmotion,
  spoofVerdict,
  type AnalyzeResponse,
  type EmotionAnalysis,
  type SpeechInfo,
  type ModelInfo,
  type WindowResult,
  type SpoofResult,
  type TimingMs,
} from './analysis.js';
export { summaryTrustScores, summaryTrustSources } from './trust.js';
