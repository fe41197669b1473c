/**
 * The ONNX graph of a wav2vec 2.0 / HuBERT / WavLM backbone (eval mode, one utterance): a
 * waveform [1, samples] (already normalised when the checkpoint needs it — the backbone wrapper
 * does that once per utterance, before chunking) → every layer's hidden states
 * [L + 1, 1, frames, D], as the engine network computes them (src/backbones/wav2vec2/model.ts).
 * WavLM's relative-position buckets are computed in the graph from the frame count, in float32
 * steps as the engine does.
 */
import {
  EXPORTED_BACKBONE_INPUT,
  EXPORTED_BACKBONE_OUTPUT,
  type RelativePositionConfig,
  type Wav2Vec2Config,
} from '../../backbones/index.js';
import type { StateDict } from '../../tensor-io/index.js';
import {
  GraphBuilder,
  layerNorm,
  selfAttention,
  stackedOutput,
  activation,
  conv,
  dimOf,
  float,
  linear,
  reshape,
  squeeze,
  transpose,
  unsqueeze,
  weightSource,
  type AttentionNames,
  type WeightSource,
} from '../onnx/index.js';

/** Symbolic dims. */
const DIM_SAMPLES = 'samples';
const DIM_FRAMES = 'frames';
/** Epsilon of the feature encoder's group norm (torch's default). */
const GROUP_NORM_EPS = 1e-5;
/** Outputs of WavLM's gate projection per head: two gates, each the sum of four. */
const GATE_GROUP = 4;

/** The ungated bias [1, H, T, T] of T = dim 1 of `h` from layer 0's table (see src/backbones/wav2vec2/relative-position.ts). */
function positionBias(g: GraphBuilder, h: string, w: WeightSource, prefix: string, rel: RelativePositionConfig): string {
  const half = rel.numBuckets / 2;
  const exact = half / 2;
  const t = squeeze(g, dimOf(g, h, 1), [0]);
  const steps = g.node('Range', [g.scalar(0, 'int64'), t, g.scalar(1, 'int64')]);
  const offset = g.node('Sub', [unsqueeze(g, steps, [0]), unsqueeze(g, steps, [1])]); // key − query, [T, T]
  const dist = g.node('Abs', [offset]);
  const distF = g.node('Cast', [dist], { to: 1 });
  const logPart = g.node('Mul', [
    g.node('Div', [g.node('Log', [g.node('Div', [distF, g.scalar(exact)])]), g.scalar(Math.log(rel.maxDistance / exact))]),
    g.scalar(half - exact),
  ]);
  // Cast to int64 truncates toward zero, as the engine's Math.trunc; log(0) = −inf only where dist < exact.
  const large = g.node('Min', [
    g.node('Add', [g.node('Cast', [logPart], { to: 7 }), g.scalar(exact, 'int64')]),
    g.scalar(half - 1, 'int64'),
  ]);
  const within = g.node('Where', [g.node('Less', [dist, g.scalar(exact, 'int64')]), dist, large]);
  const side = g.node('Mul', [g.node('Cast', [g.node('Greater', [offset, g.scalar(0, 'int64')])], { to: 7 }), g.scalar(half, 'int64')]);
  const buckets = g.node('Add', [side, within]);
  const table = g.weight(`${prefix}.rel_attn_embed.weight`, w.get(`${prefix}.rel_attn_embed.weight`));
  return unsqueeze(g, transpose(g, g.node('Gather', [table, buckets], { axis: 0 }), [2, 0, 1]), [0]);
}

/** WavLM's gate of one layer applied to the shared bias: x [1, T, D] is the attention's input. */
function gatedBias(g: GraphBuilder, x: string, bias: string, w: WeightSource, prefix: string, h: number, d: number): string {
  const perHead = transpose(g, reshape(g, x, [1, -1, h, d / h]), [0, 2, 1, 3]);
  const proj = linear(g, perHead, w, `${prefix}.gru_rel_pos_linear`, 4);
  const gates = g.node('Sigmoid', [g.node('ReduceSum', [reshape(g, proj, [1, h, -1, 2, GATE_GROUP]), g.constant([-1])], { keepdims: 0 })]);
  const [a, b] = g.nodeN('Split', [gates, g.constant([1, 1])], 2, { axis: 3 });
  const scale = g.weight(`${prefix}.gru_rel_pos_const`, w.get(`${prefix}.gru_rel_pos_const`));
  const gate = g.node('Add', [g.node('Mul', [a, g.node('Sub', [g.node('Mul', [b, scale]), g.scalar(1)])]), g.scalar(2)]);
  return g.node('Mul', [gate, bias]);
}

/** wav2vec 2.0's attention projections (torchaudio names). */
const ATTENTION: AttentionNames = { query: 'q_proj', key: 'k_proj', value: 'v_proj', out: 'out_proj' };

