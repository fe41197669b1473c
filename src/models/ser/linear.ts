/**
 * Linear classifiers on utterance functionals (vector input [N, D]): `linear-svm`, trained with the
 * one-vs-rest squared hinge loss of liblinear's L2-loss SVM, and `logreg` (multinomial logistic
 * regression, cross-entropy). Inputs should be standardized by the trainer (per-feature z-score on
 * the training set); the models do not normalize.
 */
import { z } from 'zod';
import { nn, oneHot, tensor, where, type Tensor } from '../../engine/index.js';
import { IGNORE_INDEX, SerModelBase, fail, lossConfigShape, positiveInt, type LossOptions } from './base.js';
import { linearMacs } from '../complexity.js';

export interface SquaredHingeOptions {
  /** Per-class weights [C] applied to each example by its true class (liblinear's `-wi`). Default 1. */
  classWeights?: number[];
  /** Coefficient λ of the ½·λ·‖W‖² penalty on the weight matrix (default 0). */
  l2?: number;
  /** The weight matrix penalized by `l2`. */
  weight?: Tensor | null;
}

/**
 * Multi-class one-vs-rest squared hinge: for each example i and class k with y_ik = +1 if k is the
 * target else −1, loss_i = Σ_k max(0, 1 − y_ik·s_ik)²; the result is the (class-weighted) mean over
 * examples whose target is not −100, plus ½·λ·‖W‖². liblinear's objective ½‖w‖² + C·Σ_i ξ_i² per
 * class equals N·C times this mean with λ = 1/(N·C).
 */
export function squaredHingeLoss(scores: Tensor, targets: Tensor, o: SquaredHingeOptions = {}): Tensor {
  const [n, c] = scores.shape;
  if (targets.ndim !== 1 || targets.shape[0] !== n)
    throw new Error(`squaredHingeLoss: targets must be [${n}], got [${targets.shape.join(', ')}]`);
  const valid = targets.ne(IGNORE_INDEX);
  const safe = where(valid, targets, 0);
  const y = oneHot(safe, c).to('float32').mul(2).sub(1);
  const perExample = y.mul(scores).neg().add(1).clamp(0).square().sum(1);
  let w = valid.to('float32');
  if (o.classWeights) w = w.mul(tensor(Float32Array.from(o.classWeights)).indexSelect(0, safe));
  let loss = perExample.mul(w).sum().div(w.sum().clamp(Number.EPSILON));
  if (o.l2 && o.weight)
    loss = loss.add(
      o.weight
        .square()
        .sum()
        .mul(o.l2 / 2),
    );
  return loss;
}

export interface LinearConfig extends LossOptions {
  /** Coefficient λ of the ½·λ·‖W‖² penalty added by `linear-svm`'s loss (default 0: use the optimizer's weight decay). */
  l2?: number;
}
export const linearConfigSchema: z.ZodType<LinearConfig> = z.strictObject({ ...lossConfigShape, l2: z.number().nonnegative().optional() });
export const logregConfigSchema: z.ZodType<LossOptions> = z.strictObject(lossConfigShape);

/**
 * A single Linear layer `linear.*` from D functionals to class scores. `embed` is the input itself
 * (a linear model has no hidden layer), so embedDim = D.
 */
abstract class LinearClassifier extends SerModelBase {
  readonly inputKind = 'vector' as const;
  readonly embedDim: number;
  readonly linear: nn.Linear;
  constructor(inputDim: number, numClasses: number, c: LossOptions, name: string) {
    super(name, numClasses, [inputDim], c);
    positiveInt(name, 'inputDim', inputDim);
    this.linear = this.module('linear', new nn.Linear(inputDim, numClasses));
    this.embedDim = inputDim;
  }
  embed(x: Tensor): Tensor {
    this.checkInput(x);
    return x;
  }
  forward(x: Tensor): Tensor {
    return this.linear.forward(this.embed(x));
  }
  macs(shape: readonly number[]): number {
    if (shape.length !== 1 || shape[0] !== this.inputShape[0])
      fail(this.modelName, `macs: expected an example shape [${this.inputShape[0]}], got [${shape.join(', ')}]`);
    return linearMacs(this.linear);
  }
}

/** `linear-svm`: decision values s = Wx + b; {@link lossFn} is the squared hinge (label smoothing does not apply). */
export class LinearSvm extends LinearClassifier {
  readonly l2: number;
  constructor(inputDim: number, numClasses: number, c: LinearConfig = {}) {
    super(inputDim, numClasses, c, 'linear-svm');
    this.l2 = c.l2 ?? 0;
    if (!(this.l2 >= 0)) fail(this.modelName, `l2 must be ≥ 0, got ${c.l2}`);
  }
  override lossFn(scores: Tensor, targets: Tensor): Tensor {
    return squaredHingeLoss(scores, targets, { classWeights: this.lossOptions.classWeights, l2: this.l2, weight: this.linear.weight });
  }
  protected config(): Record<string, unknown> {
    return { l2: this.l2 };
  }
}

/** `logreg`: multinomial logistic regression (softmax over Wx + b, cross-entropy loss). */
export class LogisticRegression extends LinearClassifier {
  constructor(inputDim: number, numClasses: number, c: LossOptions = {}) {
    super(inputDim, numClasses, c, 'logreg');
  }
  protected config(): Record<string, unknown> {
    return {};
  }
}
