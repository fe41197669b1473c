/**
 * The wav2vec 2.0 / HuBERT / WavLM network on the engine: a conv feature encoder over the raw 16 kHz
 * waveform, a feature projection, a convolutional positional embedding and a transformer. The
 * modules carry torchaudio's names (`feature_extractor.conv_layers.0.conv.weight`, …), the names
 * every checkpoint format is mapped to (./checkpoint.ts).
 */
import { F, cat, nn, tensor, tidy, zeros, type Tensor } from '../../engine/index.js';
import type { RelativePositionConfig, Wav2Vec2Config } from './config.js';
import { framesFor } from './geometry.js';
import { BiasTable, GATE_OUTPUTS, gateBias, positionBias } from './relative-position.js';

/** Added to the attention scores of padded frames (as torchaudio does; exp underflows to 0). */
const PADDING_SCORE = -10000;

class ConvBlock extends nn.Module {
  readonly conv: nn.Conv1d;
  readonly norm: nn.GroupNorm | nn.LayerNorm | null;
  constructor(inCh: number, outCh: number, kernel: number, stride: number, bias: boolean, norm: 'group' | 'layer' | null) {
    super();
    this.conv = this.module('conv', new nn.Conv1d(inCh, outCh, kernel, { stride, bias }));
    this.norm =
      norm === 'group'
        ? this.module('layer_norm', new nn.GroupNorm(outCh, outCh))
        : norm === 'layer'
          ? this.module('layer_norm', new nn.LayerNorm(outCh))
          : null;
  }
  /** x [B, C, T] → [B, C', T']. */
  forward(x: Tensor): Tensor {
    let h = this.conv.forward(x);
    if (this.norm instanceof nn.LayerNorm) h = this.norm.forward(h.transpose(1, 2)).transpose(1, 2);
    else if (this.norm) h = this.norm.forward(h);
    return F.gelu(h);
  }
}

class FeatureExtractor extends nn.Module {
  readonly blocks: readonly ConvBlock[];
  constructor(c: Wav2Vec2Config) {
    super();
    const blocks = c.convLayers.map(([ch, k, s], i) => {
      const inCh = i === 0 ? 1 : c.convLayers[i - 1][0];
      const norm = c.extractorMode === 'layer_norm' ? 'layer' : i === 0 ? 'group' : null;
      return new ConvBlock(inCh, ch, k, s, c.convBias, norm);
    });
    this.blocks = this.module('conv_layers', new nn.ModuleList(blocks)).items;
  }
  /** Waveforms [B, S] → frames [B, T, C]. Each block's intermediates are freed as it ends (long inputs). */
  forward(x: Tensor): Tensor {
    let h = x.unsqueeze(1);
    for (const b of this.blocks) {
      const prev = h;
      h = tidy(() => b.forward(prev));
      prev.dispose();
    }
    return h.transpose(1, 2);
  }
}

class FeatureProjection extends nn.Module {
  readonly norm: nn.LayerNorm | null;
  readonly projection: nn.Linear;
  constructor(inDim: number, c: Wav2Vec2Config) {
    super();
    this.norm = c.projectionLayerNorm ? this.module('layer_norm', new nn.LayerNorm(inDim, c.layerNormEps)) : null;
    this.projection = this.module('projection', new nn.Linear(inDim, c.embedDim));
  }
  forward(x: Tensor): Tensor {
    return this.projection.forward(this.norm ? this.norm.forward(x) : x);
  }
}

/** The positional conv (its weight-normed kernel merged into one `weight` at load, ./checkpoint.ts). */
class PositionalConv extends nn.Module {
  readonly conv: nn.Conv1d;
  constructor(private readonly c: Wav2Vec2Config) {
    super();
    this.conv = this.module(
      'conv',
      new nn.Conv1d(c.embedDim, c.embedDim, c.posConvKernel, { padding: Math.floor(c.posConvKernel / 2), groups: c.posConvGroups }),
    );
  }
  /** x [B, T, D] → the positional term [B, T, D]. */
  forward(x: Tensor): Tensor {
    let h = this.conv.forward(x.transpose(1, 2));
    // An even kernel with padding k/2 gives one frame too many.
    if (this.c.posConvKernel % 2 === 0) h = h.narrow(2, 0, h.shape[2] - 1);
    return F.gelu(h).transpose(1, 2);
  }
}

