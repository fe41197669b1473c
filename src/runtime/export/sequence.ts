/**
 * Exporters of the frame models: `trust-ser-cnn` (optional softmax-weighted layer mix, point-wise
 * convolutions, masked mean or attention pooling, MLP head) and the CNN-LSTM family (`cnn-lstm`,
 * `cnn-lstm-att`, `cnn-lstm-att-multitask`: conv3×3 → BatchNorm (running statistics) → ELU/ReLU →
 * max-pool blocks with the valid lengths pooled alongside, a (Bi)LSTM whose backward direction
 * starts at each sequence's last valid step, last/mean/attention pooling, dense head). Padding
 * semantics are those of src/models: padded frames are zeroed before every convolution and
 * excluded from every pooling, so a padded batch gives each utterance's unpadded result.
 */
import {
  GraphBuilder,
  activation,
  attentionPool,
  batchNorm,
  conv,
  dimOf,
  lengthMask,
  linear,
  lstmLayer,
  maskFor,
  maskedMeanPool,
  maxPool,
  reduceSum,
  reshape,
  softmax,
  transpose,
  unsqueeze,
  weightSource,
  zeroWhere,
  type WeightSource,
} from '../onnx/index.js';
import {
  DIM_BATCH,
  DIM_TIME,
  INPUT_FEATURES,
  INPUT_LENGTHS,
  checkNormalizer,
  embeddingOutput,
  field,
  frameInput,
  inputShape,
  normalizeInput,
  num,
  probsOutput,
  type ExportedGraph,
  type FeatureNormalizer,
  type ModelSnapshot,
} from './common.js';

/** Conv kernel of the CNN-LSTM blocks (src/models/cnn-lstm.ts CNN_KERNEL). */
const CNN_KERNEL = 3;
/** Sequential stride of trust-ser-cnn's conv stack (Conv1d, ReLU, Dropout) and head indices. */
const TRUST_CONV_STRIDE = 3;
const TRUST_HEAD_HIDDEN = 'out_layer.0';
const TRUST_HEAD_OUT = 'out_layer.3';
/** Extra heads of the multitask model and their output names. */
const MULTITASK_HEADS = [
  ['gender_head', 'gender_probs'],
  ['race_head', 'race_probs'],
] as const;

/** `trust-ser-cnn` on frames [batch, time, D] or backbone layers [batch, L, time, D]. */
export function exportTrustSerCnn(s: ModelSnapshot, n: FeatureNormalizer | null): ExportedGraph {
  const g = new GraphBuilder(s.name);
  const w = weightSource(s.weights, s.name);
  const shape = inputShape(s);
  const d = shape[shape.length - 1];
  let x: string, mask: string, lengths: string;
  if (shape.length === 2) {
    // layers: mix with softmax(layer_weights) [L] → [1, L, 1, 1], sum over L.
    // The trainer standardises each layer with its own statistics ([L × D], broadcast as [L, 1, D]).
    checkNormalizer(n, d, shape[0]);
    const raw = g.input(INPUT_FEATURES, 'float32', [DIM_BATCH, shape[0], DIM_TIME, d]);
    lengths = g.input(INPUT_LENGTHS, 'int64', [DIM_BATCH]);
    const mix = reshape(g, softmax(g, g.weight('layer_weights', w.get('layer_weights')), 0), [1, shape[0], 1, 1]);
    x = reduceSum(g, g.node('Mul', [normalizeInput(g, raw, n, true), mix]), [1]);
    mask = lengthMask(g, lengths, x, 1);
  } else {
    // The engine zeroes padding frames before the convolutions; they are point-wise and both
    // poolings exclude padding frames, so the output does not depend on them and the graph skips it.
    ({ x, mask, lengths } = frameInput(g, d, n, { zeroPadding: false }));
  }
  // Point-wise Conv1d over [N, D, T] ≡ Gemm over the N·T frames [N·T, D] with the kernel-1 weight
  // [H, D, 1] viewed as [H, D] (Gemm + ReLU fuse in ONNX Runtime).
  let h = reshape(g, x, [-1, d]);
  const hidden = num(s, 'hiddenSize');
  for (let i = 0; i < num(s, 'convLayers'); i++) {
    const key = `conv.${TRUST_CONV_STRIDE * i}`;
    const k = w.get(`${key}.weight`);
    const viewed = new Map([
      [`${key}.weight`, { dtype: k.dtype, shape: k.shape.slice(0, 2), data: k.data }],
      [`${key}.bias`, w.get(`${key}.bias`)],
    ]);
    h = activation(g, linear(g, h, weightSource(viewed, s.name), key, 2), 'relu');
  }
  h = g.node('Reshape', [h, g.node('Concat', [dimOf(g, x, 0), g.constant([-1, hidden])], { axis: 0 })]); // [N, T, H]
  const pooled = field<string>(s, 'pooling') === 'att' ? attentionPool(g, h, mask, w, 'pool') : maskedMeanPool(g, h, mask, lengths);
  const emb = activation(g, linear(g, pooled, w, TRUST_HEAD_HIDDEN, 2), 'relu');
  const outputs = [probsOutput(g, linear(g, emb, w, TRUST_HEAD_OUT, 2), num(s, 'numClasses')), embeddingOutput(g, emb, hidden)];
  const layout: ExportedGraph['layout'] =
    shape.length === 2
      ? { kind: 'layers', features: [DIM_BATCH, shape[0], DIM_TIME, d], lengths: true, minFrames: 1 }
      : { kind: 'frames', features: [DIM_BATCH, DIM_TIME, d], lengths: true, minFrames: 1 };
  return { graph: g, layout, outputs };
}

