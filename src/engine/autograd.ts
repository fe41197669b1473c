/** Autograd controls: no-grad regions, input gradients, gradient clipping. */
import { native, type NativeTensor } from './native.js';
import { Tensor } from './tensor.js';

/** Runs `fn` with gradient recording off (inference, parameter updates). Synchronous only. */
export function noGrad<T>(fn: () => T): T {
  const prev = native.setGradEnabled(false) as boolean;
  try {
    return fn();
  } finally {
    native.setGradEnabled(prev);
  }
}

/** Runs `fn` with gradient recording on, even inside {@link noGrad}. */
export function enableGrad<T>(fn: () => T): T {
  const prev = native.setGradEnabled(true) as boolean;
  try {
    return fn();
  } finally {
    native.setGradEnabled(prev);
  }
}

export function isGradEnabled(): boolean {
  return native.isGradEnabled() as boolean;
}

/**
 * Gradients of `outputs` with respect to `inputs` (torch.autograd.grad), without accumulating
 * into any `.grad` — e.g. ∂loss/∂waveform for adversarial attacks. Unused inputs give null.
 */
export function grad(
  outputs: Tensor | Tensor[],
  inputs: Tensor | Tensor[],
  o: { gradOutputs?: Tensor[]; retainGraph?: boolean; createGraph?: boolean } = {},
): (Tensor | null)[] {
  const outs = Array.isArray(outputs) ? outputs : [outputs];
  const ins = Array.isArray(inputs) ? inputs : [inputs];
  const r = native.grad(
    outs.map((t) => t.handle),
    ins.map((t) => t.handle),
    o.gradOutputs?.map((t) => t.handle) ?? null,
    o.retainGraph ?? null,
    o.createGraph ?? false,
  ) as (NativeTensor | null)[];
  return r.map((x) => (x === null ? null : new Tensor(x)));
}

/** Scales gradients so their global `normType`-norm is at most `maxNorm`; returns the norm before clipping. */
export function clipGradNorm(params: Tensor[], maxNorm: number, normType = 2): number {
  return native.clipGradNorm(
    params.map((p) => p.handle),
    maxNorm,
    normType,
  ) as number;
}

/** Clamps every gradient element into [-value, value]. */
export function clipGradValue(params: Tensor[], value: number): void {
  native.clipGradValue(
    params.map((p) => p.handle),
    value,
  );
}
