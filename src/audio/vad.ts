/**
 * Energy-based voice activity detection: trimming leading and trailing silence, and telling
 * whether a clip holds speech at all (silence and too-short clips get no emotion).
 */

/** Analysis frame length in milliseconds. */
export const VAD_FRAME_MS = 25;
/** Hop between frames in milliseconds. */
export const VAD_HOP_MS = 10;
/** Features quieter than this, relative to the loudest frame, count as silence (dB). */
export const VAD_THRESHOLD_DB = -40;
/** Absolute floor in dBFS (mean power re a full-scale square wave): quieter frames never count as speech. */
export const VAD_ABSOLUTE_FLOOR_DBFS = -70;
/** Time kept before the first and after the last active frame (hangover), in milliseconds. */
export const VAD_HANGOVER_MS = 100;

/** Options for {@link trimSilence}. Times in milliseconds, levels in dB. */
export interface TrimSilenceOptions {
  /** Frame length (ms). Default {@link VAD_FRAME_MS}. */
  frameMs?: number;
  /** Hop between frame starts (ms). Default {@link VAD_HOP_MS}. */
  hopMs?: number;
  /** Activity threshold relative to the loudest frame's mean power (dB, ≤ 0). Default {@link VAD_THRESHOLD_DB}. */
  thresholdDb?: number;
  /**
   * Absolute activity floor in dBFS: mean frame power relative to a full-scale square wave
   * (power 1). Features below it are silence even when the whole file is quiet, so a file of
   * pure low-level noise trims to nothing. Default {@link VAD_ABSOLUTE_FLOOR_DBFS}.
   */
  floorDbfs?: number;
  /** Padding kept around the active region (ms). Default {@link VAD_HANGOVER_MS}. */
  hangoverMs?: number;
}

/** Result of {@link trimSilence}. */
export interface TrimResult {
  /** The kept samples, `x.subarray(start, end)` copied. Empty when nothing is active. */
  samples: Float32Array;
  /** First kept sample index (inclusive). */
  start: number;
  /** One past the last kept sample index (exclusive); `start === end` when nothing is active. */
  end: number;
}

/**
 * Trims leading and trailing silence by frame energy.
 *
 * The signal is cut into frames of `frameMs` every `hopMs`; a frame is active when its mean
 * power is within `thresholdDb` of the loudest frame and above `floorDbfs`. The kept range
 * runs from the start of the first active frame to the end of the last one, widened by
 * `hangoverMs` on both sides and clipped to the signal. Pauses inside the utterance are kept.
 *
 * @param x - samples.
 * @param sampleRateHz - sample rate of `x` in Hz.
 * @returns the trimmed copy and its [start, end) sample range in `x`.
 */
export function trimSilence(x: Float32Array, sampleRateHz: number, opts: TrimSilenceOptions = {}): TrimResult {
  const a = frameActivity(x, sampleRateHz, opts);
  const hangoverMs = opts.hangoverMs ?? VAD_HANGOVER_MS;
  if (!(hangoverMs >= 0)) throw new RangeError(`trimSilence: hangoverMs must be ≥ 0, got ${hangoverMs}`);
  const hangover = Math.round((hangoverMs * sampleRateHz) / 1000);
  const first = a.active.indexOf(1);
  if (first < 0) return { samples: new Float32Array(0), start: 0, end: 0 };
  const last = a.active.lastIndexOf(1);
  const start = Math.max(0, first * a.hop - hangover);
  const end = Math.min(x.length, last * a.hop + a.frameLen + hangover);
  return { samples: x.slice(start, end), start, end };
}

/**
 * `x` without its leading and trailing silence ({@link trimSilence} with its defaults), or `x`
 * itself when no frame is active, so a quiet clip is still judged rather than dropped.
 *
 * @param x - samples.
 * @param sampleRateHz - sample rate of `x` in Hz.
 */
export function speechSpan(x: Float32Array, sampleRateHz: number): Float32Array {
  const t = trimSilence(x, sampleRateHz);
  return t.samples.length > 0 ? t.samples : x;
}

/** Features of a signal and which of them are active (1) by the energy rule of {@link trimSilence}. */
interface FrameActivity {
  frameLen: number;
  hop: number;
  active: Uint8Array;
  /** Mean power of the loudest frame (linear, re full scale). */
  maxPower: number;
}

