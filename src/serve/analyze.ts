/**
 * One analysis on the server: audio bytes → decoded, mixed to mono and resampled as
 * `loadAudio` does (src/audio) → emotion posteriors per window with the exported model (its
 * training-time features) → the countermeasure's score when one is loaded. Stops between
 * windows once `signal` aborts (the request timed out).
 */
import { AudioError, decodeAudio, durationSeconds, resample, toMono } from '../audio/index.js';
import type { OnnxSerModel, WindowPrediction } from '../runtime/index.js';
import { InputTooShortError } from '../runtime/inputs.js';
import { emotionResult, type AnalyzeResponse } from './analysis.js';
import { HttpError } from './errors.js';
import type { ServedSpoofModel } from './spoof.js';

/** What an analysis needs besides the audio. */
export interface Analyzer {
  model: OnnxSerModel;
  spoof: ServedSpoofModel | null;
  windowSeconds: number;
  hopSeconds: number;
  /** Longest audio accepted (s). */
  maxSeconds: number;
}

function abortCheck(signal: AbortSignal): void {
  if (signal.aborted) throw signal.reason instanceof Error ? signal.reason : new HttpError(504, 'timeout', 'the analysis was stopped');
}

/** Decodes `bytes` (named `label` in errors); undecodable audio is a 400 (415 for an unknown format). */
async function decode(bytes: Uint8Array, label: string) {
  try {
    return await decodeAudio(bytes, label);
  } catch (e) {
    if (e instanceof AudioError) {
      const status = e.kind === 'unsupported' ? 415 : 400;
      throw new HttpError(status, status === 415 ? 'unsupported_audio' : 'undecodable_audio', e.message);
    }
    throw e;
  }
}

/** Analyzes one upload; errors are {@link HttpError}s with a one-line message naming `label`. */
export async function analyzeAudio(a: Analyzer, bytes: Uint8Array, label: string, signal: AbortSignal): Promise<AnalyzeResponse> {
  const t0 = performance.now();
  const audio = await decode(bytes, label);
  const seconds = durationSeconds(audio);
  if (seconds > a.maxSeconds) {
    throw new HttpError(413, 'audio_too_long', `${label}: ${seconds.toFixed(2)} s of audio; this server analyzes at most ${a.maxSeconds} s (--max-seconds)`);
  }
  abortCheck(signal);
  const mono = toMono(audio);
  const rate = a.model.sampleRateHz;
  const signalAtRate = audio.sampleRateHz === rate ? mono : resample(mono, audio.sampleRateHz, rate);
  const t1 = performance.now();

  const windows: WindowPrediction[] = [];
  try {
    for await (const w of a.model.windows([signalAtRate], rate, { windowSeconds: a.windowSeconds, hopSeconds: a.hopSeconds }, [label])) {
      windows.push(w.prediction);
      abortCheck(signal);
    }
  } catch (e) {
    if (e instanceof InputTooShortError) throw new HttpError(422, 'audio_too_short', e.message);
    throw e;
  }
  const t2 = performance.now();

  let spoof: AnalyzeResponse['spoof'];
  let spoofMs: number | undefined;
  if (a.spoof) {
    abortCheck(signal);
    const at16k = audio.sampleRateHz === a.spoof.sampleRateHz ? mono : rate === a.spoof.sampleRateHz ? signalAtRate : resample(mono, audio.sampleRateHz, a.spoof.sampleRateHz);
    spoof = await a.spoof.score(at16k);
    spoofMs = performance.now() - t2;
  }
  const total = performance.now() - t0;
  return {
    ...emotionResult(a.model.classes, windows),
    ...(spoof ? { spoof } : {}),
    audio: { durationSeconds: seconds, sampleRateHz: audio.sampleRateHz, channels: audio.channels.length },
    timingMs: { decode: t1 - t0, emotion: t2 - t1, ...(spoofMs === undefined ? {} : { spoof: spoofMs }), total },
    model: { name: a.model.sidecar.model.name, classes: a.model.classes, sampleRateHz: rate, windowSeconds: a.windowSeconds, hopSeconds: a.hopSeconds },
  };
}
