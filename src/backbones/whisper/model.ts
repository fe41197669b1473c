/**
 * The Whisper audio encoder on the engine: conv1 (k3) + GELU, conv2 (k3, stride 2) + GELU over
 * the log-mel, sinusoidal positions, pre-layer-norm residual attention blocks and a final layer
 * norm. The modules carry openai's names (`conv1.weight`, `positional_embedding`,
 * `blocks.0.attn.query.weight`, `blocks.0.mlp.0.weight`, `ln_post.weight`, …), the names every
 * checkpoint format is mapped to (./checkpoint.ts).
 */
import { F, cat, nn, tensor, tidy, type Tensor } from '../../engine/index.js';
import type { WhisperEncoderConfig } from './config.js';
import { WhisperFrontend } from './frontend.js';
import { paddedLength, whisperWindows, type WhisperPad } from './windows.js';

/** Longest timescale of the sinusoidal positions (positions in frames). */
const POSITION_MAX_TIMESCALE = 10000;

/**
 * Whisper's positional table [nCtx, width], row-major: for position t and j < width/2,
 * sin(t·r_j) in column j and cos(t·r_j) in column width/2 + j, with r_j = exp(−j·ln(10000)/(width/2 − 1)).
 * Rounded through float32 where Whisper computes in float32, so it matches the stored tables.
 */
function sinusoidalPositions(nCtx: number, width: number): Float32Array {
  const half = width / 2;
  const step = Math.log(POSITION_MAX_TIMESCALE) / (half - 1);
  const rates = Array.from({ length: half }, (_, j) => Math.fround(Math.exp(Math.fround(-step * j))));
  const out = new Float32Array(nCtx * width);
  for (let t = 0; t < nCtx; t++)
    for (let j = 0; j < half; j++) {
      const angle = Math.fround(t * rates[j]);
      out[t * width + j] = Math.sin(angle);
      out[t * width + half + j] = Math.cos(angle);
    }
  return out;
}

class Attention extends nn.Module {
  readonly query: nn.Linear;
  readonly key: nn.Linear;
  readonly value: nn.Linear;
  readonly out: nn.Linear;
  constructor(
    readonly width: number,
    readonly heads: number,
  ) {
    super();
    this.query = this.module('query', new nn.Linear(width, width));
    this.key = this.module('key', new nn.Linear(width, width, false));
    this.value = this.module('value', new nn.Linear(width, width));
    this.out = this.module('out', new nn.Linear(width, width));
  }
  /** x [B, T, D] → [B, T, D]; softmax(q kᵀ / √(D/heads)) v per head. */
  forward(x: Tensor): Tensor {
    const [b, t] = x.shape;
    // Contiguous heads: a softmax over strided scores is several times slower.
    const split = (l: nn.Linear): Tensor =>
      l
        .forward(x)
        .view([b, t, this.heads, this.width / this.heads])
        .transpose(1, 2)
        .contiguous();
    const [o] = F.scaledDotProductAttention(split(this.query), split(this.key), split(this.value));
    return this.out.forward(o.transpose(1, 2).reshape([b, t, this.width]));
  }
}

class Block extends nn.Module {
  readonly attn: Attention;
  readonly attnLn: nn.LayerNorm;
  readonly mlp: nn.Sequential;
  readonly mlpLn: nn.LayerNorm;
  constructor(c: WhisperEncoderConfig) {
    super();
    this.attn = this.module('attn', new Attention(c.width, c.heads));
    this.attnLn = this.module('attn_ln', new nn.LayerNorm(c.width, c.layerNormEps));
    this.mlp = this.module('mlp', new nn.Sequential(new nn.Linear(c.width, c.ffnDim), nn.GELU(), new nn.Linear(c.ffnDim, c.width)));
    this.mlpLn = this.module('mlp_ln', new nn.LayerNorm(c.width, c.layerNormEps));
  }
  forward(x: Tensor): Tensor {
    const h = x.add(this.attn.forward(this.attnLn.forward(x)));
    return h.add(this.mlp.forward(this.mlpLn.forward(h)));
  }
}

