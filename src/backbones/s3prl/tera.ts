/**
 * TERA (Liu et al. 2021; s3prl's Mockingjay-family transformer) on the engine, as s3prl v0.4's
 * `upstream/mockingjay/model.py` defines it:
 * - input representations: a Linear over the (stacked) front-end frames plus sinusoidal
 *   positions (sin on even, cos on odd dims, 10000^(2⌊j/2⌋/H)), then a LayerNorm;
 * - BERT layers: self-attention → dense → +residual → LayerNorm, then dense → act (erf GELU,
 *   ReLU or swish) → dense → +residual → LayerNorm (post-LN); or the pre-LN order, where each
 *   sub-block starts with the LayerNorm and every hidden state goes through its own
 *   `encoder.LayerNorm[i]`;
 * - the `SpecHead` (dense → act → LayerNorm → output) that reconstructs the spectrogram, kept
 *   when the checkpoint has it so the network can be pre-trained further.
 * Module names are s3prl's under `Transformer.` and `SpecHead.` (the checkpoint's two entries).
 * Pre-LN checkpoints also carry s3prl's alias names (`attention.LayerNorm` = `attention.output.
 * LayerNorm`, `layer.N.LayerNorm` = `layer.N.output.LayerNorm`); they are one module here.
 */
import { F, nn, stack, tensor, tidy, type Tensor } from '../../engine/index.js';
import type { TeraActivation, TeraConfig } from './config.js';
import { S3prlFrontEnd } from './frontend.js';

/** Added to the attention scores of padded frames (as s3prl does). */
const PADDING_SCORE = -10000;
/** Base of the sinusoidal position angles. */
const POSITION_BASE = 10000;

function activate(x: Tensor, act: TeraActivation): Tensor {
  if (act === 'gelu') return F.gelu(x);
  if (act === 'relu') return x.relu();
  return x.mul(x.sigmoid());
}

/** The sinusoidal positions [T, H] s3prl adds to the projected frames (computed in double). */
function positionEncoding(frames: number, size: number): Float32Array {
  const out = new Float32Array(frames * size);
  for (let j = 0; j < size; j++) {
    const rate = POSITION_BASE ** ((2 * Math.floor(j / 2)) / size);
    for (let t = 0; t < frames; t++) out[t * size + j] = j % 2 === 0 ? Math.sin(t / rate) : Math.cos(t / rate);
  }
  return out;
}

class InputRepresentations extends nn.Module {
  readonly specTransform: nn.Linear;
  readonly norm: nn.LayerNorm;
  constructor(
    inputDim: number,
    private readonly c: TeraConfig,
  ) {
    super();
    this.specTransform = this.module('spec_transform', new nn.Linear(inputDim, c.hiddenSize));
    this.norm = this.module('LayerNorm', new nn.LayerNorm(c.hiddenSize, c.layerNormEps));
  }
  forward(x: Tensor, pos: Tensor): Tensor {
    return F.dropout(this.norm.forward(this.specTransform.forward(x).add(pos)), this.c.hiddenDropout, this.training);
  }
}

class SelfAttention extends nn.Module {
  readonly query: nn.Linear;
  readonly key: nn.Linear;
  readonly value: nn.Linear;
  constructor(private readonly c: TeraConfig) {
    super();
    this.query = this.module('query', new nn.Linear(c.hiddenSize, c.hiddenSize));
    this.key = this.module('key', new nn.Linear(c.hiddenSize, c.hiddenSize));
    this.value = this.module('value', new nn.Linear(c.hiddenSize, c.hiddenSize));
  }
  /** x [B, T, H], mask [B, 1, 1, T] added to the scores, or null. */
  forward(x: Tensor, mask: Tensor | null): Tensor {
    const [b, t, h] = x.shape;
    const heads = this.c.numHeads;
    // Contiguous heads: a softmax over strided scores is several times slower.
    const split = (l: nn.Linear): Tensor =>
      l
        .forward(x)
        .view([b, t, heads, h / heads])
        .transpose(1, 2)
        .contiguous();
    const [o] = F.scaledDotProductAttention(split(this.query), split(this.key), split(this.value), {
      mask,
      dropout: this.c.attentionDropout,
      training: this.training,
    });
    return o.transpose(1, 2).reshape([b, t, h]);
  }
}

