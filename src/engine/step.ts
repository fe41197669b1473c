/**
 * The optimiser step of a training loop, guarded against divergence: a step whose loss or
 * gradients are not finite is skipped (through Adam's moments it would make every weight NaN),
 * and an epoch in which most steps were skipped stops the run with one clear error.
 */
import { clipGradNorm } from './autograd.js';
import type { OptimizerLike } from './optim.js';
import type { Tensor } from './tensor.js';

/** Share of an epoch's steps that may be skipped before {@link EpochSteps.checkConverging} stops the run. */
const MAX_SKIPPED_SHARE = 0.5;

/**
 * Steps `opt` on the gradients of `params` already computed for `loss`, after clipping their
 * global L2 norm to `maxNorm` (null: no clip). Returns the loss value, or null when the loss or
 * the gradients are not finite; then the weights stay as they were.
 */
export function finiteStep(opt: OptimizerLike, params: Tensor[], loss: Tensor, maxNorm: number | null): number | null {
  // With no bound nothing is scaled; the call still returns the norm to check.
  const norm = clipGradNorm(params, maxNorm ?? Number.POSITIVE_INFINITY);
  const value = loss.item();
  if (!Number.isFinite(value) || !Number.isFinite(norm)) return null;
  opt.step();
  return value;
}

/**
 * The steps of one training epoch, as {@link finiteStep} returned them: the mean loss of those
 * applied, and the divergence check.
 */
export class EpochSteps {
  private lossSum = 0;
  private applied = 0;
  /** Steps skipped so far (non-finite loss or gradients). */
  skipped = 0;

  /** Records one step: its loss, or null when it was skipped. */
  add(loss: number | null): void {
    if (loss === null) this.skipped++;
    else {
      this.lossSum += loss;
      this.applied++;
    }
  }

  /** Mean loss of the applied steps (NaN before any). */
  get meanLoss(): number {
    return this.applied > 0 ? this.lossSum / this.applied : Number.NaN;
  }

  /**
   * Throws when more than {@link MAX_SKIPPED_SHARE} of the epoch's steps were skipped. `what`
   * names the run in the message (e.g. 'spoof train').
   */
  checkConverging(what: string, epoch: number): void {
    const steps = this.applied + this.skipped;
    if (this.skipped > MAX_SKIPPED_SHARE * steps)
      throw new Error(
        `${what}: training diverged in epoch ${epoch} (${this.skipped} of ${steps} steps had a non-finite loss or gradients; the checkpoint of the epoch before is kept): try a lower learning rate`,
      );
  }
}
