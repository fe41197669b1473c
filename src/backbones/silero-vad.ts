/**
 * Silero VAD (v5, 16 kHz ONNX graph) as a speech detector: a speech probability for every
 * 32 ms frame of a signal. The graph is recurrent: each 512-sample frame is fed with the 64
 * samples before it and the state the previous frame left, so frames run one after another.
 */
import type { OrtLike, OrtTensorLike } from './types.js';

export const SILERO_VAD = 'silero-vad';
/** Sample rate (Hz) and frame length (samples) of the 16 kHz graph. */
export const SILERO_SAMPLE_RATE_HZ = 16000;
export const SILERO_FRAME_SAMPLES = 512;
/** Samples of the previous frame fed with each frame. */
const CONTEXT_SAMPLES = 64;
/** Shape of the recurrent state. */
const STATE_SHAPE = [2, 1, 128] as const;

/** A loaded voice-activity detector. */
export interface SpeechDetector {
  /** Samples per probability (at 16 kHz). */
  readonly frameSamples: number;
  /** Speech probability (0–1) of each frame of a 16 kHz signal in [-1, 1]; a partial last frame is zero-padded. */
  speechProbabilities(x: Float32Array): Promise<Float32Array>;
  dispose(): Promise<void>;
}

/** Opens Silero VAD on an ONNX Runtime module from the bytes of its 16 kHz graph. */
export async function openSileroVad(
  ort: OrtLike & { Tensor: new (type: 'int64', data: BigInt64Array, dims: readonly number[]) => OrtTensorLike },
  model: Uint8Array,
  sessionOptions: Record<string, unknown> = {},
): Promise<SpeechDetector> {
  const session = await ort.InferenceSession.create(model, sessionOptions);
  const sr = new ort.Tensor('int64', BigInt64Array.of(BigInt(SILERO_SAMPLE_RATE_HZ)), []);
  return {
    frameSamples: SILERO_FRAME_SAMPLES,
    async speechProbabilities(x: Float32Array): Promise<Float32Array> {
      const frames = Math.ceil(x.length / SILERO_FRAME_SAMPLES);
      const out = new Float32Array(frames);
      let state: OrtTensorLike = new ort.Tensor('float32', new Float32Array(2 * 128), STATE_SHAPE);
      const input = new Float32Array(CONTEXT_SAMPLES + SILERO_FRAME_SAMPLES);
      for (let f = 0; f < frames; f++) {
        // The last 64 samples of the previous frame, then this frame.
        input.copyWithin(0, SILERO_FRAME_SAMPLES, SILERO_FRAME_SAMPLES + CONTEXT_SAMPLES);
        if (f === 0) input.fill(0, 0, CONTEXT_SAMPLES);
        input.fill(0, CONTEXT_SAMPLES);
        input.set(x.subarray(f * SILERO_FRAME_SAMPLES, (f + 1) * SILERO_FRAME_SAMPLES), CONTEXT_SAMPLES);
        const r = await session.run({
          input: new ort.Tensor('float32', input.slice(), [1, input.length]),
          state,
          sr,
        });
        out[f] = (r.output.data as Float32Array)[0];
        state = r.stateN;
      }
      return out;
    },
    async dispose() {
      await session.release?.();
    },
  };
}