/** The CNN blocks: [N, T, D] masked frames → [N, T', C·F] sequence and the pooled int64 lengths. */
function cnnBlocks(g: GraphBuilder, s: ModelSnapshot, w: WeightSource, x: string, lengths: string): { seq: string; lengths: string } {
  const channels = field<number[]>(s, 'convChannels');
  const fp = num(s, 'freqPool'),
    tp = num(s, 'timePool');
  const act = field<'relu' | 'elu'>(s, 'activation');
  let img = unsqueeze(g, transpose(g, x, [0, 2, 1]), [1]); // [N, 1, D, T]
  let lens = lengths;
  let freq = inputShape(s)[0];
  channels.forEach((_, i) => {
    const pad = (CNN_KERNEL - 1) / 2;
    const y = batchNorm(g, conv(g, img, w, `cnn.${i}.conv`, { padding: [pad, pad] }), w, `cnn.${i}.bn`);
    // max-pool(act(y)) = act(max-pool(y)) exactly for the monotone ELU/ReLU; pooling first runs
    // the activation on freqPool·timePool times fewer values.
    img = activation(g, maxPool(g, y, [fp, tp]), act);
    // lengths ← max(1, ⌊lengths / timePool⌋); zero the frames past them.
    lens = g.node('Max', [g.node('Div', [lens, g.scalar(tp, 'int64')]), g.scalar(1, 'int64')]);
    img = zeroWhere(g, img, maskFor(g, lengthMask(g, lens, img, 3), 4, 3));
    freq = Math.floor(freq / fp);
  });
  const c = channels[channels.length - 1];
  return { seq: reshape(g, transpose(g, img, [0, 3, 1, 2]), [0, 0, c * freq]), lengths: lens };
}

/**
 * `cnn-lstm`, `cnn-lstm-att` and `cnn-lstm-att-multitask` on frames [batch, time, D]. The
 * multitask model adds `gender_probs` (and `race_probs` when it has a race head) when `heads` is set.
 */
export function exportCnnLstm(s: ModelSnapshot, n: FeatureNormalizer | null, o: { heads?: boolean } = {}): ExportedGraph {
  const g = new GraphBuilder(s.name);
  const w = weightSource(s.weights, s.name);
  const d = inputShape(s)[0];
  const { x, lengths } = frameInput(g, d, n);
  const { seq, lengths: lens } = cnnBlocks(g, s, w, x, lengths);
  const hidden = num(s, 'lstmHidden');
  const bidirectional = field<boolean>(s, 'bidirectional');
  const seqLens = g.node('Cast', [lens], { to: 6 }); // int32, as ONNX LSTM requires
  let y = transpose(g, seq, [1, 0, 2]); // [T', N, C·F]
  let yh = '';
  for (let layer = 0; layer < num(s, 'lstmLayers'); layer++)
    ({ y, yh } = lstmLayer(g, y, seqLens, w, 'lstm', layer, hidden, bidirectional));
  const h = transpose(g, y, [1, 0, 2]); // [N, T', dirs·H]
  const pooling = field<'last' | 'mean' | 'att'>(s, 'pooling');
  const mask = lengthMask(g, lens, h, 1);
  // 'last': Y_h holds the forward state at length−1 and the backward state at step 0 (lastValidStep).
  const pooled =
    pooling === 'att'
      ? attentionPool(g, h, mask, w, 'attention')
      : pooling === 'mean'
        ? maskedMeanPool(g, h, mask, lens)
        : reshape(g, transpose(g, yh, [1, 0, 2]), [0, (bidirectional ? 2 : 1) * hidden]);
  const emb = activation(g, linear(g, pooled, w, 'dense', 2), 'relu');
  const outputs = [probsOutput(g, linear(g, emb, w, 'head', 2), num(s, 'numClasses')), embeddingOutput(g, emb, num(s, 'denseDim'))];
  if (o.heads ?? true) {
    for (const [head, name] of MULTITASK_HEADS) {
      if (!w.has(`${head}.weight`)) continue;
      outputs.push(probsOutput(g, linear(g, emb, w, head, 2), w.get(`${head}.weight`).shape[0], name));
    }
  }
  const minFrames = num(s, 'timePool') ** field<number[]>(s, 'convChannels').length;
  return { graph: g, layout: { kind: 'frames', features: [DIM_BATCH, DIM_TIME, d], lengths: true, minFrames }, outputs };
}
