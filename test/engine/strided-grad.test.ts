/**
 * Backward passes fed a strided (non-contiguous) gradient, as when a transpose follows an op
 * (wav2vec 2.0's and Whisper's GELU → transpose). Each op's input gradient (x: [B, N, D]) through
 * `(op(x).transpose(1, 2) · W).sum()` must equal the one through `(op(x) · Wᵀ).sum()`, where the
 * op's output receives a contiguous gradient: the same objective, so the same values. The
 * libtorch the engine builds on computed the first wrongly for the exact GELU (values off by
 * up to 10³⁰, or NaN), which float64 finite-difference checks with contiguous weights did not see.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { F, grad, manualSeed, nn, noGrad, ones, randn, tensor, zeros, type Tensor } from '../../src/engine/index.js';
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
/** Weights of the projection of op(x) [B, N', D'], laid out for the transposed output [B, D', N']. */
const weightsFor = (y: Tensor) => {
  const shape = [y.shape[0], y.shape[2], y.shape[1]];
  return tensor(values(2, y.numel, -1, 1), shape);
};
manualSeed(3);
/** A fixed random parameter of `shape` (no gradient needed). */
const param = (shape: number[]) => noGrad(() => randn(shape).mul(0.3));
const linearW = param([6, SHAPE[2]]);
const convW = param([4, SHAPE[1], 3]);
const lstm = new nn.LSTM(SHAPE[2], 4);
const gru = new nn.GRU(SHAPE[2], 4, { bidirectional: true });

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
  ['batchNorm (training)', (x) => F.batchNorm(x, { training: true, runningMean: zeros([SHAPE[1]]), runningVar: ones([SHAPE[1]]) })],
  ['linear', (x) => F.linear(x, linearW)],
  ['matmul', (x) => x.matmul(x.transpose(1, 2))],
  ['conv1d', (x) => F.conv1d(x, convW, null, { padding: 1 })],
  ['maxPool1d', (x) => F.maxPool1d(x, 2, { stride: 1 })],
  ['avgPool1d', (x) => F.avgPool1d(x, 2, { stride: 1 })],
  ['scaledDotProductAttention', (x) => F.scaledDotProductAttention(x, x.mul(0.5), x.tanh())[0]],
  ['lstm', (x) => lstm.forward(x)[0]],
  ['gru (bidirectional)', (x) => gru.forward(x)[0]],
];

describe('backward with a strided incoming gradient', () => {
  for (const [name, op, positive] of OPS) {
    test(name, () => {
      const x = input(positive ?? false);
      const weights = weightsFor(op(x));
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