function frameActivity(x: Float32Array, sampleRateHz: number, opts: TrimSilenceOptions): FrameActivity {
  if (!(sampleRateHz > 0)) throw new RangeError(`trimSilence: sampleRateHz must be positive, got ${sampleRateHz}`);
  const frameMs = opts.frameMs ?? VAD_FRAME_MS;
  const hopMs = opts.hopMs ?? VAD_HOP_MS;
  const thresholdDb = opts.thresholdDb ?? VAD_THRESHOLD_DB;
  const floorDbfs = opts.floorDbfs ?? VAD_ABSOLUTE_FLOOR_DBFS;
  if (!(frameMs > 0) || !(hopMs > 0)) throw new RangeError('trimSilence: frameMs and hopMs must be positive');
  if (!(thresholdDb <= 0)) throw new RangeError(`trimSilence: thresholdDb must be ≤ 0, got ${thresholdDb}`);

  const frameLen = Math.max(1, Math.round((frameMs * sampleRateHz) / 1000));
  const hop = Math.max(1, Math.round((hopMs * sampleRateHz) / 1000));
  const n = x.length;
  if (n === 0) return { frameLen, hop, active: new Uint8Array(0), maxPower: 0 };

  // Features start every hop; the last frame may be shorter than frameLen (mean over what exists).
  const nFrames = n <= frameLen ? 1 : 1 + Math.ceil((n - frameLen) / hop);
  const power = new Float64Array(nFrames);
  let maxPower = 0;
  for (let f = 0; f < nFrames; f++) {
    const a = f * hop;
    const b = Math.min(n, a + frameLen);
    let s = 0;
    for (let i = a; i < b; i++) s += x[i] * x[i];
    power[f] = s / (b - a);
    if (power[f] > maxPower) maxPower = power[f];
  }
  const threshold = Math.max(maxPower * 10 ** (thresholdDb / 10), 10 ** (floorDbfs / 10));
  const active = new Uint8Array(nFrames);
  if (maxPower > 0) for (let f = 0; f < nFrames; f++) active[f] = power[f] >= threshold ? 1 : 0;
  return { frameLen, hop, active, maxPower };
}

/** Least active audio (s) for a signal to count as containing speech. */
export const MIN_SPEECH_SECONDS = 0.1;

/** Whether a signal contains speech, by the energy rule of {@link trimSilence}. */
export interface SpeechActivity {
  detected: boolean;
  /** Seconds covered by active frames (frames counted at their hop). */
  activeSeconds: number;
  /** Level of the loudest frame (dBFS; −Infinity for digital silence). */
  peakDbfs: number;
  /** Why no speech was detected (absent when detected). */
  reason?: string;
}

/**
 * Speech activity of a signal: `detected` when at least `minSpeechSeconds` (default
 * {@link MIN_SPEECH_SECONDS}) of frames are active — within `thresholdDb` of the loudest frame
 * and above the absolute floor `floorDbfs`. Digital silence, low-level noise and clips shorter
 * than the minimum are not speech; a model's output on them would be noise, so callers report
 * "no speech" instead of an emotion. Pure (no Node or browser APIs).
 */
export function speechActivity(
  x: Float32Array,
  sampleRateHz: number,
  opts: TrimSilenceOptions & { minSpeechSeconds?: number } = {},
): SpeechActivity {
  const a = frameActivity(x, sampleRateHz, opts);
  const minSeconds = opts.minSpeechSeconds ?? MIN_SPEECH_SECONDS;
  let frames = 0;
  for (const v of a.active) frames += v;
  const activeSeconds = Math.min(x.length, frames * a.hop) / sampleRateHz;
  const peakDbfs = a.maxPower > 0 ? 10 * Math.log10(a.maxPower) : -Infinity;
  const durationMs = (1000 * x.length) / sampleRateHz;
  const floor = opts.floorDbfs ?? VAD_ABSOLUTE_FLOOR_DBFS;
  if (activeSeconds >= minSeconds) return { detected: true, activeSeconds, peakDbfs };
  const reason =
    x.length / sampleRateHz < minSeconds
      ? `too short to hold speech (${durationMs.toFixed(0)} ms; at least ${(1000 * minSeconds).toFixed(0)} ms needed)`
      : frames === 0
        ? a.maxPower === 0
          ? 'digital silence'
          : `silence (loudest frame ${peakDbfs.toFixed(1)} dBFS, below the ${floor} dBFS floor)`
        : `only ${(1000 * activeSeconds).toFixed(0)} ms of sound above the floor (at least ${(1000 * minSeconds).toFixed(0)} ms needed)`;
  return { detected: false, activeSeconds, peakDbfs, reason };
}
