/**
 * Finite-difference gradient checking for the libtorch engine (the equivalent of
 * torch.autograd.gradcheck): autograd's gradient of a scalar function is compared element by
 * element with central differences (f(x + ε) − f(x − ε)) / 2ε.
 *
 * Meant for float64 inputs (ε = 1e-6, rtol = 1e-5, atol = 1e-7). float32 inputs work too with a
 * larger ε and looser tolerances (the actual perturbation after rounding to float32 is used).
 * Every tensor the check creates lives in a tidy() scope, so nothing leaks; the inputs are
 * neither modified nor given gradients.
 */
import assert from 'node:assert/strict';
import { grad, noGrad, tensor, tidy, type Tensor } from '../../src/engine/index.js';

export interface GradcheckOptions {
  /** Finite-difference step (default 1e-6). */
  eps?: number;
  /** Relative tolerance (default 1e-5). */
  rtol?: number;
  /** Absolute tolerance (default 1e-7). */
  atol?: number;
  /** Indices of the inputs to check (default all); the others are passed along as constants. */
  wrt?: number[];
}

export interface GradcheckResult {
  /** Max |analytic − numeric| over all checked elements. */
  maxAbsError: number;
  /** Max |analytic − numeric| / max(|numeric|, atol). */
  maxRelError: number;
  /** Max |analytic − numeric| / (atol + rtol·|numeric|): the check passes when ≤ 1. */
  maxViolation: number;
  ok: boolean;
  /** Number of elements compared. */
  checked: number;
  /** The element with the largest violation. */
  worst: { input: number; index: number; analytic: number; numeric: number } | null;
  /** Largest |numeric gradient| seen (to spot checks that compare zeros with zeros). */
  maxAbsGrad: number;
}

type FloatArray = Float32Array | Float64Array;

function floatData(t: Tensor, i: number): FloatArray {
  if (t.dtype === 'float64') return Float64Array.from(t.toArray() as Float64Array);
  if (t.dtype === 'float32') return Float32Array.from(t.toArray() as Float32Array);
  throw new Error(`gradcheck: input ${i} has dtype ${t.dtype}; only float32/float64 inputs can be checked (close over the others)`);
}

/** Fresh leaf tensors holding `data` (same dtypes and shapes as the inputs). */
function leaves(data: FloatArray[], shapes: number[][]): Tensor[] {
  return data.map((d, i) => tensor(d.slice() as FloatArray, shapes[i]));
}

function evalScalar(f: (inputs: Tensor[]) => Tensor, inputs: Tensor[]): number {
  const out = f(inputs);
  if (out.numel !== 1) throw new Error(`gradcheck: f must return a single-element tensor, got shape [${out.shape.join(', ')}]`);
  return out.item();
}

/**
 * Compares autograd's gradient of `f` (which must return a one-element tensor) with central
 * differences, for every element of every input in `o.wrt` (default: all).
 */
export function gradcheck(f: (inputs: Tensor[]) => Tensor, inputs: Tensor[], o: GradcheckOptions = {}): GradcheckResult {
  const eps = o.eps ?? 1e-6;
  const rtol = o.rtol ?? 1e-5;
  const atol = o.atol ?? 1e-7;
  const wrt = o.wrt ?? inputs.map((_, i) => i);
  const data = inputs.map((t, i) => floatData(t, i));
  const shapes = inputs.map((t) => t.shape);

  // Analytic gradients: torch.autograd.grad of f at the unperturbed point.
  const analytic: Float64Array[] = tidy(() => {
    const xs = leaves(data, shapes);
    for (const i of wrt) xs[i].requiresGrad_(true);
    const out = f(xs);
    if (out.numel !== 1) throw new Error(`gradcheck: f must return a single-element tensor, got shape [${out.shape.join(', ')}]`);
    if (!out.requiresGrad) throw new Error('gradcheck: the output does not depend on any checked input (requiresGrad is false)');
    const gs = grad(
      out,
      wrt.map((i) => xs[i]),
    );
    return gs.map((g, k) => {
      const i = wrt[k];
      if (g === null) return new Float64Array(data[i].length);
      assert.deepEqual(g.shape, shapes[i], `gradcheck: gradient of input ${i} has the wrong shape`);
      return Float64Array.from(g.toArray() as FloatArray);
    });
  });

  // f must be a deterministic function of its inputs (no dropout, no fresh random tensors).
  noGrad(() => {
    const f1 = tidy(() => evalScalar(f, leaves(data, shapes)));
    const f2 = tidy(() => evalScalar(f, leaves(data, shapes)));
    if (f1 !== f2 && !(Number.isNaN(f1) && Number.isNaN(f2))) throw new Error(`gradcheck: f is not deterministic (${f1} then ${f2})`);
  });

  let maxAbsError = 0;
  let maxRelError = 0;
  let maxViolation = 0;
  let maxAbsGrad = 0;
  let checked = 0;
  let worst: GradcheckResult['worst'] = null;
  noGrad(() => {
    wrt.forEach((i, k) => {
      const d = data[i];
      for (let j = 0; j < d.length; j++) {
        const x0 = d[j];
        d[j] = x0 + eps;
        const up = d[j]; // as stored (float32 rounds the step)
        const fp = tidy(() => evalScalar(f, leaves(data, shapes)));
        d[j] = x0 - eps;
        const down = d[j];
        const fm = tidy(() => evalScalar(f, leaves(data, shapes)));
        d[j] = x0;
        const numeric = (fp - fm) / (up - down);
        const a = analytic[k][j];
        const err = Math.abs(a - numeric);
        if (!Number.isFinite(a) || !Number.isFinite(numeric)) {
          maxViolation = Infinity;
          worst = { input: i, index: j, analytic: a, numeric };
          continue;
        }
        const violation = err / (atol + rtol * Math.abs(numeric));
        maxAbsError = Math.max(maxAbsError, err);
        maxRelError = Math.max(maxRelError, err / Math.max(Math.abs(numeric), atol));
        maxAbsGrad = Math.max(maxAbsGrad, Math.abs(numeric));
        if (violation > maxViolation || worst === null) {
          maxViolation = Math.max(maxViolation, violation);
          worst = { input: i, index: j, analytic: a, numeric };
        }
        checked++;
      }
    });
  });
  return { maxAbsError, maxRelError, maxViolation, ok: maxViolation <= 1, checked, worst, maxAbsGrad };
}

/**
 * {@link gradcheck} that fails with a readable message, and also fails when every gradient is
 * zero (a check comparing zeros with zeros proves nothing). Returns the result for diagnostics.
 */
export function assertGradcheck(
  f: (inputs: Tensor[]) => Tensor,
  inputs: Tensor[],
  o: GradcheckOptions & { label?: string } = {},
): GradcheckResult {
  const r = gradcheck(f, inputs, o);
  const label = o.label ? `${o.label}: ` : '';
  const w = r.worst;
  assert.ok(
    r.ok,
    `${label}gradient mismatch: max |analytic − numeric| = ${r.maxAbsError.toExponential(3)} (relative ${r.maxRelError.toExponential(3)}); ` +
      (w ? `worst at input ${w.input}[${w.index}]: analytic ${w.analytic}, numeric ${w.numeric}` : ''),
  );
  assert.ok(r.checked > 0, `${label}nothing was checked`);
  assert.ok(r.maxAbsGrad > 1e-6, `${label}all gradients are ~0 (max ${r.maxAbsGrad}); the check is vacuous`);
  return r;
}
