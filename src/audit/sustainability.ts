/**
 * Sustainability: model size, compute per second of audio (counted from the module structure,
 * src/models/complexity.ts), measured inference latency and real-time factor, peak memory, and
 * the training wall time recorded by the run.
 */
import { macsPerSecond } from '../models/index.js';
import type { TrainedFold } from '../run/index.js';

/** Latency measurement: warm-up calls, then timed calls (median reported). */
const WARMUP_CALLS = 2;
const TIMED_CALLS = 9;

/** The backbone a run's features come from, as the audit counts it. */
export interface BackboneCost {
  name: string;
  params: number;
  /** Null when the backbone's compute is not known (a model run as an opaque ONNX graph). */
  macsPerSecond: number | null;
}

export interface SustainabilityReport {
  /** Parameters of the model and of its backbone. */
  params: number;
  /** Multiply-accumulates per second of audio (vector models: per utterance), the backbone's included where known. */
  macsPerSecond: number;
  backbone?: BackboneCost;
  /** Median wall time to predict one utterance, features included (ms). */
  latencyMs: number;
  /** latency / utterance duration. */
  realTimeFactor: number;
  /** Peak resident memory of this process so far (MB). */
  peakMemoryMb: number;
  /** Training wall time of the whole run (s), from metrics.json. */
  trainSeconds: number | null;
  /** Feature frame rate used for the MAC count (Hz). */
  frameRateHz: number;
}

/**
 * Measures `predictor` on `signal` (one utterance at the predictor's rate, by `speaker`, who
 * must be enrolled when the run is speaker-normalized).
 * @param frameRateHz feature frames per second (16 kHz audio with a 160-sample hop: 100 Hz).
 * @param backbone the frozen backbone the features come from, added to the counts.
 */
export async function measureSustainability(
  predictor: TrainedFold,
  signal: Float32Array,
  speaker: string,
  frameRateHz: number,
  trainSeconds: number | null,
  backbone: BackboneCost | null = null,
): Promise<SustainabilityReport> {
  // A fresh copy per call: the predictor may memoize features per signal object, and latency must include them.
  for (let i = 0; i < WARMUP_CALLS; i++) await predictor.predict([signal.slice()], [speaker]);
  const times: number[] = [];
  for (let i = 0; i < TIMED_CALLS; i++) {
    const copy = signal.slice();
    const t0 = performance.now();
    await predictor.predict([copy], [speaker]);
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  const latencyMs = times[Math.floor(times.length / 2)];
  return {
    params: predictor.model.numParameters() + (backbone?.params ?? 0),
    macsPerSecond: macsPerSecond(predictor.model, frameRateHz) + (backbone?.macsPerSecond ?? 0),
    ...(backbone ? { backbone } : {}),
    latencyMs,
    realTimeFactor: latencyMs / 1000 / (signal.length / predictor.sampleRateHz),
    peakMemoryMb: process.resourceUsage().maxRSS / 1024,
    trainSeconds,
    frameRateHz,
  };
}
