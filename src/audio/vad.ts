/**
 * Energy-based voice activity detection for trimming leading and trailing silence.
 */

/** Analysis frame length in milliseconds. */
export const VAD_FRAME_MS = 25;
/** Hop between frames in milliseconds. */
export const VAD_HOP_MS = 10;
/** Frames quieter than this, relative to the loudest frame, count as silence (dB). */
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
   * (power 1). Frames below it are silence even when the whole file is quiet, so a file of
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
  if (!(sampleRateHz > 0)) throw new RangeError(`trimSilence: sampleRateHz must be positive, got ${sampleRateHz}`);
  const frameMs = opts.frameMs ?? VAD_FRAME_MS;
  const hopMs = opts.hopMs ?? VAD_HOP_MS;
  const thresholdDb = opts.thresholdDb ?? VAD_THRESHOLD_DB;
  const floorDbfs = opts.floorDbfs ?? VAD_ABSOLUTE_FLOOR_DBFS;
  const hangoverMs = opts.hangoverMs ?? VAD_HANGOVER_MS;
  if (!(frameMs > 0) || !(hopMs > 0)) throw new RangeError('trimSilence: frameMs and hopMs must be positive');
  if (!(thresholdDb <= 0)) throw new RangeError(`trimSilence: thresholdDb must be ≤ 0, got ${thresholdDb}`);
  if (!(hangoverMs >= 0)) throw new RangeError(`trimSilence: hangoverMs must be ≥ 0, got ${hangoverMs}`);

  const frameLen = Math.max(1, Math.round((frameMs * sampleRateHz) / 1000));
  const hop = Math.max(1, Math.round((hopMs * sampleRateHz) / 1000));
  const hangover = Math.round((hangoverMs * sampleRateHz) / 1000);
  const n = x.length;
  const empty: TrimResult = { samples: new Float32Array(0), start: 0, end: 0 };
  if (n === 0) return empty;

  // Frames start every hop; the last frame may be shorter than frameLen (mean over what exists).
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
  if (!(maxPower >= threshold) || maxPower === 0) return empty;

  let first = 0;
  while (power[first] < threshold) first++;
  let last = nFrames - 1;
  while (power[last] < threshold) last--;
  const start = Math.max(0, first * hop - hangover);
  const end = Math.min(n, last * hop + frameLen + hangover);
  return { samples: x.slice(start, end), start, end };
}