/**
 * The Whisper encoder. `hiddenStates` gives L + 1 tensors [B, T, D]: the blocks' input (after
 * the positions), each block's output, the last with `ln_post` applied — Hugging Face's
 * `output_hidden_states`. The log-mel front end comes with it ({@link WhisperEncoder.frontend}).
 */
export class WhisperEncoder extends nn.Module {
  readonly conv1: nn.Conv1d;
  readonly conv2: nn.Conv1d;
  /** [nCtx, D]: loaded from the checkpoint when it has one, else Whisper's sinusoids. */
  readonly positions: Tensor;
  readonly blocks: readonly Block[];
  readonly lnPost: nn.LayerNorm;
  readonly frontend: WhisperFrontend;
  constructor(readonly config: WhisperEncoderConfig) {
    super();
    const c = config;
    this.conv1 = this.module('conv1', new nn.Conv1d(c.nMels, c.width, 3, { padding: 1 }));
    this.conv2 = this.module('conv2', new nn.Conv1d(c.width, c.width, 3, { stride: 2, padding: 1 }));
    this.positions = this.buffer('positional_embedding', tensor(sinusoidalPositions(c.nCtx, c.width), [c.nCtx, c.width]));
    const blocks = Array.from({ length: c.layers }, () => new Block(c));
    this.blocks = this.module('blocks', new nn.ModuleList(blocks)).items;
    this.lnPost = this.module('ln_post', new nn.LayerNorm(c.width, c.layerNormEps));
    this.frontend = new WhisperFrontend(c.nMels);
    this.eval();
  }

  /**
   * @param mel - log-mel [B, nMels, M] (see {@link WhisperFrontend.logMel}), with ⌈M / 2⌉ ≤ nCtx.
   * @returns L + 1 tensors [B, ⌈M / 2⌉, D]; frame t has position row t.
   */
  hiddenStates(mel: Tensor): Tensor[] {
    const c = this.config;
    if (mel.ndim !== 3 || mel.shape[1] !== c.nMels)
      throw new Error(`whisper encoder: expected a log-mel [B, ${c.nMels}, frames], got [${mel.shape.join(', ')}]`);
    let h = tidy(() => {
      const x = F.gelu(this.conv2.forward(F.gelu(this.conv1.forward(mel)))).transpose(1, 2);
      const t = x.shape[1];
      if (t > c.nCtx) throw new Error(`whisper encoder: ${t} frames exceed its ${c.nCtx} positions (30 s); run longer inputs in windows`);
      return x.add(this.positions.narrow(0, 0, t));
    });
    const out = [h];
    // One scope per block, so only the hidden states outlive it.
    for (const block of this.blocks) {
      const prev = h;
      h = tidy(() => block.forward(prev));
      out.push(h);
    }
    out[out.length - 1] = this.lnPost.forward(h);
    return out;
  }

  /**
   * Hidden states of waveforms [B, S] (or [S]) at 16 kHz, S ≥ WHISPER_MIN_SAMPLES, differentiable
   * through the log-mel (taken over the whole input, as Whisper's transcription does): windows of
   * 30 s without overlap, concatenated (see `whisperWindows` for `pad`).
   * @returns L + 1 tensors [B, ⌈⌊S / 160⌋ / 2⌉, D].
   */
  waveformHiddenStates(wave: Tensor, pad: WhisperPad = 'none'): Tensor[] {
    const x = wave.ndim === 1 ? wave.unsqueeze(0) : wave;
    const samples = x.shape[1];
    const mel = tidy(() => this.frontend.logMel(F.pad(x, [0, paddedLength(samples, pad) - samples])));
    const parts = whisperWindows(samples, pad).map((w) =>
      tidy(() => this.hiddenStates(mel.narrow(2, w.melStart, w.melFrames)).map((h) => h.narrow(1, 0, w.keep))),
    );
    mel.dispose();
    if (parts.length === 1) return parts[0];
    return parts[0].map((_, l) => {
      const joined = cat(
        parts.map((p) => p[l]),
        1,
      );
      for (const p of parts) p[l].dispose();
      return joined;
    });
  }

  override dispose(): void {
    super.dispose();
    this.frontend.dispose();
  }
}
