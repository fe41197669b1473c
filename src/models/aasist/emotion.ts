/**
 * Emotion-aware AASIST: the anti-spoofing readout embedding h [B, D] (D = 5·gatDims[1]) is
 * conditioned on an emotion embedding e [B, E] from a trained SER model. Modes:
 *
 * - `concat`: logits = Linear([dropout(h); e]) → 2 (`head`).
 * - `film`:   h' = γ(e) ⊙ h + β(e), with γ(e) = W_γ e + b_γ and β(e) = W_β e + b_β (`film_gamma`,
 *             `film_beta`, each Linear(E → D)); logits = AASIST's own head on h'.
 * - `gfilm`:  h' = h + g(e) ⊙ (γ(e) ⊙ h + β(e) − h), with the per-feature gate g(e) = sigmoid(W_g e + b_g)
 *             (`film_gate`, Linear(E → D)); logits = AASIST's own head on h'.
 *
 * Every mode starts as the wrapped AASIST: W_γ = W_β = 0, b_γ = 1, b_β = 0 make FiLM the identity
 * (and gated FiLM too, whatever the gate), and the concat head starts as a copy of AASIST's
 * `out_layer` with zero weights on e. (At that start the gate's own gradient is zero, since the
 * FiLM update it gates is zero; it becomes non-zero once γ or β has moved.)
 * The wrapped model is the child `aasist`, so an AASIST state dict loads into `model.aasist`.
 */
import { cat, nn, noGrad, tidy, type Tensor } from '../../engine/index.js';
import { AASIST_CONFIG, type AasistConfig } from './config.js';
import { Aasist, type AasistOptions } from './model.js';
import { loadAasistWeights } from './weights.js';

/** How the emotion embedding enters the anti-spoofing head. */
export type EmotionConditioning = 'concat' | 'film' | 'gfilm';
export const EMOTION_CONDITIONING_MODES: readonly EmotionConditioning[] = ['concat', 'film', 'gfilm'];
/** Output classes: spoof, bona fide. */
const NUM_CLASSES = 2;

export interface AasistEmotionOptions {
  mode: EmotionConditioning;
  /** Width E of the emotion embeddings (the SER model's `embedDim`). */
  emotionDim: number;
  /**
   * The AASIST to wrap (adopted, not copied; load its weights before wrapping so the concat head
   * copies the trained `out_layer`), or the config of a fresh one (default {@link AASIST_CONFIG}).
   */
  aasist?: Aasist | AasistConfig;
  /** Options for a fresh AASIST. */
  aasistOptions?: AasistOptions;
}

/** Logits and the (conditioned) embedding they were computed from. */
export interface AasistEmotionOutput {
  /** [B, 2] = [spoof, bona fide] */
  logits: Tensor;
  /** AASIST's readout embedding h [B, D] (concat), or the conditioned h' (film, gfilm). */
  embedding: Tensor;
}

/** AASIST conditioned on emotion embeddings. `forward(wave [B, samples], emotion [B, E])` → logits [B, 2]. */
export class AasistEmotion extends nn.Module {
  readonly mode: EmotionConditioning;
  readonly emotionDim: number;
  readonly aasist: Aasist;
  /** `concat` only: Linear(D + E → 2). */
  readonly head: nn.Linear | null = null;
  /** `film`/`gfilm`: γ(e) and β(e), Linear(E → D). */
  readonly filmGamma: nn.Linear | null = null;
  readonly filmBeta: nn.Linear | null = null;
  /** `gfilm` only: the gate's logits, Linear(E → D). */
  readonly filmGate: nn.Linear | null = null;