/** WavLM's parts of a layer's attention: the bias table (first layer only) and the gate. */
interface RelativeParts {
  table: BiasTable | null;
  gate: { linear: nn.Linear; scale: Tensor } | null;
}

class SelfAttention extends nn.Module {
  readonly q: nn.Linear;
  readonly k: nn.Linear;
  readonly v: nn.Linear;
  readonly out: nn.Linear;
  readonly relative: RelativeParts | null;
  constructor(
    readonly dim: number,
    readonly heads: number,
    rel: RelativePositionConfig | null,
    first: boolean,
  ) {
    super();
    this.k = this.module('k_proj', new nn.Linear(dim, dim));
    this.v = this.module('v_proj', new nn.Linear(dim, dim));
    this.q = this.module('q_proj', new nn.Linear(dim, dim));
    this.out = this.module('out_proj', new nn.Linear(dim, dim));
    this.relative = rel && {
      table: first ? this.module('rel_attn_embed', new BiasTable(rel.numBuckets, heads)) : null,
      gate: rel.gated
        ? {
            linear: this.module('gru_rel_pos_linear', new nn.Linear(dim / heads, GATE_OUTPUTS)),
            scale: this.param('gru_rel_pos_const', tensor(new Float32Array(heads).fill(1), [1, heads, 1, 1])),
          }
        : null,
    };
  }
  /**
   * x [B, T, D]; mask [B, 1, 1, T] (added to the scores) or null; bias [1, H, T, T], WavLM's
   * shared relative position bias (gated here when the layer has a gate), or null.
   */
  forward(x: Tensor, mask: Tensor | null, bias: Tensor | null): Tensor {
    const [b, t] = x.shape;
    const gate = this.relative?.gate;
    const rel = bias && gate ? gateBias(x, gate.linear, gate.scale, bias) : bias;
    const scores = rel && mask ? rel.add(mask) : (rel ?? mask);
    // Contiguous heads: scores of strided inputs come out strided, and the softmax over them is ~6× slower.
    const split = (l: nn.Linear): Tensor =>
      l
        .forward(x)
        .view([b, t, this.heads, this.dim / this.heads])
        .transpose(1, 2)
        .contiguous();
    const [o] = F.scaledDotProductAttention(split(this.q), split(this.k), split(this.v), { mask: scores });
    return this.out.forward(o.transpose(1, 2).reshape([b, t, this.dim]));
  }
}

class FeedForward extends nn.Module {
  readonly up: nn.Linear;
  readonly down: nn.Linear;
  constructor(dim: number, hidden: number) {
    super();
    this.up = this.module('intermediate_dense', new nn.Linear(dim, hidden));
    this.down = this.module('output_dense', new nn.Linear(hidden, dim));
  }
  forward(x: Tensor): Tensor {
    return this.down.forward(F.gelu(this.up.forward(x)));
  }
}

class EncoderLayer extends nn.Module {
  readonly attention: SelfAttention;
  readonly norm: nn.LayerNorm;
  readonly ff: FeedForward;
  readonly finalNorm: nn.LayerNorm;
  constructor(
    private readonly c: Wav2Vec2Config,
    first: boolean,
  ) {
    super();
    this.attention = this.module('attention', new SelfAttention(c.embedDim, c.numHeads, c.relativePosition, first));
    this.norm = this.module('layer_norm', new nn.LayerNorm(c.embedDim, c.layerNormEps));
    this.ff = this.module('feed_forward', new FeedForward(c.embedDim, c.ffnDim));
    this.finalNorm = this.module('final_layer_norm', new nn.LayerNorm(c.embedDim, c.layerNormEps));
  }
  forward(x: Tensor, mask: Tensor | null, bias: Tensor | null): Tensor {
    if (this.c.layerNormFirst) {
      const h = x.add(this.attention.forward(this.norm.forward(x), mask, bias));
      return h.add(this.ff.forward(this.finalNorm.forward(h)));
    }
    const h = this.norm.forward(x.add(this.attention.forward(x, mask, bias)));
    return this.finalNorm.forward(h.add(this.ff.forward(h)));
  }
}

class Transformer extends nn.Module {
  readonly pos: PositionalConv;
  readonly norm: nn.LayerNorm;
  readonly layers: readonly EncoderLayer[];
  constructor(c: Wav2Vec2Config) {
    super();
    this.pos = this.module('pos_conv_embed', new PositionalConv(c));
    this.norm = this.module('layer_norm', new nn.LayerNorm(c.embedDim, c.layerNormEps));
    const layers = Array.from({ length: c.numLayers }, (_, i) => new EncoderLayer(c, i === 0));
    this.layers = this.module('layers', new nn.ModuleList(layers)).items;
  }
}

