/**
 * A Whisper encoder behind the {@link Backbone} contract, whatever runs it (the engine, or ONNX
 * Runtime on an exported graph; no engine here, so the web app can use it): its facts and cost,
 * and one utterance in, every layer's hidden states out at 50 frames/s, long inputs in 30 s
 * windows so memory stays flat.
 */
import type { Backbone, BackboneInfo, HiddenStates } from '../types.js';
import type { WhisperEncoderConfig } from './config.js';
import {
  WHISPER_FRAME_RATE_HZ,
  WHISPER_LOG_DYNAMIC_RANGE,
  WHISPER_LOG_OFFSET,
  WHISPER_LOG_SCALE,
  WHISPER_MIN_SAMPLES,
  WHISPER_SAMPLE_RATE_HZ,
  encoderFramesFor,
  paddedLength,
  whisperWindows,
  type WhisperPad,
} from './windows.js';

/** Input length (s) at which {@link BackboneInfo.macsPerSecond} is stated (attention grows with length). */
const WHISPER_MACS_REFERENCE_SECONDS = 10;
/** Kernel of both input convolutions (mel frames). */
const CONV_KERNEL = 3;

/** Multiply-accumulates of one encoder pass over `melFrames` mel frames (convs and blocks). */
function windowMacs(c: WhisperEncoderConfig, melFrames: number): number {
  const t = encoderFramesFor(melFrames);
  const d = c.width;
  const convs = melFrames * d * c.nMels * CONV_KERNEL + t * d * d * CONV_KERNEL;
  const perBlock = t * (4 * d * d + 2 * d * c.ffnDim) + 2 * t * t * d; // projections, MLP, QKᵀ and AV
  return convs + c.layers * perBlock;
}

/**
 * Multiply-accumulates of the encoder (convs and blocks; not the log-mel) over an input of
 * `samples` samples, run in 30 s windows as the backbone runs it.
 */
export function whisperMacs(c: WhisperEncoderConfig, samples: number, pad: WhisperPad = 'none'): number {
  const n = Math.max(samples, WHISPER_MIN_SAMPLES);
  return whisperWindows(n, pad).reduce((s, w) => s + windowMacs(c, w.melFrames), 0);
}

/** Checks a pad mode (a feature option, so it may come from a user's config). */
export function checkPad(pad: unknown): WhisperPad {
  if (pad !== 'none' && pad !== '30s') throw new Error(`whisper backbone: pad must be 'none' or '30s', got ${JSON.stringify(pad)}`);
  return pad;
}

/** Facts of an encoder of config `c` with `parameters` parameters, as backbone `name`. */
export function whisperInfo(name: string, c: WhisperEncoderConfig, parameters: number, pad: WhisperPad): BackboneInfo {
  const refSamples = WHISPER_MACS_REFERENCE_SECONDS * WHISPER_SAMPLE_RATE_HZ;
  return {
    name,
    sampleRateHz: WHISPER_SAMPLE_RATE_HZ,
    frameRateHz: WHISPER_FRAME_RATE_HZ,
    dims: c.width,
    layerDims: new Array<number>(c.layers + 1).fill(c.width),
    parameters,
    minSamples: WHISPER_MIN_SAMPLES,
    macsPerSecond: whisperMacs(c, refSamples, pad) / WHISPER_MACS_REFERENCE_SECONDS,
  };
}

/** The runner's two steps: log10 mel power of mel frames [first, first + count) of a signal ([nMels, count]), and the encoder over Whisper's input [nMels, melFrames] (each layer [T, D]). */
export interface WhisperPasses {
  log10Mel(signal: Float32Array, first: number, count: number): Float32Array;
  encode(input: Float32Array, melFrames: number): Float32Array[] | Promise<Float32Array[]>;
}

/**
 * The backbone of an encoder run by `passes`. `hiddenStates` zero-pads inputs shorter than
 * {@link WHISPER_MIN_SAMPLES}; the log-mel is floored against the maximum of the whole input (as
 * Whisper's transcription does), computed window by window so a long file needs the memory of
 * one 30 s window (plus its log-mel and the output). Gives ⌈⌊S / 160⌋ / 2⌉ frames for S samples
 * in either `pad` mode (see `whisperWindows`).
 */
export function chunkedWhisper(info: BackboneInfo, pad: WhisperPad, passes: WhisperPasses, dispose: () => Promise<void>): Backbone {
  return {
    info,
    async hiddenStates(input: Float32Array): Promise<HiddenStates> {
      const x = input.length >= WHISPER_MIN_SAMPLES ? input : Float32Array.from({ length: WHISPER_MIN_SAMPLES }, (_, i) => input[i] ?? 0);
      const total = paddedLength(x.length, pad);
      const signal = total === x.length ? x : Float32Array.from({ length: total }, (_, i) => x[i] ?? 0);
      const windows = whisperWindows(x.length, pad);
      // The log10 mel of every window first: the floor needs the whole input's maximum.
      let max = Number.NEGATIVE_INFINITY;
      const logs = windows.map((w) => {
        const log = passes.log10Mel(signal, w.melStart, w.melFrames);
        for (const v of log) if (v > max) max = v;
        return log;
      });
      const floor = max - WHISPER_LOG_DYNAMIC_RANGE;
      const frames = windows.reduce((s, w) => s + w.keep, 0);
      const d = info.dims;
      const layers = info.layerDims.map(() => new Float32Array(frames * d));
      let at = 0;
      for (const [i, w] of windows.entries()) {
        const mel = logs[i].map((v) => (Math.max(v, floor) + WHISPER_LOG_OFFSET) / WHISPER_LOG_SCALE);
        const out = await passes.encode(mel, w.melFrames);
        out.forEach((h, l) => layers[l].set(h.subarray(0, w.keep * d), at * d));
        at += w.keep;
      }
      return { frames, layerDims: info.layerDims, layers };
    },
    dispose,
  };
}
