/**
 * Exporters of the models on utterance functionals (vector input [batch, D]): `mlp`
 * (Linear → activation per hidden layer, dropout = identity in eval) and the linear classifiers
 * `linear-svm` and `logreg` (one Linear; the embedding is the normalized input, as their `embed`),
 * and `gated-logreg` (two Linears and the gate between them).
 */
import { GraphBuilder, activation, linear, reduceMean, weightSource, type Activation } from '../onnx/index.js';
import {
  DIM_BATCH,
  INPUT_FEATURES,
  checkNormalizer,
  embeddingOutput,
  field,
  inputShape,
  normalizeInput,
  probsOutput,
  type ExportedGraph,
  type FeatureNormalizer,
  type ModelSnapshot,
} from './common.js';

function vectorInput(g: GraphBuilder, s: ModelSnapshot, n: FeatureNormalizer | null): { x: string; d: number } {
  const [d] = inputShape(s);
  checkNormalizer(n, d);
  const raw = g.input(INPUT_FEATURES, 'float32', [DIM_BATCH, d]);
  return { x: normalizeInput(g, raw, n, false), d };
}

function layout(d: number): ExportedGraph['layout'] {
  return { kind: 'vector', features: [DIM_BATCH, d], lengths: false, minFrames: 1 };
}

/** `mlp`: parameters `net.{0,3,…}` (hidden Linear layers) and `head`. */
export function exportMlp(s: ModelSnapshot, n: FeatureNormalizer | null): ExportedGraph {
  const g = new GraphBuilder(s.name);
  const w = weightSource(s.weights, s.name);
  const { x, d } = vectorInput(g, s, n);
  const hidden = field<number[]>(s, 'hiddenDims');
  const act = field<Activation>(s, 'activation');
  let h = x;
  // Each hidden layer is Sequential entries Linear, activation, Dropout: indices 3i, 3i+1, 3i+2.
  const LAYER_STRIDE = 3;
  hidden.forEach((_, i) => {
    h = activation(g, linear(g, h, w, `net.${LAYER_STRIDE * i}`, 2), act);
  });
  const numClasses = field<number>(s, 'numClasses');
  const outputs = [probsOutput(g, linear(g, h, w, 'head', 2), numClasses), embeddingOutput(g, h, hidden[hidden.length - 1])];
  return { graph: g, layout: layout(d), outputs };
}

/** `linear-svm` / `logreg`: parameters `linear.*`; probabilities are the softmax of the scores. */
export function exportLinear(s: ModelSnapshot, n: FeatureNormalizer | null): ExportedGraph {
  const g = new GraphBuilder(s.name);
  const w = weightSource(s.weights, s.name);
  const { x, d } = vectorInput(g, s, n);
  const numClasses = field<number>(s, 'numClasses');
  const outputs = [probsOutput(g, linear(g, x, w, 'linear', 2), numClasses), embeddingOutput(g, x, d)];
  return { graph: g, layout: layout(d), outputs };
}

/**
 * `gated-logreg`: heads `robust.*` (the first `robustDims` inputs) and `full.*`, and the gate: the
 * robust head's scores where the mean squared (normalized) backbone input exceeds `gateThreshold`.
 */
export function exportGatedLinear(s: ModelSnapshot, n: FeatureNormalizer | null): ExportedGraph {
  const g = new GraphBuilder(s.name);
  const w = weightSource(s.weights, s.name);
  const { x, d } = vectorInput(g, s, n);
  const r = field<number>(s, 'robustDims');
  const numClasses = field<number>(s, 'numClasses');
  const FEATURE_AXIS = 1;
  const part = (from: number, to: number) => g.node('Slice', [x, g.constant([from]), g.constant([to]), g.constant([FEATURE_AXIS])]);
  const robust = linear(g, part(0, r), w, 'robust', 2);
  const full = linear(g, x, w, 'full', 2);
  const backbone = part(r, d);
  const shift = reduceMean(g, g.node('Mul', [backbone, backbone]), [FEATURE_AXIS], true);
  const closed = g.node('Greater', [shift, g.weight('gateThreshold', w.get('gateThreshold'))]);
  const scores = g.node('Where', [closed, robust, full]);
  const outputs = [probsOutput(g, scores, numClasses), embeddingOutput(g, x, d)];
  return { graph: g, layout: layout(d), outputs };
}
