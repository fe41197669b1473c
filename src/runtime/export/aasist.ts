/**
 * The ONNX graph of AASIST / AASIST-L in eval mode (src/models/aasist), on the spoof-model
 * contract: input `wave` float32 [batch, samples] (16 kHz, clips fitted with fitAasistInput),
 * output `logits` [batch, 2] = [spoof, bona fide].
 *
 * The graph follows the engine's forward pass step by step: the fixed sinc filter bank becomes a
 * Conv initializer (recomputed from the config, as the engine does), the encoder is Conv +
 * BatchNormalization + Selu + MaxPool, graph attention is MatMul/Tanh/Softmax with the
 * temperatures as constants, the node batch norms fold their running statistics into a scale and
 * shift, and graph pooling is TopK on the node scores + GatherElements. Dropout is the identity.
 * The input length is fixed, so every node count (and every top-k size) is a constant. Unlike the
 * engine's eval mode, which encodes one example at a time to bound its memory, the graph runs the
 * whole batch through each operator.
 */
import { isDeepStrictEqual } from 'node:util';
import type { StateDict } from '../../tensor-io/index.js';
import {
  AASIST_SAMPLES,
  AASIST_SAMPLE_RATE_HZ,
  AASIST_CONFIG,
  AASIST_L_CONFIG,
  FRONT_POOL,
  BLOCK_TIME_POOL,
  ENCODER_BLOCKS,
  checkAasistConfig,
  aasistMinSamples,
  pooledNodes,
  readoutDim,
  sincLength,
  spectralNodes,
  temporalNodes,
  type AasistConfig,
} from '../../models/index.js';
import { sincFilterBank } from '../../models/index.js';
import {
  GraphBuilder,
  activation,
  batchNorm,
  batchNormLastAxis,
  conv,
  linear,
  maxPool,
  reduceMax,
  reduceMean,
  reduceSum,
  softmax,
  squeeze,
  topkRows,
  transpose,
  unsqueeze,
  weightSource,
  type WeightSource,
} from '../onnx/index.js';
import { LOGITS_OUTPUT, SPOOF_CLASSES, WAVE_INPUT } from '../spoof-sidecar.js';
import { DIM_BATCH } from './common.js';

/** Paddings of the residual blocks' convolutions (src/models/aasist/encoder.ts): conv1, conv2, skip projection. */
const CONV1_PADDING = [1, 1];
const CONV2_PADDING = [0, 1];
const DOWNSAMPLE_PADDING = [0, 1];
/** Name of a configuration other than the published AASIST and AASIST-L. */
const CUSTOM_NAME = 'AASIST-custom';

/** AASIST weights as the exporter reads them: its config and its (PyTorch-named) state dict. */
export interface AasistSnapshot {
  config: AasistConfig;
  weights: StateDict;
}

/** The AASIST graph and what the sidecar says about it. */
export interface ExportedSpoofGraph {
  graph: GraphBuilder;
  /** Samples per clip (the input's fixed second dim). */
  samples: number;
  outputs: string[];
}

/** AASIST, AASIST-L, or AASIST-custom for any other configuration. */
export function aasistVariantName(c: AasistConfig): string {
  if (isDeepStrictEqual(c, AASIST_CONFIG)) return 'AASIST';
  if (isDeepStrictEqual(c, AASIST_L_CONFIG)) return 'AASIST-L';
  return CUSTOM_NAME;
}

/** x [B, N, D] → [B, N, N, D] with [b, i, j] = xᵢ ⊙ xⱼ (graph-attention.ts pairwiseProducts). */
function pairwiseProducts(g: GraphBuilder, x: string): string {
  return g.node('Mul', [unsqueeze(g, x, [2]), unsqueeze(g, x, [1])]);
}

/** One residual block at `prefix` (encoder.ts ResidualBlock; its unused `bn1` is left out). */
function residualBlock(g: GraphBuilder, w: WeightSource, prefix: string, x: string): string {
  const a = activation(g, batchNorm(g, conv(g, x, w, `${prefix}.conv1`, { padding: CONV1_PADDING }), w, `${prefix}.bn2`), 'selu');
  const b = conv(g, a, w, `${prefix}.conv2`, { padding: CONV2_PADDING });
  const skip = w.has(`${prefix}.conv_downsample.weight`) ? conv(g, x, w, `${prefix}.conv_downsample`, { padding: DOWNSAMPLE_PADDING }) : x;
  return maxPool(g, g.node('Add', [b, skip]), [1, BLOCK_TIME_POOL]);
}

