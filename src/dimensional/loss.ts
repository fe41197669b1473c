/**
 * Regression losses on the engine: 1 − CCC averaged over attributes (the concordance of each
 * output column with its labels over the batch, population moments as in metrics' `ccc`) and MSE.
 */
import { F, type Tensor } from '../engine/index.js';

/** Keeps the CCC's denominator away from 0 on a batch where outputs and labels are all equal. */
const CCC_EPS = 1e-8;

/**
 * Per-attribute CCC of predictions and labels over the batch (both [N, A]) → [A].
 * Differentiable in `pred`.
 */
export function batchCcc(pred: Tensor, y: Tensor): Tensor {
  const mx = pred.mean(0, true);
  const my = y.mean(0, true);
  const dx = pred.sub(mx);
  const dy = y.sub(my);
  const cov = dx.mul(dy).mean(0);
  const denom = dx.square().mean(0).add(dy.square().mean(0)).add(mx.sub(my).square().squeeze(0)).add(CCC_EPS);
  return cov.mul(2).div(denom);
}

/** `1 − mean CCC` (`ccc`) or mean squared error (`mse`) of [N, A] predictions against [N, A] labels. */
export function regressionLoss(kind: 'ccc' | 'mse', pred: Tensor, y: Tensor): Tensor {
  return kind === 'ccc' ? batchCcc(pred, y).mean().neg().add(1) : F.mseLoss(pred, y);
}
