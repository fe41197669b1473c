/**
 * APC and TERA (src/backbones/s3prl) as ONNX graphs over front-end features (the front end runs
 * in TypeScript beside them, src/backbones/s3prl/features.ts, as Whisper's log-mel does):
 *
 * - APC: `features` [1, T, D] and the GRU states to start from `state` [L, 1, H] → every GRU
 *   layer's output `hidden_states` [L, 1, T, H] (residual around all but the first when
 *   configured) and the states after the last frame `state_out` [L, 1, H], so long inputs run
 *   in chunks with the state carried — the same as one pass.
 * - TERA: stacked frames `features` [1, T, D·r] (T ≤ the longest chunk) → the L + 1 hidden states
 *   `hidden_states` [L + 1, 1, T, H]: input projection + sinusoidal positions + LayerNorm, then
 *   post- or pre-LN BERT layers (pre-LN: every state through its own `encoder.LayerNorm.i`).
 */
import { S3PRL_GRAPH_IO, type ApcConfig, type TeraConfig } from '../../backbones/index.js';
import type { StateDict } from '../../tensor-io/index.js';
import { GraphBuilder } from '../onnx/index.js';
import { activation, layerNorm, linear, selfAttention, squeeze, stackedOutput, transpose, weightSource } from '../onnx/layers.js';

/** torch's GRU gate blocks (r, z, n) in ONNX's order (z, r, h). */
const TORCH_TO_ONNX_GRU = [1, 0, 2];
/** Base of TERA's sinusoidal position angles. */
const POSITION_BASE = 10000;

/** Rows of a [3H, ...] torch GRU tensor reordered to ONNX's gate order. */
function gruGates(data: Float32Array): Float32Array {
  const block = data.length / 3;
  const out = new Float32Array(data.length);
  TORCH_TO_ONNX_GRU.forEach((from, to) => out.set(data.subarray(from * block, (from + 1) * block), to * block));
  return out;
}

/** The exported graph of an APC network of config `c` with weights `dict` (engine names). */
export function exportApcGraph(c: ApcConfig, dict: StateDict, label: string): GraphBuilder {
  const w = weightSource(dict, label);
  const g = new GraphBuilder(`${label} (APC)`);
  const L = c.numLayers;
  const H = c.hiddenSize;
  const feats = g.input(S3PRL_GRAPH_IO.features, 'float32', [1, 'frames', c.inputDim]);
  const state = g.input(S3PRL_GRAPH_IO.state, 'float32', [L, 1, H]);
  let x = transpose(g, feats, [1, 0, 2]); // [T, 1, D]
  const outs: string[] = [];
  const lasts: string[] = [];
  for (let i = 0; i < L; i++) {
    const p = `rnn_layers.${i}`;
    const inSize = i === 0 ? c.inputDim : H;
    const W = g.initializer(`${p}.W`, gruGates(w.get(`${p}.weight_ih_l0`).data as Float32Array), [1, 3 * H, inSize]);
    const R = g.initializer(`${p}.R`, gruGates(w.get(`${p}.weight_hh_l0`).data as Float32Array), [1, 3 * H, H]);
    const b = new Float32Array(6 * H);
    b.set(gruGates(w.get(`${p}.bias_ih_l0`).data as Float32Array), 0);
    b.set(gruGates(w.get(`${p}.bias_hh_l0`).data as Float32Array), 3 * H);
    const B = g.initializer(`${p}.B`, b, [1, 6 * H]);
    const h0 = g.node('Slice', [state, g.constant([i]), g.constant([i + 1]), g.constant([0])]);
    const [y, yh] = g.nodeN('GRU', [x, W, R, B, '', h0], 2, { hidden_size: H, linear_before_reset: 1 });
    let out = squeeze(g, y, [1]); // [T, 1, H]
    if (c.residual && i > 0) out = g.node('Add', [out, x]);
    outs.push(transpose(g, out, [1, 0, 2]));
    lasts.push(yh);
    x = out;
  }
  stackedOutput(g, outs, S3PRL_GRAPH_IO.hidden, { frames: 'frames', width: H });
  g.output(g.node('Concat', lasts, { axis: 0 }), S3PRL_GRAPH_IO.stateOut, 'float32', [L, 1, H]);
  return g;
}

/** TERA's sinusoidal positions [frames, size] (sin on even, cos on odd dims). */
function positions(frames: number, size: number): Float32Array {
  const out = new Float32Array(frames * size);
  for (let j = 0; j < size; j++) {
    const rate = POSITION_BASE ** ((2 * Math.floor(j / 2)) / size);
    for (let t = 0; t < frames; t++) out[t * size + j] = j % 2 === 0 ? Math.sin(t / rate) : Math.cos(t / rate);
  }
  return out;
}

/**
 * The exported graph of a TERA network of config `c` (transformer input width `inputDim`) with
 * weights `dict` (engine names, `Transformer.…`), for chunks of at most `maxFrames` frames.
 */
export function exportTeraGraph(c: TeraConfig, inputDim: number, dict: StateDict, maxFrames: number, label: string): GraphBuilder {
  const w = weightSource(dict, label);
  const g = new GraphBuilder(`${label} (TERA)`);
  const H = c.hiddenSize;
  const eps = c.layerNormEps;
  const act = c.hiddenAct === 'swish' ? null : c.hiddenAct;
  const activate = (x: string) => (act ? activation(g, x, act) : g.node('Mul', [x, g.node('Sigmoid', [x])]));
  const feats = g.input(S3PRL_GRAPH_IO.features, 'float32', [1, 'frames', inputDim]);
  const frames = g.node('Shape', [feats], { start: 1, end: 2 });
  const table = g.initializer('positions', positions(maxFrames, H), [maxFrames, H]);
  const pos = g.node('Slice', [table, g.constant([0]), frames, g.constant([0])]);
  const ir = 'Transformer.input_representations';
  let state = layerNorm(g, g.node('Add', [linear(g, feats, w, `${ir}.spec_transform`, 3), pos]), w, `${ir}.LayerNorm`, eps);
  const enc = 'Transformer.encoder';
  const norm = (i: number, s: string) => (c.preLayerNorm ? layerNorm(g, s, w, `${enc}.LayerNorm.${i}`, eps) : s);
  const post = (s: string, prefix: string) => (c.preLayerNorm ? s : layerNorm(g, s, w, `${prefix}.LayerNorm`, eps));
  const pre = (s: string, prefix: string) => (c.preLayerNorm ? layerNorm(g, s, w, `${prefix}.LayerNorm`, eps) : s);
  const outs: string[] = [];
  for (let i = 0; i < c.numLayers; i++) {
    outs.push(norm(i, state));
    const p = `${enc}.layer.${i}`;
    const attn = selfAttention(
      g,
      pre(state, `${p}.attention.output`),
      w,
      `${p}.attention`,
      { query: 'self.query', key: 'self.key', value: 'self.value', out: 'output.dense' },
      { heads: c.numHeads, width: H },
    );
    const a = post(g.node('Add', [attn, state]), `${p}.attention.output`);
    const inner = activate(linear(g, pre(a, `${p}.output`), w, `${p}.intermediate.dense`, 3));
    state = post(g.node('Add', [linear(g, inner, w, `${p}.output.dense`, 3), a]), `${p}.output`);
  }
  outs.push(norm(c.numLayers, state));
  stackedOutput(g, outs, S3PRL_GRAPH_IO.hidden, { frames: 'frames', width: H });
  return g;
}