/** Sinc front end, |·|, 3×3 max-pool, BN, SELU, six residual blocks: wave [B, L] → [B, C, spectral nodes, frames]. */
function encode(g: GraphBuilder, w: WeightSource, c: AasistConfig, wave: string): string {
  const length = sincLength(c);
  const bank = g.initializer('conv_time.filters', sincFilterBank(c.sincFilters, length, AASIST_SAMPLE_RATE_HZ), [c.sincFilters, 1, length]);
  const filtered = g.node('Conv', [unsqueeze(g, wave, [1]), bank], {
    kernel_shape: [length],
    strides: [1],
    pads: [0, 0],
    dilations: [1],
    group: 1,
  });
  const pooled = maxPool(g, unsqueeze(g, g.node('Abs', [filtered]), [1]), [FRONT_POOL, FRONT_POOL]);
  let x = activation(g, batchNorm(g, pooled, w, 'first_bn'), 'selu');
  for (let i = 0; i < ENCODER_BLOCKS; i++) x = residualBlock(g, w, `encoder.${i}.0`, x);
  return x;
}

/** Graph attention layer at `prefix` (graph-attention.ts): nodes [B, N, D] → [B, N, out]. */
function graphAttention(g: GraphBuilder, w: WeightSource, prefix: string, x: string, temperature: number): string {
  const hidden = activation(g, linear(g, pairwiseProducts(g, x), w, `${prefix}.att_proj`, 4), 'tanh');
  const scores = squeeze(g, g.node('MatMul', [hidden, g.weight(`${prefix}.att_weight`, w.get(`${prefix}.att_weight`))]), [3]);
  const att = softmax(g, g.node('Div', [scores, g.scalar(temperature)]), 2);
  const y = g.node('Add', [
    linear(g, g.node('MatMul', [att, x]), w, `${prefix}.proj_with_att`, 3),
    linear(g, x, w, `${prefix}.proj_without_att`, 3),
  ]);
  return activation(g, batchNormLastAxis(g, y, w, `${prefix}.bn`), 'selu');
}

/** Graph pooling at `prefix` (pool.ts): nodes scaled by sigmoid scores, the top `k` kept. */
function graphPool(g: GraphBuilder, w: WeightSource, prefix: string, h: string, k: number): string {
  const scores = g.node('Sigmoid', [linear(g, h, w, `${prefix}.proj`, 3)]);
  return topkRows(g, g.node('Mul', [h, scores]), scores, k);
}

/**
 * The edge-type selector of an HS-GAL over n1 + n2 nodes: a one-hot [N, N, 3] choosing, per edge,
 * the score of attention vector 11 (both type 1), 22 (both type 2) or 12 (mixed).
 */
function edgeTypeSelector(n1: number, n2: number): Float32Array {
  const n = n1 + n2;
  const sel = new Float32Array(n * n * 3);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) sel[(i * n + j) * 3 + (i < n1 && j < n1 ? 0 : i >= n1 && j >= n1 ? 1 : 2)] = 1;
  }
  return sel;
}

interface Nodes {
  first: string;
  second: string;
  master: string;
}

/** HS-GAL at `prefix` (hs-gal.ts) over `n1` type-1 and `n2` type-2 nodes and the master node. */
function hsGal(g: GraphBuilder, w: WeightSource, prefix: string, input: Nodes, n1: number, n2: number, temperature: number): Nodes {
  const p = (name: string) => `${prefix}.${name}`;
  const x = g.node('Concat', [linear(g, input.first, w, p('proj_type1'), 3), linear(g, input.second, w, p('proj_type2'), 3)], { axis: 1 });
  const hidden = activation(g, linear(g, pairwiseProducts(g, x), w, p('att_proj'), 4), 'tanh');
  // The three attention vectors side by side [out, 3] (columns 11, 22, 12), as the engine's one product.
  const vectors = ['att_weight11', 'att_weight22', 'att_weight12'].map((k) => w.get(p(k)).data as Float32Array);
  const out = vectors[0].length;
  const stacked = new Float32Array(out * 3);
  for (let r = 0; r < out; r++) vectors.forEach((v, k) => (stacked[r * 3 + k] = v[r]));
  const perType = g.node('MatMul', [hidden, g.initializer(p('att_weight_stacked'), stacked, [out, 3])]); // [B, N, N, 3]
  const selector = g.initializer(p('edge_types'), edgeTypeSelector(n1, n2), [n1 + n2, n1 + n2, 3]);
  const scores = reduceSum(g, g.node('Mul', [perType, selector]), [3]);
  const att = softmax(g, g.node('Div', [scores, g.scalar(temperature)]), 2);
  // Master node: attention over all nodes [B, N, 1] → [B, 1, N].
  const hiddenM = activation(g, linear(g, g.node('Mul', [x, input.master]), w, p('att_projM'), 3), 'tanh');
  const scoresM = g.node('MatMul', [hiddenM, g.weight(p('att_weightM'), w.get(p('att_weightM')))]);
  const attM = transpose(g, softmax(g, g.node('Div', [scoresM, g.scalar(temperature)]), 1), [0, 2, 1]);
  const master = g.node('Add', [
    linear(g, g.node('MatMul', [attM, x]), w, p('proj_with_attM'), 3),
    linear(g, input.master, w, p('proj_without_attM'), 3),
  ]);
  const y = g.node('Add', [linear(g, g.node('MatMul', [att, x]), w, p('proj_with_att'), 3), linear(g, x, w, p('proj_without_att'), 3)]);
  const nodes = activation(g, batchNormLastAxis(g, y, w, p('bn')), 'selu');
  const [first, second] = g.nodeN('Split', [nodes, g.constant([n1, n2])], 2, { axis: 1 });
  return { first, second, master };
}