  constructor(o: AasistEmotionOptions) {
    super();
    if (!EMOTION_CONDITIONING_MODES.includes(o.mode)) {
      throw new Error(`AasistEmotion: mode must be one of ${EMOTION_CONDITIONING_MODES.join(', ')}, got '${String(o.mode)}'`);
    }
    if (!Number.isInteger(o.emotionDim) || o.emotionDim < 1)
      throw new Error(`AasistEmotion: emotionDim must be a positive integer, got ${o.emotionDim}`);
    this.mode = o.mode;
    this.emotionDim = o.emotionDim;
    const base = o.aasist instanceof Aasist ? o.aasist : new Aasist(o.aasist ?? AASIST_CONFIG, o.aasistOptions);
    this.aasist = this.module('aasist', base);
    const d = base.embedDim;
    if (o.mode === 'concat') {
      this.head = this.module('head', new nn.Linear(d + o.emotionDim, NUM_CLASSES));
      const head = this.head;
      noGrad(() =>
        tidy(() => {
          head.weight.zero_();
          head.weight.narrow(1, 0, d).copy_(base.outLayer.weight);
          head.bias!.copy_(base.outLayer.bias!);
        }),
      );
      return;
    }
    this.filmGamma = this.module('film_gamma', identityFilm(o.emotionDim, d, 1));
    this.filmBeta = this.module('film_beta', identityFilm(o.emotionDim, d, 0));
    if (o.mode === 'gfilm') this.filmGate = this.module('film_gate', new nn.Linear(o.emotionDim, d));
  }

  /** Wraps the AASIST / AASIST-L weights in `path` (see {@link loadAasistWeights}); returned in eval mode. */
  static fromPretrained(path: string, o: Omit<AasistEmotionOptions, 'aasist'>): AasistEmotion {
    return new AasistEmotion({ ...o, aasist: loadAasistWeights(path, o.aasistOptions) }).eval();
  }

  /** Logits [B, 2] = [spoof, bona fide]. */
  forward(wave: Tensor, emotion: Tensor): Tensor {
    return this.forwardWithEmbedding(wave, emotion).logits;
  }

  forwardWithEmbedding(wave: Tensor, emotion: Tensor): AasistEmotionOutput {
    this.checkEmotion(emotion, wave.shape[0]);
    const h = this.aasist.embed(wave);
    if (this.head) {
      return { logits: this.head.forward(cat([this.aasist.drop.forward(h), emotion], 1)), embedding: h };
    }
    const conditioned = this.condition(h, emotion);
    return { logits: this.aasist.classify(conditioned), embedding: conditioned };
  }

  /** FiLM / gated FiLM of a readout embedding h [B, D] by e [B, E] (film and gfilm modes). */
  condition(h: Tensor, emotion: Tensor): Tensor {
    if (!this.filmGamma || !this.filmBeta)
      throw new Error(`AasistEmotion: condition() needs mode film or gfilm, this model is '${this.mode}'`);
    const film = this.filmGamma.forward(emotion).mul(h).add(this.filmBeta.forward(emotion));
    if (!this.filmGate) return film;
    const gate = this.filmGate.forward(emotion).sigmoid();
    return h.add(gate.mul(film.sub(h)));
  }

  /** The parameters added by the conditioning (to fine-tune them alone, AASIST frozen). */
  conditioningParameters(): Tensor[] {
    return [this.head, this.filmGamma, this.filmBeta, this.filmGate].flatMap((m) => (m ? m.parameters() : []));
  }

  private checkEmotion(emotion: Tensor, batch: number): void {
    if (emotion.ndim !== 2 || emotion.dtype !== 'float32' || emotion.shape[0] !== batch || emotion.shape[1] !== this.emotionDim) {
      throw new Error(
        `AasistEmotion: expected float32 emotion embeddings [${batch}, ${this.emotionDim}], got ${emotion.dtype}[${emotion.shape.join(', ')}]`,
      );
    }
  }
}

/** Linear(E → D) that outputs `value` everywhere at initialization (zero weight, constant bias). */
function identityFilm(inDim: number, outDim: number, value: number): nn.Linear {
  const layer = new nn.Linear(inDim, outDim);
  noGrad(() => {
    layer.weight.zero_();
    layer.bias!.fill_(value);
  });
  return layer;
}
