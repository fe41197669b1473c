/**
 * The in-memory audio type shared by the decoders and the signal helpers.
 */
import { AudioError } from './errors.js';

/** Sample rate that models and features in this project expect, in Hz. */
export const DEFAULT_SAMPLE_RATE_HZ = 16000;

/**
 * Sample rates accepted from files (Hz): from below telephone band up to 768 kHz, the highest
 * rate audio interfaces record at. A damaged header can claim hundreds of MHz, and resampling
 * from such a rate costs filter taps in proportion to it (minutes of CPU for a few samples).
 */
export const MIN_SAMPLE_RATE_HZ = 1000;
export const MAX_SAMPLE_RATE_HZ = 768_000;

/** Throws an AudioError (`unsupported`) naming `file` when `rateHz` is outside the accepted range. */
export function checkSampleRate(file: string, rateHz: number): void {
  if (!Number.isInteger(rateHz) || rateHz < MIN_SAMPLE_RATE_HZ || rateHz > MAX_SAMPLE_RATE_HZ) {
    throw new AudioError(
      file,
      'unsupported',
      `sample rate ${rateHz} Hz is outside ${MIN_SAMPLE_RATE_HZ}…${MAX_SAMPLE_RATE_HZ} Hz (a damaged header, or not audio)`,
    );
  }
}

/**
 * Decoded audio, planar: one `Float32Array` per channel, all of equal length, samples
 * scaled to [-1, 1) full scale.
 */
export interface Audio {
  /** Sample rate in Hz. */
  sampleRateHz: number;
  /** One array per channel (length ≥ 1), each holding `frameCount(audio)` samples. */
  channels: Float32Array[];
}

/** Number of samples per channel. */
export function frameCount(audio: Audio): number {
  return audio.channels.length === 0 ? 0 : audio.channels[0].length;
}

/** Duration in seconds (`frameCount / sampleRateHz`). */
export function durationSeconds(audio: Audio): number {
  return audio.sampleRateHz > 0 ? frameCount(audio) / audio.sampleRateHz : 0;
}

/**
 * Mixes all channels down to one by averaging them (equal weights, so a full-scale signal
 * present in every channel stays full scale). A mono input is returned as a copy.
 */
export function toMono(audio: Audio): Float32Array {
  const { channels } = audio;
  if (channels.length === 0) return new Float32Array(0);
  if (channels.length === 1) return channels[0].slice();
  const n = channels[0].length;
  const acc = new Float64Array(n);
  for (const ch of channels) {
    if (ch.length !== n) throw new RangeError(`toMono: channel lengths differ (${ch.length} vs ${n})`);
    for (let i = 0; i < n; i++) acc[i] += ch[i];
  }
  const out = new Float32Array(n);
  const w = 1 / channels.length;
  for (let i = 0; i < n; i++) out[i] = acc[i] * w;
  return out;
}

/**
 * Throws an {@link AudioError} of kind `non-finite` naming the first NaN or ±Infinity
 * sample (channel and index), if any.
 */
export function assertFinite(file: string, audio: Audio): void {
  for (let c = 0; c < audio.channels.length; c++) {
    const ch = audio.channels[c];
    for (let i = 0; i < ch.length; i++) {
      const v = ch[i];
      if (v - v !== 0) {
        // v − v is NaN exactly for NaN and ±Infinity; one test per sample keeps the scan cheap.
        throw new AudioError(file, 'non-finite', `sample ${i} of channel ${c} is ${v} (NaN/Infinity samples are not allowed)`);
      }
    }
  }
}