/** One branch (model.ts `branch`): HS-GAL → pool both node types → HS-GAL, with residuals on all three. */
function branch(
  g: GraphBuilder,
  w: WeightSource,
  c: AasistConfig,
  layers: [string, string],
  pools: [string, string],
  input: Nodes,
  nT: number,
  nS: number,
): Nodes {
  const temperature = c.temperatures[2];
  const a = hsGal(g, w, layers[0], input, nT, nS, temperature);
  const kT = pooledNodes(nT, c.poolRatios[2]);
  const kS = pooledNodes(nS, c.poolRatios[2]);
  const t = graphPool(g, w, pools[0], a.first, kT);
  const s = graphPool(g, w, pools[1], a.second, kS);
  const b = hsGal(g, w, layers[1], { first: t, second: s, master: a.master }, kT, kS, temperature);
  return { first: g.node('Add', [t, b.first]), second: g.node('Add', [s, b.second]), master: g.node('Add', [a.master, b.master]) };
}

/**
 * Builds the eval-mode graph of an AASIST snapshot for clips of `samples` samples (default
 * 64,600 = 4.04 s at 16 kHz). Errors name a missing weight, a bad config, or a too-short input.
 */
export function exportAasistGraph(s: AasistSnapshot, samples: number = AASIST_SAMPLES): ExportedSpoofGraph {
  const c = checkAasistConfig(structuredClone(s.config));
  if (!Number.isInteger(samples) || samples < aasistMinSamples(c)) {
    throw new Error(`AASIST export: the input length must be an integer of at least ${aasistMinSamples(c)} samples, got ${samples}`);
  }
  const name = aasistVariantName(c);
  const g = new GraphBuilder(name);
  const w = weightSource(s.weights, name);
  const wave = g.input(WAVE_INPUT, 'float32', [DIM_BATCH, samples]);
  const e = g.node('Abs', [encode(g, w, c, wave)]); // [B, C, S, T]
  const [tS, tT] = c.temperatures;
  const [rS, rT] = c.poolRatios;
  const nS = spectralNodes(c);
  const nT = temporalNodes(c, samples);
  const spectralIn = g.node('Add', [transpose(g, reduceMax(g, e, [3]), [0, 2, 1]), g.weight('pos_S', w.get('pos_S'))]);
  const kS = pooledNodes(nS, rS);
  const kT = pooledNodes(nT, rT);
  const spectral = graphPool(g, w, 'pool_S', graphAttention(g, w, 'GAT_layer_S', spectralIn, tS), kS);
  const temporal = graphPool(g, w, 'pool_T', graphAttention(g, w, 'GAT_layer_T', transpose(g, reduceMax(g, e, [2]), [0, 2, 1]), tT), kT);
  // The master nodes stay [1, 1, D]: every use broadcasts them over the batch.
  const one = branch(
    g,
    w,
    c,
    ['HtrgGAT_layer_ST11', 'HtrgGAT_layer_ST12'],
    ['pool_hT1', 'pool_hS1'],
    { first: temporal, second: spectral, master: g.weight('master1', w.get('master1')) },
    kT,
    kS,
  );
  const two = branch(
    g,
    w,
    c,
    ['HtrgGAT_layer_ST21', 'HtrgGAT_layer_ST22'],
    ['pool_hT2', 'pool_hS2'],
    { first: temporal, second: spectral, master: g.weight('master2', w.get('master2')) },
    kT,
    kS,
  );
  const t = g.node('Max', [one.first, two.first]);
  const sp = g.node('Max', [one.second, two.second]);
  const master = g.node('Max', [one.master, two.master]);
  const readout = g.node(
    'Concat',
    [
      reduceMax(g, g.node('Abs', [t]), [1]),
      reduceMean(g, t, [1]),
      reduceMax(g, g.node('Abs', [sp]), [1]),
      reduceMean(g, sp, [1]),
      squeeze(g, master, [1]),
    ],
    { axis: 1 },
  );
  const weight = w.get('out_layer.weight');
  if (weight.shape[1] !== readoutDim(c))
    throw new Error(`${name}: out_layer takes ${weight.shape[1]} features, the config gives ${readoutDim(c)}`);
  g.output(linear(g, readout, w, 'out_layer', 2), LOGITS_OUTPUT, 'float32', [DIM_BATCH, SPOOF_CLASSES.length]);
  return { graph: g, samples, outputs: [LOGITS_OUTPUT] };
}
