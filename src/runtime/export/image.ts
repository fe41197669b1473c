/**
 * Exporters of the spectrogram-segment models `alexnet` and `fcn-gap`. The graph takes each
 * utterance's raw features already cut into fixed-length segments, normalizes them, zeroes the
 * frames past the utterance's end (the zero-padded tail of its last segment, as in training),
 * classifies every segment and returns the utterance posterior as the mean of its valid segments'
 * posteriors (src/models/segments.ts), and the mean segment embedding.
 */
import {
  GraphBuilder,
  activation,
  conv,
  dimOf,
  linear,
  maxPool,
  reduceMean,
  reduceSum,
  reshape,
  softmax,
  squeeze,
  transpose,
  unsqueeze,
  weightSource,
  zeroWhere,
  type WeightSource,
} from '../onnx/index.js';
import {
  DIM_BATCH,
  DIM_SEGMENTS,
  INPUT_FEATURES,
  INPUT_LENGTHS,
  OUTPUT_EMBEDDING,
  OUTPUT_PROBS,
  checkNormalizer,
  inputShape,
  normalizeInput,
  num,
  type ExportedGraph,
  type FeatureNormalizer,
  type ModelSnapshot,
} from './common.js';

/** torchvision AlexNet's conv layers (features.0/3/6/8/10): kernel, stride, padding; and whether a 3/2 max-pool follows. */
const CONV_STACK = [
  { index: 0, stride: 4, pad: 2, pool: true },
  { index: 3, stride: 1, pad: 2, pool: true },
  { index: 6, stride: 1, pad: 1, pool: false },
  { index: 8, stride: 1, pad: 1, pool: false },
  { index: 10, stride: 1, pad: 1, pool: true },
] as const;
const POOL_KERNEL = 3;
const POOL_STRIDE = 2;
/** Output side of AlexNet's adaptive average pooling. */
const ADAPTIVE_OUT = 6;
/** classifier indices of alexnet's Linear layers (hidden, hidden, output) and fcn-gap's 1×1 conv. */
const ALEXNET_FC = ['classifier.1', 'classifier.4', 'classifier.6'] as const;
const FCN_CONV = 'classifier.1';

/** Spatial side after the conv stack for an input side `s`. */
function featureSide(w: WeightSource, s: number): number {
  let x = s;
  for (const c of CONV_STACK) {
    const k = w.get(`features.${c.index}.weight`).shape[2];
    x = Math.floor((x + 2 * c.pad - k) / c.stride) + 1;
    if (c.pool) x = Math.floor((x - POOL_KERNEL) / POOL_STRIDE) + 1;
  }
  return x;
}

function features(g: GraphBuilder, w: WeightSource, x: string): string {
  let h = x;
  for (const c of CONV_STACK) {
    h = activation(g, conv(g, h, w, `features.${c.index}`, { strides: [c.stride, c.stride], padding: [c.pad, c.pad] }), 'relu');
    if (c.pool) h = maxPool(g, h, [POOL_KERNEL, POOL_KERNEL], [POOL_STRIDE, POOL_STRIDE]);
  }
  return h;
}

/**
 * Adaptive average pooling [.., inSide, ..] → [.., out, ..] as a matrix P [out, inSide] with
 * P[i, j] = 1/|bin i| for j in bin i = [⌊i·in/out⌋, ⌈(i+1)·in/out⌉) (torch's bins). ONNX has no
 * adaptive pooling op; the input size is fixed by the segment geometry, so the matrix is constant.
 */
function adaptiveMatrix(inSide: number, out: number): Float32Array {
  const p = new Float32Array(out * inSide);
  for (let i = 0; i < out; i++) {
    const start = Math.floor((i * inSide) / out),
      end = Math.ceil(((i + 1) * inSide) / out);
    for (let j = start; j < end; j++) p[i * inSide + j] = 1 / (end - start);
  }
  return p;
}

/**
 * Shared frame: inputs, normalization, frame and segment masks, and the segment-mean of the
 * per-segment posteriors and embeddings produced by `head` on [N·S, C, F, T] images.
 */
