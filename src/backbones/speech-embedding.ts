/**
 * Google's speech-embedding model (the front end of openWakeWord) as a frozen backbone: a
 * log-mel ONNX graph (32 bands, 10 ms hop, 512-sample window) and an embedding CNN that maps
 * windows of 76 mel frames to 96-dim vectors, one every 8 frames (80 ms, 12.5 Hz).
 *
 * Input scaling follows the model's training: samples at 16-bit integer scale (x · 32768), and
 * the mel output mapped by m / 10 + 2 before the embedding CNN. Fed with samples in [-1, 1] the
 * model still runs but gives worse emotion features (about 3 UA points lower on RAVDESS).
 *
 * Long inputs are processed in chunks of `SE_CHUNK_FRAMES` mel frames (the mel graph is
 * frame-local, so chunk borders change nothing) and windows are embedded in batches, so memory
 * stays flat with the input length.
 */
import { onnxParameterCount } from './onnx-info.js';
import type { Backbone, HiddenStates, OrtLike, OrtSessionLike } from './types.js';

/** Name of the backbone (and of its feature sets' prefix). */
export const SPEECH_EMBEDDING = 'speech-embedding';
/** Input sample rate (Hz). */
export const SE_SAMPLE_RATE_HZ = 16000;
/** Multiplier from [-1, 1] samples to the 16-bit integer scale the model was trained on. */
const SE_INPUT_SCALE = 32768;
/** Mel graph: analysis window and hop (samples). */
const SE_MEL_WINDOW_SAMPLES = 512;
const SE_MEL_HOP_SAMPLES = 160;
/** Mel bands of the mel graph. */
const SE_MEL_BANDS = 32;
/** Mel frames per embedding window, and the hop between windows (frames). */
const SE_WINDOW_FRAMES = 76;
const SE_WINDOW_HOP_FRAMES = 8;
/** Embeddings per second of audio (Hz): one per window hop of 8 × 10 ms. */
export const SE_FRAME_RATE_HZ = SE_SAMPLE_RATE_HZ / (SE_MEL_HOP_SAMPLES * SE_WINDOW_HOP_FRAMES);
/** Width of one embedding. */
export const SE_EMBEDDING_DIMS = 96;
/** Shortest input giving one embedding window (samples, 0.78 s); shorter inputs are zero-padded. */
export const SE_MIN_SAMPLES = SE_MEL_WINDOW_SAMPLES + (SE_WINDOW_FRAMES - 1) * SE_MEL_HOP_SAMPLES;
/** Mel frames computed per mel-graph run (30 s of audio). */
const SE_CHUNK_FRAMES = 3000;
/** Embedding windows per embedding-graph run. */
const SE_EMBED_BATCH = 64;
/** The mel graph's output affine map m → m / SCALE + OFFSET, as openWakeWord applies it. */
const MEL_SCALE = 10;
const MEL_OFFSET = 2;

/** The two model files of the backbone. */
export interface SpeechEmbeddingModels {
  /** `melspectrogram.onnx`. */
  mel: Uint8Array;
  /** `embedding_model.onnx`. */
  embedding: Uint8Array;
}

/** Mel frames the graph gives for `n` samples (no centre padding). */
export function seMelFrames(n: number): number {
  return n < SE_MEL_WINDOW_SAMPLES ? 0 : Math.floor((n - SE_MEL_WINDOW_SAMPLES) / SE_MEL_HOP_SAMPLES) + 1;
}

/** Embedding windows for `frames` mel frames. */
export function seWindows(frames: number): number {
  return frames < SE_WINDOW_FRAMES ? 0 : Math.floor((frames - SE_WINDOW_FRAMES) / SE_WINDOW_HOP_FRAMES) + 1;
}

function checkOutput(t: { dims: readonly number[]; data: unknown }, last: number, label: string): Float32Array {
  if (!(t.data instanceof Float32Array) || t.dims[t.dims.length - 1] !== last)
    throw new Error(`${label}: unexpected output [${t.dims.join(', ')}] (expected float32 with last dim ${last})`);
  return t.data;
}

