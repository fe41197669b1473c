/**
 * The analysis result the service returns and the web app shows, and the pure steps both compute
 * it with (no Node or browser APIs here, so the web app bundles this module as is): the
 * utterance decision as the mean of window posteriors (as `OnnxSerModel.predictMany` does), the
 * class-keyed probability maps, the "unknown" label below a confidence threshold, and the spoof
 * verdict from the countermeasure's logits.
 */
import { speechActivity } from '../audio/pure.js';
import { argmax } from '../core/pure.js';
import {
  UNKNOWN_LABEL,
  checkMinConfidence,
  confidentLabel,
  spoofProbability,
  spoofVerdictAt,
  type SpoofCalibration,
} from '../metrics/pure.js';
import type { SpoofVad } from '../models/pure.js';
import type { TrustSummary } from '../runtime/pure.js';

/** Default length of the analysis windows of long inputs (s); shorter inputs are one window. */
export const DEFAULT_WINDOW_SECONDS = 3;
/** Default hop between analysis windows (s). */
export const DEFAULT_HOP_SECONDS = 1.5;

/**
 * The spoof-model contract: an ONNX graph with input `wave` float32 [batch, samples] at 16 kHz
 * and output `logits` [batch, 2] ordered [spoof, bona fide]. The same names as the runtime's
 * spoof-sidecar.ts, repeated here because that module reads files (node:fs) and this one is
 * bundled into the web app; test/serve/units.test.ts checks they agree.
 */
export const SPOOF_INPUT = 'wave';
export const SPOOF_OUTPUT = 'logits';
export const SPOOF_LOGIT_INDEX = 0;
export const BONAFIDE_LOGIT_INDEX = 1;

/** Name of the `POST /v1/analyze` query parameter that sets the confidence threshold of one request. */
export const MIN_CONFIDENCE_PARAM = 'minConfidence';

/** Posteriors of one analysis window, keyed by class. */
export interface WindowResult {
  startSeconds: number;
  endSeconds: number;
  probs: Record<string, number>;
  label: string;
}

/** The countermeasure's verdict: `score` is the bona fide logit (higher = more bona fide). */
export interface SpoofResult {
  score: number;
  label: 'bonafide' | 'spoof';
  logits: { spoof: number; bonafide: number };
  /** Windows of the model's input length the clip was scored in (their logits averaged). */
  windows: number;
  /** Audio the windows covered (s). */
  scoredSeconds: number;
  /** Calibrated models: P(spoof) and the score threshold the label was judged at (the dev set's EER); null uncalibrated (label: the larger logit). */
  pSpoof: number | null;
  threshold: number | null;
}

/** Wall-clock time of each step (ms). */
export interface TimingMs {
  decode: number;
  emotion: number;
  spoof?: number;
  total: number;
}

/** Whether the clip holds speech (energy VAD); no emotion is given for a clip without. */
export interface SpeechInfo {
  detected: boolean;
  /** Seconds of active frames. */
  activeSeconds: number;
  /** Level of the loudest frame (dBFS); null for digital silence. */
  peakDbfs: number | null;
  /** Why no speech was detected (silence, too short). */
  reason?: string;
}

/**
 * The emotion part of an analysis: null with an empty window list when the clip holds no speech.
 * Probabilities are calibrated (the model's temperature); a label is {@link UNKNOWN_LABEL} when
 * its top probability is below `minConfidence`.
 */
export interface EmotionAnalysis {
  emotion: { label: string; probs: Record<string, number> } | null;
  windows: WindowResult[];
  speech: SpeechInfo;
  /** The confidence threshold the labels were given with (0: none); absent before one is applied. */
  minConfidence?: number;
}

/** What `POST /v1/analyze` returns. */
export interface AnalyzeResponse extends EmotionAnalysis {
  spoof?: SpoofResult;
  audio: { durationSeconds: number; sampleRateHz: number; channels: number };
  timingMs: TimingMs;
  model: { name: string; classes: string[]; sampleRateHz: number; windowSeconds: number; hopSeconds: number };
}

/** What `GET /v1/model` returns: the sidecar's summary, the trust numbers and what the server offers. */
export interface ModelInfo {
  model: { name: string; params: number; fold: number; foldName: string | null; corpus: string; labelMap: string | null };
  classes: string[];
  sampleRateHz: number;
  features: { set: string; inputKind: string };
  outputs: string[];
  trust: TrustSummary | null;
  verification: { maxAbsDiff: number; probes: number };
  createdAt: string;
  trustserVersion: string;
  windowing: { windowSeconds: number; hopSeconds: number };
  limits: { maxBodyBytes: number; maxSeconds: number };
  /** `vad`: what of each clip the countermeasure hears (the page applies it as the server does). */
  spoof: { name: string | null; samples: number; sampleRateHz: number; vad: SpoofVad; calibration: SpoofCalibration | null } | null;
  /** The temperature of the model's probabilities, and whether it was fitted (false: uncalibrated). */
  calibration: { temperature: number; calibrated: boolean };
  /** The server's confidence threshold (0: none); a request may raise it with `?minConfidence=`, never lower it. */
  minConfidence: number;
  /** Download paths of the graphs (for in-browser inference). */
  files: { model: string; sidecar: string; spoof: string | null };
  /**
   * The pretrained models the features run (e.g. the speech-embedding backbone): each one's name
   * and the download paths of its files, in the order the model opens them. Empty for
   * signal-processing features.
   */
  pretrained: { name: string; files: string[] }[];
}