function segmentModel(
  s: ModelSnapshot,
  n: FeatureNormalizer | null,
  hop: number,
  head: (g: GraphBuilder, w: WeightSource, img: string) => { logits: string; embedding: string; embedDim: number },
): ExportedGraph {
  const g = new GraphBuilder(s.name);
  const w = weightSource(s.weights, s.name);
  const [c, d, segFrames] = inputShape(s); // [C, F = D, T = segment frames]
  const numClasses = num(s, 'numClasses');
  checkNormalizer(n, d, c);
  const raw = g.input(INPUT_FEATURES, 'float32', [DIM_BATCH, DIM_SEGMENTS, c, segFrames, d]);
  const lengths = g.input(INPUT_LENGTHS, 'int64', [DIM_BATCH]);
  // Frame (s, f) of a segment is frame s·hop + f of the utterance: valid when < lengths.
  const segIdx = g.node('Range', [g.scalar(0, 'int64'), squeeze(g, dimOf(g, raw, 1), [0]), g.scalar(1, 'int64')]);
  const frameIdx = g.node('Add', [
    unsqueeze(g, g.node('Mul', [segIdx, g.scalar(hop, 'int64')]), [1]),
    g.constant(
      Array.from({ length: segFrames }, (_, i) => i),
      'int64',
      [1, segFrames],
    ),
  ]);
  const lens3 = unsqueeze(g, lengths, [1, 2]);
  const frameMask = unsqueeze(g, g.node('Less', [unsqueeze(g, frameIdx, [0]), lens3]), [2, 4]); // [N, S, 1, T, 1]
  const x = zeroWhere(g, normalizeInput(g, raw, n, true), frameMask);
  // Segments per utterance: 1 + ⌈max(0, L − S) / hop⌉.
  const over = g.node('Max', [g.node('Sub', [lengths, g.scalar(segFrames, 'int64')]), g.scalar(0, 'int64')]);
  const needed = g.node('Add', [
    g.node('Div', [g.node('Add', [over, g.scalar(hop - 1, 'int64')]), g.scalar(hop, 'int64')]),
    g.scalar(1, 'int64'),
  ]);
  const count = g.node('Min', [needed, dimOf(g, raw, 1)]); // never more than the segments given
  const segMask = unsqueeze(g, g.node('Less', [unsqueeze(g, segIdx, [0]), unsqueeze(g, count, [1])]), [2]); // [N, S, 1]
  const img = transpose(g, reshape(g, x, [-1, c, segFrames, d]), [0, 1, 3, 2]); // [N·S, C, F, T]
  const out = head(g, w, img);
  const ns = dimOf(g, raw, 0),
    ss = dimOf(g, raw, 1);
  const perUtterance = (v: string, k: number) => {
    const shaped = g.node('Reshape', [v, g.node('Concat', [ns, ss, g.constant([k])], { axis: 0 })]);
    const total = reduceSum(g, zeroWhere(g, shaped, segMask), [1]);
    return g.node('Div', [total, g.node('Cast', [unsqueeze(g, count, [1])], { to: 1 })]);
  };
  g.output(perUtterance(softmax(g, out.logits, 1), numClasses), OUTPUT_PROBS, 'float32', [DIM_BATCH, numClasses]);
  g.output(perUtterance(out.embedding, out.embedDim), OUTPUT_EMBEDDING, 'float32', [DIM_BATCH, out.embedDim]);
  return {
    graph: g,
    outputs: [OUTPUT_PROBS, OUTPUT_EMBEDDING],
    layout: {
      kind: 'image',
      features: [DIM_BATCH, DIM_SEGMENTS, c, segFrames, d],
      lengths: true,
      minFrames: 1,
      segment: { frames: segFrames, hop },
    },
  };
}

/** `alexnet`: features → adaptive average pooling to 6×6 → classifier (embedding: the penultimate FC after ReLU). */
export function exportAlexNet(s: ModelSnapshot, n: FeatureNormalizer | null, hop: number): ExportedGraph {
  const [, f, t] = inputShape(s);
  return segmentModel(s, n, hop, (g, w, img) => {
    const fh = featureSide(w, f),
      fw = featureSide(w, t);
    const h = features(g, w, img);
    const pw = g.initializer('adaptive_pool.time_t', transposeMatrix(adaptiveMatrix(fw, ADAPTIVE_OUT), ADAPTIVE_OUT, fw), [
      fw,
      ADAPTIVE_OUT,
    ]);
    const ph = g.initializer('adaptive_pool.freq', adaptiveMatrix(fh, ADAPTIVE_OUT), [ADAPTIVE_OUT, fh]);
    const pooled = g.node('MatMul', [ph, g.node('MatMul', [h, pw])]); // [N·S, C, 6, 6]
    let v = g.node('Flatten', [pooled], { axis: 1 });
    v = activation(g, linear(g, v, w, ALEXNET_FC[0], 2), 'relu');
    const emb = activation(g, linear(g, v, w, ALEXNET_FC[1], 2), 'relu');
    return { logits: linear(g, emb, w, ALEXNET_FC[2], 2), embedding: emb, embedDim: w.get(`${ALEXNET_FC[1]}.weight`).shape[0] };
  });
}

/** `fcn-gap`: features → 1×1 conv to the classes → global average pooling (embedding: the pooled features). */
export function exportFcnGap(s: ModelSnapshot, n: FeatureNormalizer | null, hop: number): ExportedGraph {
  return segmentModel(s, n, hop, (g, w, img) => {
    const h = features(g, w, img);
    const logits = reduceMean(g, conv(g, h, w, FCN_CONV), [2, 3]);
    return { logits, embedding: reduceMean(g, h, [2, 3]), embedDim: w.get(`${FCN_CONV}.weight`).shape[1] };
  });
}

function transposeMatrix(m: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(m.length);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) out[j * rows + i] = m[i * cols + j];
  return out;
}