/** dense → dropout → + residual → LayerNorm (post-LN only): s3prl's SelfOutput and Output. */
class DenseResidual extends nn.Module {
  readonly dense: nn.Linear;
  readonly norm: nn.LayerNorm;
  constructor(
    inner: number,
    private readonly c: TeraConfig,
  ) {
    super();
    this.dense = this.module('dense', new nn.Linear(inner, c.hiddenSize));
    this.norm = this.module('LayerNorm', new nn.LayerNorm(c.hiddenSize, c.layerNormEps));
  }
  forward(x: Tensor, residual: Tensor): Tensor {
    const y = F.dropout(this.dense.forward(x), this.c.hiddenDropout, this.training).add(residual);
    return this.c.preLayerNorm ? y : this.norm.forward(y);
  }
}

class Attention extends nn.Module {
  readonly self: SelfAttention;
  readonly output: DenseResidual;
  constructor(private readonly c: TeraConfig) {
    super();
    this.self = this.module('self', new SelfAttention(c));
    this.output = this.module('output', new DenseResidual(c.hiddenSize, c));
  }
  forward(x: Tensor, mask: Tensor | null): Tensor {
    return this.output.forward(this.self.forward(this.c.preLayerNorm ? this.output.norm.forward(x) : x, mask), x);
  }
}

class Intermediate extends nn.Module {
  readonly dense: nn.Linear;
  constructor(private readonly c: TeraConfig) {
    super();
    this.dense = this.module('dense', new nn.Linear(c.hiddenSize, c.intermediateSize));
  }
  forward(x: Tensor): Tensor {
    return activate(this.dense.forward(x), this.c.hiddenAct);
  }
}

class Layer extends nn.Module {
  readonly attention: Attention;
  readonly intermediate: Intermediate;
  readonly output: DenseResidual;
  constructor(private readonly c: TeraConfig) {
    super();
    this.attention = this.module('attention', new Attention(c));
    this.intermediate = this.module('intermediate', new Intermediate(c));
    this.output = this.module('output', new DenseResidual(c.intermediateSize, c));
  }
  forward(x: Tensor, mask: Tensor | null): Tensor {
    const a = this.attention.forward(x, mask);
    return this.output.forward(this.intermediate.forward(this.c.preLayerNorm ? this.output.norm.forward(a) : a), a);
  }
}

class Encoder extends nn.Module {
  readonly layers: readonly Layer[];
  /** Pre-LN: one LayerNorm per hidden state (L + 1). */
  readonly norms: readonly nn.LayerNorm[];
  constructor(c: TeraConfig) {
    super();
    this.layers = this.module('layer', new nn.ModuleList(Array.from({ length: c.numLayers }, () => new Layer(c)))).items;
    const norms = c.preLayerNorm ? Array.from({ length: c.numLayers + 1 }, () => new nn.LayerNorm(c.hiddenSize, c.layerNormEps)) : [];
    this.norms = norms.length > 0 ? this.module('LayerNorm', new nn.ModuleList(norms)).items : [];
  }
}

/** s3prl's TransformerModel: the `Transformer` entry of a checkpoint. */
class TeraTransformer extends nn.Module {
  readonly input: InputRepresentations;
  readonly encoder: Encoder;
  constructor(inputDim: number, c: TeraConfig) {
    super();
    this.input = this.module('input_representations', new InputRepresentations(inputDim, c));
    this.encoder = this.module('encoder', new Encoder(c));
  }
}

/** The spectrogram prediction head: dense → act → LayerNorm → output. */
class SpecHead extends nn.Module {
  readonly dense: nn.Linear;
  readonly norm: nn.LayerNorm;
  readonly output: nn.Linear;
  constructor(
    outputDim: number,
    private readonly c: TeraConfig,
  ) {
    super();
    this.dense = this.module('dense', new nn.Linear(c.hiddenSize, c.hiddenSize));
    this.norm = this.module('LayerNorm', new nn.LayerNorm(c.hiddenSize, c.layerNormEps));
    this.output = this.module('output', new nn.Linear(c.hiddenSize, outputDim));
  }
  forward(h: Tensor): Tensor {
    return this.output.forward(this.norm.forward(activate(this.dense.forward(h), this.c.hiddenAct)));
  }
}

/**
 * A TERA network with its front end. `hiddenStates` gives what s3prl's upstream returns:
 * L + 1 states, the encoder's input (the input representations) then each layer's output; in a
 * pre-LN body each through its own layer norm.
 */