class Encoder extends nn.Module {
  readonly projection: FeatureProjection;
  readonly transformer: Transformer;
  constructor(inDim: number, c: Wav2Vec2Config) {
    super();
    this.projection = this.module('feature_projection', new FeatureProjection(inDim, c));
    this.transformer = this.module('transformer', new Transformer(c));
  }
}

/**
 * Normalises each waveform of x [B, S] to zero mean and unit variance over its first
 * `samples[i]` samples (all when null), with `eps` added to the variance; padding stays zero.
 */
function normalizeWaveforms(x: Tensor, samples: readonly number[] | null, eps: number): Tensor {
  const [b, s] = x.shape;
  const one = (row: Tensor): Tensor => row.sub(row.mean([1], true)).div(row.var([1], false, true).add(eps).sqrt());
  if (!samples?.some((n) => n < s)) return one(x);
  const rows = samples.map((n, i) => {
    const row = one(x.narrow(0, i, 1).narrow(1, 0, n));
    return n < s ? cat([row, zeros([1, s - n])], 1) : row;
  });
  return b === 1 ? rows[0] : cat(rows, 0);
}

/** Options of {@link Wav2Vec2.hiddenStates}. */
export interface HiddenStateOptions {
  /** Valid samples of each item when the batch is padded (null: none is). Padded frames are zeroed and never attended to. */
  samples?: readonly number[] | null;
  /** The waveforms are already normalised (a caller that normalises a long input once, then runs it in chunks). */
  normalized?: boolean;
}

/**
 * wav2vec 2.0 / HuBERT / WavLM. `hiddenStates` gives L + 1 tensors [B, T, D]: the transformer's
 * input (after the positional term, and its layer norm in a post-LN body), then each layer's
 * output, the last with the final layer norm of a pre-LN body — the hidden states Hugging Face
 * and s3prl expose.
 */
export class Wav2Vec2 extends nn.Module {
  readonly extractor: FeatureExtractor;
  readonly encoder: Encoder;
  constructor(readonly config: Wav2Vec2Config) {
    super();
    this.extractor = this.module('feature_extractor', new FeatureExtractor(config));
    this.encoder = this.module('encoder', new Encoder(config.convLayers[config.convLayers.length - 1][0], config));
    this.eval();
  }

  /**
   * @param x - waveforms [B, S] at 16 kHz in [-1, 1], normalised here when the checkpoint's
   *   training normalised them (`config.waveformNormEps`).
   */
  hiddenStates(x: Tensor, o: HiddenStateOptions = {}): Tensor[] {
    const c = this.config;
    const samples = o.samples ?? null;
    const eps = c.waveformNormEps;
    const wave = eps !== null && !o.normalized ? tidy(() => normalizeWaveforms(x, samples, eps)) : x;
    let h = tidy(() => this.encoder.projection.forward(this.extractor.forward(wave)));
    const [b, t] = h.shape;
    let mask: Tensor | null = null;
    const frames = samples?.map((n) => framesFor(c, n));
    if (frames?.some((n) => n < t)) {
      const pad = new Float32Array(b * t);
      frames.forEach((n, i) => pad.fill(1, i * t + n, (i + 1) * t));
      const padded = tensor(pad, [b, t]);
      h = h.mul(padded.neg().add(1).unsqueeze(2));
      mask = padded.mul(PADDING_SCORE).view([b, 1, 1, t]);
    }
    const tr = this.encoder.transformer;
    const input = h;
    h = tidy(() => {
      const y = input.add(tr.pos.forward(input));
      return c.layerNormFirst ? y : tr.norm.forward(y);
    });
    const out = [h];
    const table = tr.layers[0]?.attention.relative?.table;
    const bias = table && c.relativePosition ? positionBias(table, t, c.relativePosition) : null;
    // One scope per layer, so only the hidden states outlive it (a layer's attention scores are the bulk of its memory).
    for (const layer of tr.layers) {
      const prev = h;
      h = tidy(() => layer.forward(prev, mask, bias));
      out.push(h);
    }
    if (c.layerNormFirst) out[out.length - 1] = tr.norm.forward(h);
    return out;
  }
}