/** Mel frames [frames × 32] of a signal at integer scale, after the m / 10 + 2 map. */
async function melFrames(ort: OrtLike, session: OrtSessionLike, scaled: Float32Array): Promise<Float32Array> {
  const frames = seMelFrames(scaled.length);
  const out = new Float32Array(frames * SE_MEL_BANDS);
  const overlap = SE_MEL_WINDOW_SAMPLES - SE_MEL_HOP_SAMPLES;
  for (let f0 = 0; f0 < frames; f0 += SE_CHUNK_FRAMES) {
    const n = Math.min(SE_CHUNK_FRAMES, frames - f0);
    const start = f0 * SE_MEL_HOP_SAMPLES;
    const chunk = scaled.slice(start, start + n * SE_MEL_HOP_SAMPLES + overlap);
    const r = await session.run({ [session.inputNames[0]]: new ort.Tensor('float32', chunk, [1, chunk.length]) });
    const m = checkOutput(r[session.outputNames[0]], SE_MEL_BANDS, 'speech-embedding mel graph');
    if (m.length !== n * SE_MEL_BANDS) throw new Error(`speech-embedding mel graph: ${m.length / SE_MEL_BANDS} frames for a chunk of ${n}`);
    for (let i = 0; i < m.length; i++) out[f0 * SE_MEL_BANDS + i] = m[i] / MEL_SCALE + MEL_OFFSET;
  }
  return out;
}

/**
 * Opens the speech-embedding backbone on an ONNX Runtime module (`onnxruntime-node` or
 * `onnxruntime-web`) from the two model files' bytes.
 * @param sessionOptions - passed to both sessions (e.g. `{ intraOpNumThreads: 1 }`).
 */
export async function openSpeechEmbedding(
  ort: OrtLike,
  models: SpeechEmbeddingModels,
  sessionOptions: Record<string, unknown> = {},
): Promise<Backbone> {
  const parameters = onnxParameterCount(models.mel, 'melspectrogram.onnx') + onnxParameterCount(models.embedding, 'embedding_model.onnx');
  const mel = await ort.InferenceSession.create(models.mel, sessionOptions);
  const embedding = await ort.InferenceSession.create(models.embedding, sessionOptions);
  return {
    info: {
      name: SPEECH_EMBEDDING,
      sampleRateHz: SE_SAMPLE_RATE_HZ,
      frameRateHz: SE_FRAME_RATE_HZ,
      dims: SE_EMBEDDING_DIMS,
      layers: 1,
      parameters,
      minSamples: SE_MIN_SAMPLES,
    },
    async hiddenStates(x: Float32Array): Promise<HiddenStates> {
      const scaled = new Float32Array(Math.max(x.length, SE_MIN_SAMPLES));
      for (let i = 0; i < x.length; i++) scaled[i] = x[i] * SE_INPUT_SCALE;
      const m = await melFrames(ort, mel, scaled);
      const windows = seWindows(m.length / SE_MEL_BANDS);
      const out = new Float32Array(windows * SE_EMBEDDING_DIMS);
      const per = SE_WINDOW_FRAMES * SE_MEL_BANDS;
      for (let w0 = 0; w0 < windows; w0 += SE_EMBED_BATCH) {
        const b = Math.min(SE_EMBED_BATCH, windows - w0);
        const batch = new Float32Array(b * per);
        for (let j = 0; j < b; j++) {
          const from = (w0 + j) * SE_WINDOW_HOP_FRAMES * SE_MEL_BANDS;
          batch.set(m.subarray(from, from + per), j * per);
        }
        const r = await embedding.run({
          [embedding.inputNames[0]]: new ort.Tensor('float32', batch, [b, SE_WINDOW_FRAMES, SE_MEL_BANDS, 1]),
        });
        const e = checkOutput(r[embedding.outputNames[0]], SE_EMBEDDING_DIMS, 'speech-embedding embedding graph');
        if (e.length !== b * SE_EMBEDDING_DIMS) throw new Error(`speech-embedding embedding graph: ${e.length} values for ${b} windows`);
        out.set(e, w0 * SE_EMBEDDING_DIMS);
      }
      return { frames: windows, dims: SE_EMBEDDING_DIMS, layers: [out] };
    },
    async dispose() {
      await mel.release?.();
      await embedding.release?.();
    },
  };
}