/** `probs` keyed by class name. */
export function probsByClass(classes: readonly string[], probs: readonly number[]): Record<string, number> {
  if (probs.length !== classes.length) throw new Error(`${probs.length} probabilities for ${classes.length} classes`);
  return Object.fromEntries(classes.map((c, k) => [c, probs[k]]));
}

/**
 * The utterance posteriors: the mean of the windows' posteriors, class by class, summed in window
 * order exactly as the runtime's `predictMany` does (so the two agree to the last bit).
 */
export function meanPosteriors(windows: readonly { probs: readonly number[] }[], classes: number): number[] {
  if (windows.length === 0) throw new Error('no analysis windows: the audio is empty');
  return Array.from({ length: classes }, (_, k) => windows.reduce((s, w) => s + w.probs[k], 0) / windows.length);
}

/** The emotion part of a result from window posteriors (class order as `classes`). */
export function emotionResult(
  classes: readonly string[],
  windows: readonly { startSeconds: number; endSeconds: number; probs: readonly number[] }[],
): Pick<AnalyzeResponse, 'emotion' | 'windows'> & { emotion: NonNullable<AnalyzeResponse['emotion']> } {
  const mean = meanPosteriors(windows, classes.length);
  return {
    emotion: { label: classes[argmax(mean)], probs: probsByClass(classes, mean) },
    windows: windows.map((w) => ({
      startSeconds: w.startSeconds,
      endSeconds: w.endSeconds,
      probs: probsByClass(classes, w.probs),
      label: classes[argmax(w.probs)],
    })),
  };
}

/**
 * The analysis with its labels given again under the confidence threshold `minConfidence` (0:
 * none): each label is the most probable class of its probabilities, or {@link UNKNOWN_LABEL}
 * below the threshold; the probabilities are unchanged. Relabelling from the probabilities makes
 * it idempotent, so the page can change the threshold of a result it already shows.
 * @throws Error when `minConfidence` is not a probability.
 */
export function applyMinConfidence<T extends EmotionAnalysis>(a: T, classes: readonly string[], minConfidence: number): T {
  checkMinConfidence(minConfidence, 'minConfidence');
  const byClass = (p: Record<string, number>) => classes.map((c) => p[c]);
  return {
    ...a,
    emotion: a.emotion ? { ...a.emotion, label: confidentLabel(classes, byClass(a.emotion.probs), minConfidence) } : null,
    windows: a.windows.map((w) => ({ ...w, label: confidentLabel(classes, byClass(w.probs), minConfidence) })),
    minConfidence,
  };
}

/**
 * The verdict from the logits [spoof, bona fide] (the bona fide logit is the score): with a
 * calibration, P(spoof) and the label at its threshold; without, the larger logit.
 */
export function spoofVerdict(
  logits: readonly number[],
  scored: { windows: number; scoredSeconds: number },
  calibration?: SpoofCalibration,
): SpoofResult {
  if (logits.length !== 2) throw new Error(`the spoof model must output 2 logits [spoof, bona fide], got ${logits.length}`);
  const spoof = logits[SPOOF_LOGIT_INDEX];
  const bonafide = logits[BONAFIDE_LOGIT_INDEX];
  const calibrated = calibration
    ? {
        label: spoofVerdictAt(calibration, bonafide),
        pSpoof: spoofProbability(calibration, bonafide),
        threshold: calibration.threshold,
      }
    : { label: bonafide > spoof ? ('bonafide' as const) : ('spoof' as const), pSpoof: null, threshold: null };
  return { score: bonafide, logits: { spoof, bonafide }, windows: scored.windows, scoredSeconds: scored.scoredSeconds, ...calibrated };
}

/**
 * The emotion analysis of a mono signal: the speech check first (silence, low-level noise and
 * clips too short to hold speech get `emotion: null` and the reason, not a posterior of noise),
 * then `windows(signal)` — the model's window posteriors — and their mean. Server and page both
 * call this, so they agree on what counts as speech.
 * @param sampleRateHz rate of `signal` (Hz)
 */
export async function analyzeEmotion(
  classes: readonly string[],
  signal: Float32Array,
  sampleRateHz: number,
  windows: (signal: Float32Array) => Promise<readonly { startSeconds: number; endSeconds: number; probs: readonly number[] }[]>,
): Promise<EmotionAnalysis> {
  const a = speechActivity(signal, sampleRateHz);
  const speech: SpeechInfo = {
    detected: a.detected,
    activeSeconds: a.activeSeconds,
    peakDbfs: Number.isFinite(a.peakDbfs) ? a.peakDbfs : null,
    ...(a.reason ? { reason: a.reason } : {}),
  };
  if (!a.detected) return { emotion: null, windows: [], speech };
  return { ...emotionResult(classes, await windows(signal)), speech };
}
