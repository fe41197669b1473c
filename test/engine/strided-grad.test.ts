/**
 * Backward passes fed a strided (non-contiguous) gradient, as when a transpose follows an op
 * (wav2vec 2.0's and Whisper's GELU → transpose). Each op's input gradient through
 * `(op(x).transpose(1, 2) · W).sum()` must equal the one through `(op(x) · Wᵀ).sum()`, where the
 * op's output receives a contiguous gradient: the same objective, so the same values. The
 * libtorch the engine builds on computed the first wrongly for the exact GELU (values off by
 * up to 10³⁰, or NaN), which float64 finite-difference checks with contiguous weights did not see.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { F, grad, tensor, type Tensor } from '../../src/engine/index.js';
import { makeRng } from '../../src/core/index.js';

/** [B, N, D] = [3, 7, 5]: odd sizes, so no stride coincides with a contiguous layout. */
const SHAPE = [3, 7, 5];

function values(seed: number, n: number, lo: number, hi: number): Float32Array {
  const r = makeRng(seed);
  return Float32Array.from({ length: n }, () => lo + (hi - lo) * r.next());
}

const n = SHAPE.reduce((a, b) => a * b, 1);
/** The op's input: values in [-3, 3) (or (0.1, 3) for ops defined on positives only). */
const input = (positive: boolean) => tensor(values(1, n, positive ? 0.1 : -3, 3), SHAPE).requiresGrad_(true);
/** Weights of the projection, laid out for the transposed output [B, D, N]. */
const weights = tensor(values(2, n, -1, 1), [SHAPE[0], SHAPE[2], SHAPE[1]]);

const OPS: [string, (x: Tensor) => Tensor, boolean?][] = [
  ['gelu', (x) => F.gelu(x)],
  ['gelu (tanh)', (x) => F.gelu(x, 'tanh')],
  ['relu', (x) => x.relu()],
  ['leakyRelu', (x) => F.leakyRelu(x, 0.1)],
  ['elu', (x) => F.elu(x)],
  ['selu', (x) => F.selu(x)],
  ['silu', (x) => F.silu(x)],
  ['softplus', (x) => F.softplus(x)],
  ['tanh', (x) => x.tanh()],
  ['sigmoid', (x) => x.sigmoid()],
  ['exp', (x) => x.exp()],
  ['abs', (x) => x.abs()],
  ['square', (x) => x.square()],
  ['sin', (x) => x.sin()],
  ['cos', (x) => x.cos()],
  ['pow 3', (x) => x.pow(3)],
  ['log', (x) => x.log(), true],
  ['sqrt', (x) => x.sqrt(), true],
  ['rsqrt', (x) => x.rsqrt(), true],
  ['reciprocal', (x) => x.reciprocal(), true],
  ['softmax', (x) => x.softmax(-1)],
  ['logSoftmax', (x) => x.logSoftmax(-1)],
  ['layerNorm', (x) => F.layerNorm(x, [SHAPE[2]])],
  ['groupNorm', (x) => F.groupNorm(x, SHAPE[1])],
];

describe('backward with a strided incoming gradient', () => {
  for (const [name, op, positive] of OPS) {
    test(name, () => {
      const x = input(positive ?? false);
      const [strided] = grad(op(x).transpose(1, 2).mul(weights).sum(), x);
      const [contiguous] = grad(op(x).mul(weights.transpose(1, 2).contiguous()).sum(), x);
      const a = strided!.toArray() as Float32Array;
      const b = contiguous!.toArray() as Float32Array;
      let worst = 0;
      for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]) / (1 + Math.abs(b[i])));
      assert.ok(
        b.some((v) => v !== 0),
        `${name}: the reference gradient is all zero`,
      );
      assert.ok(worst < 1e-5, `${name}: strided and contiguous incoming gradients differ by up to ${worst} (relative)`);
    });
  }
});