function attention(g: GraphBuilder, x: string, bias: string | null, w: WeightSource, prefix: string, c: Wav2Vec2Config): string {
  const dims = { heads: c.numHeads, width: c.embedDim };
  const scoreBias = bias && c.relativePosition?.gated ? gatedBias(g, x, bias, w, prefix, c.numHeads, c.embedDim) : bias;
  return selfAttention(g, x, w, prefix, ATTENTION, dims, scoreBias);
}

function encoderLayer(g: GraphBuilder, x: string, bias: string | null, w: WeightSource, prefix: string, c: Wav2Vec2Config): string {
  const eps = c.layerNormEps;
  const ff = (y: string): string =>
    linear(
      g,
      activation(g, linear(g, y, w, `${prefix}.feed_forward.intermediate_dense`, 3), 'gelu'),
      w,
      `${prefix}.feed_forward.output_dense`,
      3,
    );
  if (c.layerNormFirst) {
    const h = g.node('Add', [x, attention(g, layerNorm(g, x, w, `${prefix}.layer_norm`, eps), bias, w, `${prefix}.attention`, c)]);
    return g.node('Add', [h, ff(layerNorm(g, h, w, `${prefix}.final_layer_norm`, eps))]);
  }
  const h = layerNorm(g, g.node('Add', [x, attention(g, x, bias, w, `${prefix}.attention`, c)]), w, `${prefix}.layer_norm`, eps);
  return layerNorm(g, g.node('Add', [h, ff(h)]), w, `${prefix}.final_layer_norm`, eps);
}

/** The feature encoder: waveform [1, S] → frames [1, T, C]. */
function featureEncoder(g: GraphBuilder, wave: string, w: WeightSource, c: Wav2Vec2Config): string {
  let h = unsqueeze(g, wave, [1]);
  c.convLayers.forEach(([, , stride], i) => {
    const prefix = `feature_extractor.conv_layers.${i}`;
    h = conv(g, h, w, `${prefix}.conv`, { strides: [stride] });
    if (c.extractorMode === 'layer_norm')
      h = transpose(g, layerNorm(g, transpose(g, h, [0, 2, 1]), w, `${prefix}.layer_norm`, GROUP_NORM_EPS), [0, 2, 1]);
    else if (i === 0) {
      // A group norm with one channel per group is an instance norm.
      const p = (k: string) => g.weight(`${prefix}.layer_norm.${k}`, w.get(`${prefix}.layer_norm.${k}`));
      h = g.node('InstanceNormalization', [h, p('weight'), p('bias')], { epsilon: float(GROUP_NORM_EPS) });
    }
    h = activation(g, h, 'gelu');
  });
  return transpose(g, h, [0, 2, 1]);
}

/**
 * The graph of a network of config `c` with weights `weights` (the engine network's state
 * dict, torchaudio names, positional conv merged).
 */
export function exportWav2Vec2Graph(c: Wav2Vec2Config, weights: StateDict, name: string): GraphBuilder {
  const g = new GraphBuilder(name);
  const w = weightSource(weights, name);
  const wave = g.input(EXPORTED_BACKBONE_INPUT, 'float32', [1, DIM_SAMPLES]);
  let h = featureEncoder(g, wave, w, c);
  if (c.projectionLayerNorm) h = layerNorm(g, h, w, 'encoder.feature_projection.layer_norm', c.layerNormEps);
  h = linear(g, h, w, 'encoder.feature_projection.projection', 3);
  const posPrefix = 'encoder.transformer.pos_conv_embed.conv';
  let pos = conv(g, transpose(g, h, [0, 2, 1]), w, posPrefix, { padding: [Math.floor(c.posConvKernel / 2)], group: c.posConvGroups });
  if (c.posConvKernel % 2 === 0) {
    // An even kernel with padding k/2 gives one frame too many: drop the last.
    pos = g.node('Slice', [pos, g.constant([0]), g.constant([-1]), g.constant([2])]);
  }
  h = g.node('Add', [h, transpose(g, activation(g, pos, 'gelu'), [0, 2, 1])]);
  const finalNorm = (x: string): string => layerNorm(g, x, w, 'encoder.transformer.layer_norm', c.layerNormEps);
  if (!c.layerNormFirst) h = finalNorm(h);
  const bias = c.relativePosition ? positionBias(g, h, w, 'encoder.transformer.layers.0.attention', c.relativePosition) : null;
  const states = [h];
  for (let l = 0; l < c.numLayers; l++) {
    h = encoderLayer(g, h, bias, w, `encoder.transformer.layers.${l}`, c);
    states.push(h);
  }
  if (c.layerNormFirst) states[states.length - 1] = finalNorm(h);
  stackedOutput(g, states, EXPORTED_BACKBONE_OUTPUT, { frames: DIM_FRAMES, width: c.embedDim });
  return g;
}
