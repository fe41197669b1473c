/**
 * `gated-logreg`: two logistic regressions on one fused feature vector and a gate between them.
 *
 * The first `robustDims` inputs are features that transfer across corpora and channels (e.g.
 * egemaps-mel); the rest come from a frozen backbone (e.g. speech-embedding statistics), which
 * lift in-corpus accuracy but shift far off their training distribution on audio recorded
 * elsewhere (bench:corpus-shift: 3–5× a new speaker's shift), where a model that relies on them
 * falls to chance. The `full` head sees every input, the `robust` head only the first group. Per
 * utterance, the gate measures the backbone group's shift — the mean of its squared z-scores
 * (inputs are standardized by the trainer with training statistics) — and answers with the
 * robust head when the shift exceeds a threshold: the `gateQuantile` of the shifts of unseen
 * speakers (the dev set) or of the augmented training copies, whichever is higher
 * ({@link GatedLogisticRegression.fitOnDevInputs}). Deployable: the gate
 * uses the utterance itself and training/dev statistics only.
 *
 * Training: each utterance of a batch is answered by one head drawn at random (probability
 * {@link TRAIN_ROBUST_SHARE}), so each head learns the whole task alone, on its share of the
 * batches; the scores are `[N, C]` in both modes, so every training option (mixup, stability
 * training, class weights) applies unchanged.
 */
import { z } from 'zod';
import { nn, rand, tensor, tidy, where, type Tensor } from '../../engine/index.js';
import { SerModelBase, fail, lossConfigShape, positiveInt, type LossOptions } from './base.js';
import { linearMacs } from '../complexity.js';

export const GATED_LOGREG = 'gated-logreg';
/** Probability that the robust head answers a training utterance. */
const TRAIN_ROBUST_SHARE = 0.5;
/** Share of unseen-speaker (dev) utterances the full head keeps by default. */
export const DEFAULT_GATE_QUANTILE = 0.99;

export interface GatedLogregConfig extends LossOptions {
  /** Leading input dims the robust head takes (a run fills it in with the first fused part's width). */
  robustDims?: number;
  /** Quantile of the dev utterances' (or augmented copies') backbone shift above which the robust head answers, in (0, 1]. */
  gateQuantile?: number;
}
export const gatedLogregConfigSchema: z.ZodType<GatedLogregConfig> = z.strictObject({
  ...lossConfigShape,
  robustDims: z.number().int().positive().optional(),
  gateQuantile: z.number().gt(0).max(1).optional(),
});

export class GatedLogisticRegression extends SerModelBase {
  readonly inputKind = 'vector' as const;
  readonly embedDim: number;
  readonly robustDims: number;
  readonly gateQuantile: number;
  readonly robust: nn.Linear;
  readonly full: nn.Linear;
  /** `gateThreshold` [1]: the backbone shift above which the robust head answers (+∞ until fitted: the full head always). */
  readonly threshold: Tensor;

  constructor(inputDim: number, numClasses: number, c: GatedLogregConfig = {}) {
    super(GATED_LOGREG, numClasses, [inputDim], c);
    positiveInt(GATED_LOGREG, 'inputDim', inputDim);
    if (c.robustDims === undefined)
      fail(GATED_LOGREG, 'robustDims is required: the number of leading inputs that transfer (a run sets it from its fused feature set)');
    this.robustDims = positiveInt(GATED_LOGREG, 'robustDims', c.robustDims);
    if (this.robustDims >= inputDim)
      fail(
        GATED_LOGREG,
        `robustDims (${this.robustDims}) must be below the input width ${inputDim}: the gate needs backbone inputs after them`,
      );
    this.gateQuantile = c.gateQuantile ?? DEFAULT_GATE_QUANTILE;
    if (!(this.gateQuantile > 0 && this.gateQuantile <= 1)) fail(GATED_LOGREG, `gateQuantile must be in (0, 1], got ${c.gateQuantile}`);
    this.robust = this.module('robust', new nn.Linear(this.robustDims, numClasses));
    this.full = this.module('full', new nn.Linear(inputDim, numClasses));
    this.threshold = this.buffer('gateThreshold', tensor(Float32Array.of(Infinity)));
    this.embedDim = inputDim;
  }

  embed(x: Tensor): Tensor {
    this.checkInput(x);
    return x;
  }

  /** Per utterance [N]: the mean squared z-score of the backbone inputs (dims from `robustDims` on). */
  shift(x: Tensor): Tensor {
    this.checkInput(x);
    return x
      .narrow(1, this.robustDims, this.inputShape[0] - this.robustDims)
      .square()
      .mean(1);
  }

  /** Per utterance [N], true where the robust head answers. */
  closed(x: Tensor): Tensor {
    return this.shift(x).gt(this.threshold);
  }

  forward(x: Tensor): Tensor {
    const r = this.robust.forward(this.embed(x).narrow(1, 0, this.robustDims));
    const f = this.full.forward(x);
    const useRobust = this.training ? rand([x.shape[0]]).lt(TRAIN_ROBUST_SHARE) : this.closed(x);
    return where(useRobust.unsqueeze(1), r, f);
  }

  /**
   * Sets the gate's threshold to the `gateQuantile` of the backbone shifts of `dev` [N, D]
   * (standardized inputs of utterances by speakers the model does not train on), or of
   * `augmented` (the augmented training copies: channels the full head has learned) when that is
   * higher — so noise and codecs the model trained with do not close the gate, other recordings do.
   * @throws Error when `dev` holds no utterance.
   */
  fitOnDevInputs(dev: Tensor, augmented: Tensor | null = null): void {
    if (dev.shape[0] === 0) fail(GATED_LOGREG, 'the gate needs at least one utterance to fit its threshold on');
    const quantile = (x: Tensor) => {
      const shifts = tidy(() => Float32Array.from(this.shift(x).toArray() as Float32Array)).sort();
      return shifts[Math.max(0, Math.min(shifts.length - 1, Math.ceil(this.gateQuantile * shifts.length) - 1))];
    };
    const threshold = Math.max(quantile(dev), augmented && augmented.shape[0] > 0 ? quantile(augmented) : Number.NEGATIVE_INFINITY);
    tidy(() => {
      this.threshold.copy_(tensor(Float32Array.of(threshold)));
    });
  }

  macs(shape: readonly number[]): number {
    if (shape.length !== 1 || shape[0] !== this.inputShape[0])
      fail(this.modelName, `macs: expected an example shape [${this.inputShape[0]}], got [${shape.join(', ')}]`);
    return linearMacs(this.robust) + linearMacs(this.full) + (this.inputShape[0] - this.robustDims);
  }

  protected config(): Record<string, unknown> {
    return { robustDims: this.robustDims, gateQuantile: this.gateQuantile };
  }
}
