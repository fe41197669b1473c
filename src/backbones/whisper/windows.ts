/**
 * Whisper's time geometry and front-end constants (no engine: the ONNX Runtime hosts use them
 * too): sample rate, STFT size and hop, the 30 s window and how an input is cut into encoder
 * passes, the mel filters and the log-mel's dynamic range.
 */
import { melFilterbank } from '../../dsp/index.js';

/** Input sample rate of every Whisper model (Hz). */
export const WHISPER_SAMPLE_RATE_HZ = 16000;
/** STFT size and (periodic Hann) window length (samples, 25 ms). */
export const WHISPER_N_FFT = 400;
/** Hop between mel frames (samples, 10 ms). */
export const WHISPER_HOP_SAMPLES = 160;
/** The encoder's stride over mel frames (conv2), so one encoder frame per 20 ms. */
const WHISPER_MEL_FRAMES_PER_FRAME = 2;
/** Hidden-state frames per second (Hz). */
export const WHISPER_FRAME_RATE_HZ = WHISPER_SAMPLE_RATE_HZ / (WHISPER_HOP_SAMPLES * WHISPER_MEL_FRAMES_PER_FRAME);
/** The window Whisper pads or trims every input to (s). */
const WHISPER_WINDOW_SECONDS = 30;
/** {@link WHISPER_WINDOW_SECONDS} in samples (480 000) and in mel frames (3000). */
export const WHISPER_WINDOW_SAMPLES = WHISPER_WINDOW_SECONDS * WHISPER_SAMPLE_RATE_HZ;
export const WHISPER_WINDOW_MEL_FRAMES = WHISPER_WINDOW_SAMPLES / WHISPER_HOP_SAMPLES;
/** Top of the mel filters (Hz): the Nyquist frequency. */
const WHISPER_MEL_F_MAX_HZ = WHISPER_SAMPLE_RATE_HZ / 2;
/**
 * Shortest input (samples) the centred STFT takes (its reflect padding of N_FFT/2 needs more
 * samples than that); it gives one mel frame and one encoder frame.
 */
export const WHISPER_MIN_SAMPLES = WHISPER_N_FFT / 2 + 1;
/** Mel power below this is clamped before the log10. */
export const WHISPER_LOG_AMIN = 1e-10;
/** Dynamic range kept below the maximum (log10 units: 80 dB). */
export const WHISPER_LOG_DYNAMIC_RANGE = 8;
/** (log10 + offset) / scale brings the log-mel to about [-1, 1]. */
export const WHISPER_LOG_OFFSET = 4;
export const WHISPER_LOG_SCALE = 4;

/** How an input meets the encoder's 30 s positions. */
export type WhisperPad = 'none' | '30s';

/** Mel frames of `samples` samples (the centred STFT's frames less the last): ⌊samples / 160⌋. */
export function melFramesFor(samples: number): number {
  return Math.floor(samples / WHISPER_HOP_SAMPLES);
}

/** Encoder frames of `melFrames` mel frames (conv2: kernel 3, stride 2, padding 1): ⌈melFrames / 2⌉. */
export function encoderFramesFor(melFrames: number): number {
  return Math.ceil(melFrames / WHISPER_MEL_FRAMES_PER_FRAME);
}

/** One pass of the encoder: mel frames [melStart, melStart + melFrames) in, the first `keep` frames out. */
export interface WhisperWindow {
  melStart: number;
  melFrames: number;
  keep: number;
}

/**
 * The encoder passes over an input of `samples` samples (≥ {@link WHISPER_MIN_SAMPLES}): windows
 * of 3000 mel frames (30 s) with no overlap, since the positions end at 30 s. With `pad: 'none'`
 * the last window has only the input's own frames; with `'30s'` the input is zero-padded to a
 * multiple of 30 s, every window is full, and only the frames covering the real audio are kept.
 */
export function whisperWindows(samples: number, pad: WhisperPad): WhisperWindow[] {
  const mel = melFramesFor(samples);
  const frames = encoderFramesFor(mel);
  const out: WhisperWindow[] = [];
  for (let a = 0; a < mel; a += WHISPER_WINDOW_MEL_FRAMES) {
    const melFrames = pad === '30s' ? WHISPER_WINDOW_MEL_FRAMES : Math.min(WHISPER_WINDOW_MEL_FRAMES, mel - a);
    const first = a / WHISPER_MEL_FRAMES_PER_FRAME;
    out.push({ melStart: a, melFrames, keep: Math.min(WHISPER_WINDOW_MEL_FRAMES / WHISPER_MEL_FRAMES_PER_FRAME, frames - first) });
  }
  return out;
}

/** Samples after zero-padding for `pad`: a multiple of 30 s (at least one window) for '30s'. */
export function paddedLength(samples: number, pad: WhisperPad): number {
  if (pad === 'none') return samples;
  return Math.max(1, Math.ceil(samples / WHISPER_WINDOW_SAMPLES)) * WHISPER_WINDOW_SAMPLES;
}

/** Index of sample `i` of a signal of `n` samples after reflect padding (the edge sample not repeated). */
export function reflectIndex(i: number, n: number): number {
  if (i < 0) return -i;
  return i >= n ? 2 * (n - 1) - i : i;
}

/** Whisper's `nMels` Slaney mel filters over 0–8 kHz (librosa's `filters.mel`), row-major [nFft/2 + 1, nMels]. */
export function whisperMelBank(nMels: number): Float32Array {
  return melFilterbank({
    sampleRateHz: WHISPER_SAMPLE_RATE_HZ,
    nFft: WHISPER_N_FFT,
    nMels,
    fMinHz: 0,
    fMaxHz: WHISPER_MEL_F_MAX_HZ,
    scale: 'slaney',
    norm: 'slaney',
  });
}
