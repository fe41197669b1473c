/**
 * The ONNX graph of a Whisper encoder (eval mode, one window): Whisper's input — the log-mel
 * floored and scaled, [1, nMels, melFrames], computed by the backbone wrapper
 * (src/backbones/whisper/logmel.ts) — → every layer's hidden states [L + 1, 1, frames, D], as
 * the engine encoder computes them (src/backbones/whisper/model.ts).
 */
import { EXPORTED_BACKBONE_OUTPUT, WHISPER_INPUT, type WhisperEncoderConfig } from '../../backbones/index.js';
import type { StateDict } from '../../tensor-io/index.js';
import {
  GraphBuilder,
  layerNorm,
  selfAttention,
  stackedOutput,
  activation,
  conv,
  dimOf,
  linear,
  transpose,
  weightSource,
  type AttentionNames,
} from '../onnx/index.js';

const DIM_MEL_FRAMES = 'mel_frames';
const DIM_FRAMES = 'frames';

/** Whisper's attention projections (openai names). */
const ATTENTION: AttentionNames = { query: 'query', key: 'key', value: 'value', out: 'out' };

/** The graph of an encoder of config `c` with weights `weights` (the engine encoder's state dict, openai names). */
export function exportWhisperGraph(c: WhisperEncoderConfig, weights: StateDict, name: string): GraphBuilder {
  const g = new GraphBuilder(name);
  const w = weightSource(weights, name);
  const mel = g.input(WHISPER_INPUT, 'float32', [1, c.nMels, DIM_MEL_FRAMES]);
  const x1 = activation(g, conv(g, mel, w, 'conv1', { padding: [1] }), 'gelu');
  const x2 = activation(g, conv(g, x1, w, 'conv2', { padding: [1], strides: [2] }), 'gelu');
  let h = transpose(g, x2, [0, 2, 1]);
  // The first T rows of the positional table.
  const positions = g.weight('positional_embedding', w.get('positional_embedding'));
  const rows = g.node('Slice', [positions, g.constant([0]), dimOf(g, h, 1), g.constant([0])]);
  h = g.node('Add', [h, rows]);
  const states = [h];
  for (let l = 0; l < c.layers; l++) {
    const prefix = `blocks.${l}`;
    const a = g.node('Add', [
      h,
      selfAttention(g, layerNorm(g, h, w, `${prefix}.attn_ln`, c.layerNormEps), w, `${prefix}.attn`, ATTENTION, {
        heads: c.heads,
        width: c.width,
      }),
    ]);
    const m = layerNorm(g, a, w, `${prefix}.mlp_ln`, c.layerNormEps);
    h = g.node('Add', [a, linear(g, activation(g, linear(g, m, w, `${prefix}.mlp.0`, 3), 'gelu'), w, `${prefix}.mlp.2`, 3)]);
    states.push(h);
  }
  states[states.length - 1] = layerNorm(g, h, w, 'ln_post', c.layerNormEps);
  stackedOutput(g, states, EXPORTED_BACKBONE_OUTPUT, { frames: DIM_FRAMES, width: c.width });
  return g;
}
