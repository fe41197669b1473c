/**
 * One analysis on the server: audio bytes → decoded, mixed to mono and resampled (src/audio's
 * prepareAudio) → the speech check → emotion posteriors per window with the exported model (its
 * training-time features) → the countermeasure's score when one is loaded. Runs inside the
 * analysis workers (worker.ts), never on the server's event loop.
 */
import { AudioError, decodeAudio, durationSeconds, prepareAudio } from '../audio/index.js';
import { InputTooShortError, type OnnxSerModel, type WindowPrediction } from '../runtime/index.js';
import { analyzeEmotion, type AnalyzeResponse, type EmotionAnalysis } from './analysis.js';
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
export async function analyzeAudio(a: Analyzer, bytes: Uint8Array, label: string): Promise<AnalyzeResponse> {
  const t0 = performance.now();
  const audio = await decode(bytes, label);
  const seconds = durationSeconds(audio);
  if (seconds > a.maxSeconds) {
    throw new HttpError(
      413,
      'audio_too_long',
      `${label}: ${seconds.toFixed(2)} s of audio; this server analyzes at most ${a.maxSeconds} s (--max-seconds)`,
    );
  }
  const rate = a.model.sampleRateHz;
  const signal = prepareAudio(audio, rate);
  const t1 = performance.now();

  const windows = async (x: Float32Array) => {
    const out: WindowPrediction[] = [];
    for await (const w of a.model.windows([x], rate, { windowSeconds: a.windowSeconds, hopSeconds: a.hopSeconds }, [label]))
      out.push(w.prediction);
    return out;
  };
  let emotion: EmotionAnalysis;
  try {
    emotion = await analyzeEmotion(a.model.classes, signal, rate, windows);
  } catch (e) {
    if (e instanceof InputTooShortError) throw new HttpError(422, 'audio_too_short', e.message);
    throw e;
  }
  const t2 = performance.now();

  let spoof: AnalyzeResponse['spoof'];
  let spoofMs: number | undefined;
  if (a.spoof && emotion.speech.detected) {
    spoof = await a.spoof.score(rate === a.spoof.sampleRateHz ? signal : prepareAudio(audio, a.spoof.sampleRateHz));
    spoofMs = performance.now() - t2;
  }
  const total = performance.now() - t0;
  return {
    ...emotion,
    ...(spoof ? { spoof } : {}),
    audio: { durationSeconds: seconds, sampleRateHz: audio.sampleRateHz, channels: audio.channels.length },
    timingMs: { decode: t1 - t0, emotion: t2 - t1, ...(spoofMs === undefined ? {} : { spoof: spoofMs }), total },
    model: {
      name: a.model.sidecar.model.name,
      classes: a.model.classes,
      sampleRateHz: rate,
      windowSeconds: a.windowSeconds,
      hopSeconds: a.hopSeconds,
    },
  };
}