export class Tera extends nn.Module {
  readonly frontEnd: S3prlFrontEnd;
  readonly transformer: TeraTransformer;
  readonly specHead: SpecHead | null;
  /** Width of the transformer's input: the front end's D × the downsample rate. */
  readonly inputDim: number;

  /** @param specHeadDim - output width of the checkpoint's SpecHead, or null when it has none. */
  constructor(
    readonly config: TeraConfig,
    specHeadDim: number | null,
  ) {
    super();
    this.frontEnd = new S3prlFrontEnd(config.frontEnd, config.downsampleRate);
    this.inputDim = this.frontEnd.dims * config.downsampleRate;
    this.transformer = this.module('Transformer', new TeraTransformer(this.inputDim, config));
    this.specHead = specHeadDim === null ? null : this.module('SpecHead', new SpecHead(specHeadDim, config));
    this.eval();
  }

  /** Parameters the hidden states use (the transformer; not the SpecHead). */
  encoderParameters(): number {
    return this.transformer.numParameters();
  }

  /** Front-end frames [T, D] → transformer frames [⌊T / r⌋, D·r]: r consecutive frames side by side, the rest dropped. */
  stackFrames(feats: Tensor): Tensor {
    const r = this.config.downsampleRate;
    if (r === 1) return feats;
    const [t, d] = feats.shape;
    const n = Math.floor(t / r);
    return feats.narrow(0, 0, n * r).reshape([n, d * r]);
  }

  /** Transformer frames of waveforms [B, S] (or one [S]) → [B, T', D·r], the front end run on each row. */
  features(wave: Tensor): Tensor {
    const one = (w: Tensor): Tensor => tidy(() => this.stackFrames(this.frontEnd.forward(w)));
    if (wave.ndim === 1) return one(wave).unsqueeze(0);
    const rows = Array.from({ length: wave.shape[0] }, (_, b) => one(wave.select(0, b)));
    const out = stack(rows, 0);
    for (const r of rows) r.dispose();
    return out;
  }

  /**
   * Hidden states of transformer frames x [B, T, D·r] in one pass: L + 1 tensors [B, T, H]. Each
   * layer runs in its own scope, so only the hidden states outlive it.
   * @param frames - valid frames of each item, or null when none is padded (padding is never attended to).
   */
  forwardFrames(x: Tensor, frames: readonly number[] | null = null): Tensor[] {
    const [b, t] = x.shape;
    const h = this.config.hiddenSize;
    let mask: Tensor | null = null;
    if (frames?.some((n) => n < t)) {
      const pad = new Float32Array(b * t);
      frames.forEach((n, i) => pad.fill(PADDING_SCORE, i * t + n, (i + 1) * t));
      mask = tensor(pad, [b, 1, 1, t]);
    }
    let state = tidy(() => this.transformer.input.forward(x, tensor(positionEncoding(t, h), [1, t, h])));
    const enc = this.transformer.encoder;
    const norm = (i: number, s: Tensor): Tensor => (this.config.preLayerNorm ? tidy(() => enc.norms[i].forward(s)) : s);
    const out: Tensor[] = [];
    enc.layers.forEach((layer, i) => {
      const prev = state;
      out.push(norm(i, prev));
      state = tidy(() => layer.forward(prev, mask));
      if (this.config.preLayerNorm) prev.dispose();
    });
    out.push(norm(enc.layers.length, state));
    if (this.config.preLayerNorm) state.dispose();
    mask?.dispose();
    return out;
  }

  /** Hidden states of waveforms [B, S] at 16 kHz in one pass (no chunking; differentiable). */
  hiddenStates(wave: Tensor): Tensor[] {
    const x = this.features(wave);
    const out = this.forwardFrames(x);
    x.dispose();
    return out;
  }

  /**
   * The SpecHead's reconstruction [B, T, ·] of the (stacked) input frames from the last hidden state.
   * @throws Error when the checkpoint had no SpecHead.
   */
  predict(last: Tensor): Tensor {
    if (!this.specHead) throw new Error('this TERA checkpoint has no SpecHead (the spectrogram prediction head)');
    return this.specHead.forward(last);
  }

  override dispose(): void {
    super.dispose();
    this.frontEnd.dispose();
  }
}
