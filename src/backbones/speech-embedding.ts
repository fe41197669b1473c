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
import { onnxParameterCount, withInnerOutputs } from './onnx-info.js';
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

/** Per-window channel means [b × C] of a block output [b, C, H, W] (NCHW). */
function channelMeans(t: { dims: readonly number[]; data: unknown }, b: number, label: string): { dims: number; data: Float32Array } {
  const [n, c, h, w] = t.dims;
  if (t.dims.length !== 4 || n !== b || !(t.data instanceof Float32Array))
    throw new Error(`${label}: unexpected block output [${t.dims.join(', ')}]`);
  const src = t.data;
  const area = h * w;
  const out = new Float32Array(b * c);
  for (let i = 0; i < b * c; i++) {
    let s = 0;
    for (let k = 0; k < area; k++) s += src[i * area + k];
    out[i] = s / area;
  }
  return { dims: c, data: out };
}

/**
 * Opens the speech-embedding backbone on an ONNX Runtime module (`onnxruntime-node` or
 * `onnxruntime-web`) from the two model files' bytes. Its hidden states are the five
 * convolution blocks of the embedding CNN (the output of each block's max-pooling, averaged
 * over its time × frequency map: 24, 48, 72, 96 and 96 channels) and the 96-dim embedding.
 * @param sessionOptions - passed to both sessions (e.g. `{ intraOpNumThreads: 1 }`).
 */
export async function openSpeechEmbedding(
  ort: OrtLike,
  models: SpeechEmbeddingModels,
  sessionOptions: Record<string, unknown> = {},
): Promise<Backbone> {
  const parameters = onnxParameterCount(models.mel, 'melspectrogram.onnx') + onnxParameterCount(models.embedding, 'embedding_model.onnx');
  const inner = withInnerOutputs(models.embedding, 'MaxPool', 'embedding_model.onnx');
  const mel = await ort.InferenceSession.create(models.mel, sessionOptions);
  const embedding = await ort.InferenceSession.create(inner.bytes, sessionOptions);
  const output = embedding.outputNames.find((n) => !inner.names.includes(n))!;
  const per = SE_WINDOW_FRAMES * SE_MEL_BANDS;
  /** Every layer of `b` windows of mel frames: the blocks' channel means, then the embedding. */
  const layersOf = async (batch: Float32Array, b: number): Promise<{ dims: number; data: Float32Array }[]> => {
    const r = await embedding.run({ [embedding.inputNames[0]]: new ort.Tensor('float32', batch, [b, SE_WINDOW_FRAMES, SE_MEL_BANDS, 1]) });
    const e = checkOutput(r[output], SE_EMBEDDING_DIMS, 'speech-embedding embedding graph');
    if (e.length !== b * SE_EMBEDDING_DIMS) throw new Error(`speech-embedding embedding graph: ${e.length} values for ${b} windows`);
    return [...inner.names.map((n) => channelMeans(r[n], b, `speech-embedding block ${n}`)), { dims: SE_EMBEDDING_DIMS, data: e }];
  };
  const layerDims = (await layersOf(new Float32Array(per), 1)).map((l) => l.dims);
  return {
    info: {
      name: SPEECH_EMBEDDING,
      sampleRateHz: SE_SAMPLE_RATE_HZ,
      frameRateHz: SE_FRAME_RATE_HZ,
      dims: SE_EMBEDDING_DIMS,
      layerDims,
      parameters,
      minSamples: SE_MIN_SAMPLES,
    },
    async hiddenStates(x: Float32Array): Promise<HiddenStates> {
      const scaled = new Float32Array(Math.max(x.length, SE_MIN_SAMPLES));
      for (let i = 0; i < x.length; i++) scaled[i] = x[i] * SE_INPUT_SCALE;
      const m = await melFrames(ort, mel, scaled);
      const windows = seWindows(m.length / SE_MEL_BANDS);
      const out = layerDims.map((d) => new Float32Array(windows * d));
      for (let w0 = 0; w0 < windows; w0 += SE_EMBED_BATCH) {
        const b = Math.min(SE_EMBED_BATCH, windows - w0);
        const batch = new Float32Array(b * per);
        for (let j = 0; j < b; j++) {
          const from = (w0 + j) * SE_WINDOW_HOP_FRAMES * SE_MEL_BANDS;
          batch.set(m.subarray(from, from + per), j * per);
        }
        (await layersOf(batch, b)).forEach((l, k) => out[k].set(l.data, w0 * layerDims[k]));
      }
      return { frames: windows, layerDims, layers: out };
    },
    async dispose() {
      await mel.release?.();
      await embedding.release?.();
    },
  };
}
