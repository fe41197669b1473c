/**
 * Autograd against finite differences for every differentiable op family of the engine
 * (float64, central differences, see test/helpers/gradcheck.ts). Each scalar objective is a
 * fixed, non-uniform projection Σ wₖ·yₖ of the op's output, so every output element gets a
 * distinct weight and a wrong gradient cannot hide behind symmetry.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as T from '../../src/engine/index.js';
import { makeRng } from '../../src/core/index.js';
import { F, nn, tensor, tidy, type Tensor } from '../../src/engine/index.js';
import { assertGradcheck, gradcheck } from '../helpers/gradcheck.js';

// ---- deterministic inputs (a JS PRNG, independent of the engine's generator) ----
/** Uniform [0, 1) numbers from the project's seeded JS generator (independent of the engine's). */
function prng(seed: number): () => number {
  const r = makeRng(seed);
  return () => r.next();
}
let seed = 1;
const numel = (shape: number[]) => shape.reduce((a, b) => a * b, 1);
/** float64 values uniform in [lo, hi). */
function rnd(shape: number[], lo = -1, hi = 1): Tensor {
  const r = prng(seed++);
  return tensor(
    Float64Array.from({ length: numel(shape) }, () => lo + (hi - lo) * r()),
    shape,
  );
}
/** float64 values with |x| in [min, 1 + min): away from a kink at 0. */
function away(shape: number[], min = 0.1): Tensor {
  const r = prng(seed++);
  return tensor(
    Float64Array.from({ length: numel(shape) }, () => (r() < 0.5 ? -1 : 1) * (min + r())),
    shape,
  );
}
const i64 = (values: number[], shape = [values.length]) =>
  tensor(
    BigInt64Array.from(values, (v) => BigInt(v)),
    shape,
  );
const bool = (values: number[], shape = [values.length]) => tensor(Uint8Array.from(values), shape, 'bool');

/** Σ wₖ yₖ with fixed weights wₖ = cos(1.3k + 0.5) (dtype of y). */
function proj(y: Tensor): Tensor {
  const n = y.numel;
  const w = Float64Array.from({ length: n }, (_, k) => Math.cos(1.3 * k + 0.5));
  const wt = y.dtype === 'float32' ? tensor(Float32Array.from(w), y.shape) : tensor(w, y.shape);
  return y.mul(wt).sum();
}
const projAll = (ys: Tensor[]) => ys.map(proj).reduce((a, b) => a.add(b));

/** Runs a test body in a tidy scope (everything it creates is freed). */
const scoped = (fn: () => void) => () => tidy(fn);
const check = (label: string, f: (x: Tensor[]) => Tensor, inputs: Tensor[], o: Parameters<typeof gradcheck>[2] = {}) =>
  assertGradcheck(f, inputs, { label, ...o });

describe('gradcheck helper', () => {
  test(
    'detects a wrong gradient and reports the max error',
    scoped(() => {
      // x·detach(x) has true gradient 2x, autograd sees only x: the checker must flag it.
      const r = gradcheck(([x]) => x.mul(x.detach()).sum(), [rnd([5], 0.5, 1.5)]);
      assert.equal(r.ok, false);
      assert.ok(r.maxAbsError > 0.4, `maxAbsError ${r.maxAbsError}`);
      const good = gradcheck(([x]) => x.mul(x).sum(), [rnd([5], 0.5, 1.5)]);
      assert.equal(good.ok, true);
      assert.ok(good.maxAbsError < 1e-7, `maxAbsError ${good.maxAbsError}`);
      assert.equal(good.checked, 5);
    }),
  );
  test(
    'rejects a non-deterministic objective',
    scoped(() => {
      assert.throws(() => gradcheck(([x]) => x.mul(T.randn([3], 'float64')).sum(), [rnd([3])]), /not deterministic/);
    }),
  );
  test(
    'leaves its inputs untouched and tracks no gradient on them',
    scoped(() => {
      const x = rnd([3]);
      const before = Array.from(x.toArray() as Float64Array);
      check('square', ([a]) => a.square().sum(), [x]);
      assert.deepEqual(Array.from(x.toArray() as Float64Array), before);
      assert.equal(x.requiresGrad, false);
      assert.equal(x.grad, null);
    }),
  );
});

describe('element-wise arithmetic with broadcasting', () => {
  const pairs: [string, (a: Tensor, b: Tensor) => Tensor][] = [
    ['add', (a, b) => a.add(b)],
    ['sub', (a, b) => a.sub(b)],
    ['mul', (a, b) => a.mul(b)],
    ['div', (a, b) => a.div(b)],
    ['pow', (a, b) => a.pow(b)],
  ];
  for (const [name, op] of pairs) {
    test(
      `${name}: [2,3] ∘ [3] and [2,1] ∘ [1,4]`,
      scoped(() => {
        // Positive bases for pow, denominators away from 0 for div.
        check(`${name} [2,3]∘[3]`, ([a, b]) => proj(op(a, b)), [rnd([2, 3], 0.5, 2), rnd([3], 0.5, 2)]);
        check(`${name} [2,1]∘[1,4]`, ([a, b]) => proj(op(a, b)), [rnd([2, 1], 0.5, 2), rnd([1, 4], 0.5, 2)]);
        check(`${name} [3]∘[2,3] (broadcast left)`, ([a, b]) => proj(op(a, b)), [rnd([3], 0.5, 2), rnd([2, 3], 0.5, 2)]);
      }),
    );
  }
  test(
    'number operands (scalar promotion keeps float64)',
    scoped(() => {
      check(
        'scalar chain',
        ([a]) => {
          const y = a.mul(2.5).add(1).sub(0.25).div(3).pow(3);
          assert.equal(y.dtype, 'float64');
          return proj(y);
        },
        [rnd([2, 3], 0.2, 1)],
      );
    }),
  );
  test(
    'maximum / minimum / clamp / remainder away from ties',
    scoped(() => {
      const a = rnd([6]);
      const b = a.add(away([6], 0.05)); // |a - b| ≥ 0.05
      check('maximum', ([x, y]) => proj(x.maximum(y)), [a, b]);
      check('minimum', ([x, y]) => proj(x.minimum(y)), [a, b]);
      check('clamp', ([x]) => proj(x.clamp(-0.5, 0.5)), [tensor(new Float64Array([-0.9, -0.3, 0.1, 0.45, 0.7, -0.6]))]);
      check('remainder', ([x]) => proj(x.remainder(0.7)), [tensor(new Float64Array([0.3, 1.1, 2.5, -0.2]))]);
    }),
  );
  test(
    'where and maskedFill route gradients only through the kept elements',
    scoped(() => {
      const cond = bool([1, 0, 1, 1, 0, 0]);
      check('where', ([x, y]) => proj(T.where(cond, x, y)), [rnd([6]), rnd([6])]);
      check('where (broadcast)', ([x, y]) => proj(T.where(cond.reshape([2, 3]), x, y)), [rnd([2, 3]), rnd([3])]);
      check('maskedFill', ([x]) => proj(x.maskedFill(cond, 0.5)), [rnd([6])]);
    }),
  );
});

describe('unary math', () => {
  const cases: [string, (x: Tensor) => Tensor, () => Tensor][] = [
    ['exp', (x) => x.exp(), () => rnd([7], -2, 2)],
    ['log', (x) => x.log(), () => rnd([7], 0.2, 3)],
    ['log1p', (x) => x.log1p(), () => rnd([7], -0.5, 3)],
    ['sqrt', (x) => x.sqrt(), () => rnd([7], 0.2, 3)],
    ['rsqrt', (x) => x.rsqrt(), () => rnd([7], 0.2, 3)],
    ['reciprocal', (x) => x.reciprocal(), () => away([7], 0.3)],
    ['square', (x) => x.square(), () => rnd([7], -2, 2)],
    ['abs (away from 0)', (x) => x.abs(), () => away([7])],
    ['neg', (x) => x.neg(), () => rnd([7])],
    ['sin', (x) => x.sin(), () => rnd([7], -3, 3)],
    ['cos', (x) => x.cos(), () => rnd([7], -3, 3)],
    ['tanh', F.tanh, () => rnd([7], -2, 2)],
    ['sigmoid', F.sigmoid, () => rnd([7], -3, 3)],
    ['relu (away from 0)', F.relu, () => away([7])],
    ['gelu', (x) => F.gelu(x), () => rnd([7], -3, 3)],
    ['gelu tanh', (x) => F.gelu(x, 'tanh'), () => rnd([7], -3, 3)],
    ['leakyRelu (away from 0)', (x) => F.leakyRelu(x, 0.2), () => away([7])],
    ['elu (away from 0)', (x) => F.elu(x, 0.7), () => away([7])],
    ['selu (away from 0)', F.selu, () => away([7])],
    ['silu', F.silu, () => rnd([7], -3, 3)],
    ['softplus', F.softplus, () => rnd([7], -3, 3)],
  ];
  for (const [name, op, input] of cases) {
    test(
      name,
      scoped(() => void check(name, ([x]) => proj(op(x)), [input()])),
    );
  }
});

describe('matmul / linear / einsum', () => {
  test(
    'matmul: matrix, batched with broadcasting, vector',
    scoped(() => {
      check('[2,3]@[3,4]', ([a, b]) => proj(a.matmul(b)), [rnd([2, 3]), rnd([3, 4])]);
      check('[2,2,3]@[3,4]', ([a, b]) => proj(a.matmul(b)), [rnd([2, 2, 3]), rnd([3, 4])]);
      check('[2,1,2,3]@[3,3,2]', ([a, b]) => proj(a.matmul(b)), [rnd([2, 1, 2, 3]), rnd([3, 3, 2])]);
      check('[3]@[3,2]', ([a, b]) => proj(a.matmul(b)), [rnd([3]), rnd([3, 2])]);
      check('[3]@[3]', ([a, b]) => a.matmul(b), [rnd([3]), rnd([3])]);
    }),
  );
  test(
    'linear with and without bias, 3-D input',
    scoped(() => {
      check('linear', ([x, w, b]) => proj(F.linear(x, w, b)), [rnd([2, 3, 4]), rnd([5, 4]), rnd([5])]);
      check('linear no bias', ([x, w]) => proj(F.linear(x, w)), [rnd([3, 4]), rnd([2, 4])]);
    }),
  );
  test(
    'einsum and outer',
    scoped(() => {
      check('bij,bjk->bik', ([a, b]) => proj(T.einsum('bij,bjk->bik', a, b)), [rnd([2, 2, 3]), rnd([2, 3, 2])]);
      check('ij,ij->i', ([a, b]) => proj(T.einsum('ij,ij->i', a, b)), [rnd([3, 4]), rnd([3, 4])]);
      check('ii->i (diagonal)', ([a]) => proj(T.einsum('ii->i', a)), [rnd([3, 3])]);
      check('outer', ([a, b]) => proj(T.outer(a, b)), [rnd([3]), rnd([4])]);
    }),
  );
});

describe('reductions', () => {
  test(
    'sum / mean over dims with keepdim',
    scoped(() => {
      check('sum all', ([x]) => x.sum().mul(1.5), [rnd([2, 3])]);
      check('sum dim 1 keepdim', ([x]) => proj(x.sum(1, true)), [rnd([2, 3, 2])]);
      check('sum dims [0,2]', ([x]) => proj(x.sum([0, 2])), [rnd([2, 3, 2])]);
      check('mean', ([x]) => proj(x.mean(-1)), [rnd([2, 3, 2])]);
      check('cumsum', ([x]) => proj(x.cumsum(1)), [rnd([2, 4])]);
    }),
  );
  test(
    'var / std (unbiased and biased)',
    scoped(() => {
      check('var all', ([x]) => x.var(), [rnd([6])]);
      check('var dim unbiased', ([x]) => proj(x.var(1)), [rnd([2, 4])]);
      check('var dim biased keepdim', ([x]) => proj(x.var(0, false, true)), [rnd([3, 4])]);
      check('std all', ([x]) => x.std(), [rnd([6])]);
      check('std dims', ([x]) => proj(x.std([1, 2])), [rnd([2, 3, 2])]);
    }),
  );
  test(
    'logsumexp / amax / amin / max / min / norm',
    scoped(() => {
      check('logsumexp', ([x]) => proj(x.logsumexp(1)), [rnd([3, 4], -2, 2)]);
      check('logsumexp keepdim', ([x]) => proj(x.logsumexp([0, 1], true)), [rnd([3, 4], -2, 2)]);
      // Random values: ties have probability 0, so amax is differentiable.
      check('amax', ([x]) => proj(x.amax(1)), [rnd([3, 4])]);
      check('amin', ([x]) => proj(x.amin(0)), [rnd([3, 4])]);
      check('max', ([x]) => x.max(), [rnd([3, 4])]);
      check('min', ([x]) => x.min(), [rnd([3, 4])]);
      check('norm 2', ([x]) => x.norm(), [rnd([3, 4])]);
      check('norm 2 dim', ([x]) => proj(x.norm(2, 1)), [rnd([3, 4])]);
      check('norm 1 (away from 0)', ([x]) => proj(x.norm(1, 0)), [away([3, 4])]);
      check('norm 3', ([x]) => x.norm(3), [rnd([5])]);
    }),
  );
});

describe('shape ops', () => {
  test(
    'reshape / view / permute / transpose / flatten / squeeze / unsqueeze',
    scoped(() => {
      check('reshape', ([x]) => proj(x.reshape([3, 2, 2]).mul(x.reshape([3, 2, 2]))), [rnd([2, 6])]);
      check('view', ([x]) => proj(x.view([4, 3]).exp()), [rnd([2, 6])]);
      const m = rnd([3, 2]);
      check('permute', ([x]) => proj(x.permute([2, 0, 1]).matmul(m)), [rnd([2, 3, 4])]);
      check('transpose', ([x]) => proj(x.transpose(0, 2).contiguous().tanh()), [rnd([2, 3, 4])]);
      check('flatten', ([x]) => proj(x.flatten(1).sin()), [rnd([2, 3, 2])]);
      check('squeeze/unsqueeze', ([x]) => proj(x.unsqueeze(1).squeeze(2).mul(x.squeeze())), [rnd([3, 1])]);
    }),
  );
  test(
    'slice (step, negative bounds) / narrow / select',
    scoped(() => {
      check('slice step 2', ([x]) => proj(x.slice(1, 0, 5, 2)), [rnd([2, 5])]);
      check('slice negative', ([x]) => proj(x.slice(1, -3, -1)), [rnd([2, 5])]);
      check('narrow', ([x]) => proj(x.narrow(0, 1, 2)), [rnd([4, 2])]);
      check('select', ([x]) => proj(x.select(1, 2)), [rnd([3, 4])]);
      check('select negative', ([x]) => proj(x.select(0, -1)), [rnd([3, 4])]);
    }),
  );
  test(
    'indexSelect / gather / index with repeated indices accumulate',
    scoped(() => {
      check('indexSelect', ([x]) => proj(x.indexSelect(0, i64([2, 0, 2]))), [rnd([3, 2])]);
      check('indexSelect dim 1', ([x]) => proj(x.indexSelect(1, i64([1, 1]))), [rnd([3, 2])]);
      check('gather', ([x]) => proj(x.gather(1, i64([0, 2, 2, 1, 0, 0], [2, 3]))), [rnd([2, 3])]);
      check('index tensors', ([x]) => proj(x.index([i64([0, 2, 0]), null])), [rnd([3, 4])]);
      check('index 2 tensors', ([x]) => proj(x.index([i64([0, 2, 0]), i64([1, 1, 3])])), [rnd([3, 4])]);
      check('index bool', ([x]) => proj(x.index([bool([1, 0, 1])])), [rnd([3, 4])]);
      check('scatter src', ([s]) => proj(T.scatter(T.zeros([2, 3], 'float64'), 1, i64([2, 0], [2, 1]), s)), [rnd([2, 1])]);
    }),
  );
  test(
    'cat / stack / split / chunk / unbind / expand / repeat / flip',
    scoped(() => {
      check('cat dim 0', ([a, b]) => proj(T.cat([a, b, a], 0)), [rnd([2, 3]), rnd([1, 3])]);
      check('cat dim 1', ([a, b]) => proj(T.cat([a, b], 1)), [rnd([2, 3]), rnd([2, 2])]);
      check('stack', ([a, b]) => proj(T.stack([a, b], 1)), [rnd([2, 3]), rnd([2, 3])]);
      check('split', ([x]) => projAll(T.split(x, 2, 1).map((t, i) => t.mul(i + 1))), [rnd([2, 5])]);
      check('chunk', ([x]) => projAll(T.chunk(x, 3, 0).map((t, i) => t.pow(i + 1))), [rnd([5, 2])]);
      check('unbind', ([x]) => projAll(T.unbind(x, 0).map((t, i) => t.mul(i + 2))), [rnd([3, 2])]);
      check('expand', ([x]) => proj(x.expand([3, 2, 4])), [rnd([2, 1])]);
      check('repeat', ([x]) => proj(x.repeat([2, 3])), [rnd([2, 2])]);
      check('flip', ([x]) => proj(x.flip([0, 1])), [rnd([2, 3])]);
      check('tril/triu', ([x]) => proj(T.tril(x, -1).add(T.triu(x, 1).mul(2))), [rnd([3, 3])]);
    }),
  );
  test(
    'pad: constant / reflect / replicate / circular',
    scoped(() => {
      check('constant', ([x]) => proj(F.pad(x, [1, 2, 0, 1], 'constant', 0.3)), [rnd([1, 2, 3])]);
      check('reflect 1-D', ([x]) => proj(F.pad(x, [2, 3], 'reflect')), [rnd([1, 2, 5])]);
      check('reflect 2-D', ([x]) => proj(F.pad(x, [1, 1, 2, 1], 'reflect')), [rnd([1, 1, 3, 4])]);
      check('replicate', ([x]) => proj(F.pad(x, [2, 1], 'replicate')), [rnd([1, 2, 3])]);
      check('circular', ([x]) => proj(F.pad(x, [1, 2], 'circular')), [rnd([1, 2, 4])]);
    }),
  );
});

describe('convolutions', () => {
  test(
    'conv1d with stride, padding, dilation, groups, bias, "same"',
    scoped(() => {
      check('conv1d s2 p1 d2', ([x, w, b]) => proj(F.conv1d(x, w, b, { stride: 2, padding: 1, dilation: 2 })), [
        rnd([2, 3, 7]),
        rnd([4, 3, 3]),
        rnd([4]),
      ]);
      check('conv1d groups 2', ([x, w]) => proj(F.conv1d(x, w, null, { groups: 2, padding: 2 })), [rnd([1, 4, 6]), rnd([6, 2, 3])]);
      check('conv1d same', ([x, w, b]) => proj(F.conv1d(x, w, b, { padding: 'same' })), [rnd([1, 2, 5]), rnd([3, 2, 4]), rnd([3])]);
    }),
  );
  test(
    'conv2d with stride, padding, dilation, groups',
    scoped(() => {
      const y = F.conv2d(rnd([2, 4, 6, 5]), rnd([6, 2, 3, 2]), null, { stride: [2, 1], padding: [1, 0], dilation: [1, 2], groups: 2 });
      assert.deepEqual(y.shape, [2, 6, 3, 3]);
      check('conv2d', ([x, w, b]) => proj(F.conv2d(x, w, b, { stride: [2, 1], padding: [1, 0], dilation: [1, 2], groups: 2 })), [
        rnd([2, 4, 6, 5]),
        rnd([6, 2, 3, 2]),
        rnd([6]),
      ]);
      check('conv2d valid', ([x, w]) => proj(F.conv2d(x, w, null, { padding: 'valid' })), [rnd([1, 1, 4, 4]), rnd([2, 1, 2, 3])]);
    }),
  );
  test(
    'convTranspose1d / convTranspose2d',
    scoped(() => {
      const o1 = { stride: 2, padding: 1, outputPadding: 1, groups: 2 };
      assert.deepEqual(F.convTranspose1d(rnd([2, 4, 5]), rnd([4, 2, 3]), null, o1).shape, [2, 4, 10]);
      check('convTranspose1d', ([x, w, b]) => proj(F.convTranspose1d(x, w, b, o1)), [rnd([2, 4, 5]), rnd([4, 2, 3]), rnd([4])]);
      const o2 = { stride: [2, 1], padding: [1, 0], outputPadding: [1, 0], dilation: [1, 2] };
      assert.deepEqual(F.convTranspose2d(rnd([1, 2, 3, 3]), rnd([2, 3, 2, 2]), null, o2).shape, [1, 3, 5, 5]);
      check('convTranspose2d', ([x, w, b]) => proj(F.convTranspose2d(x, w, b, o2)), [rnd([1, 2, 3, 3]), rnd([2, 3, 2, 2]), rnd([3])]);
    }),
  );
});

describe('pooling', () => {
  test(
    'maxPool1d / maxPool2d (distinct values)',
    scoped(() => {
      check('maxPool1d k3 s2 p1 d1', ([x]) => proj(F.maxPool1d(x, 3, { stride: 2, padding: 1 })), [rnd([2, 2, 7])]);
      check('maxPool1d dilation 2', ([x]) => proj(F.maxPool1d(x, 2, { stride: 1, dilation: 2 })), [rnd([1, 2, 6])]);
      check('maxPool2d k2', ([x]) => proj(F.maxPool2d(x, 2)), [rnd([1, 2, 4, 4])]);
      check('maxPool2d k3 s2 p1 ceil', ([x]) => proj(F.maxPool2d(x, 3, { stride: 2, padding: 1, ceilMode: true })), [rnd([1, 2, 6, 5])]);
    }),
  );
  test(
    'avgPool1d / avgPool2d',
    scoped(() => {
      check('avgPool1d ceil', ([x]) => proj(F.avgPool1d(x, 3, { stride: 2, ceilMode: true })), [rnd([1, 2, 6])]);
      check('avgPool2d pad excl', ([x]) => proj(F.avgPool2d(x, 3, { stride: 2, padding: 1, countIncludePad: false })), [rnd([1, 2, 5, 5])]);
      check('avgPool2d pad incl', ([x]) => proj(F.avgPool2d(x, [2, 3], { stride: [1, 2], padding: [1, 1] })), [rnd([1, 1, 4, 5])]);
    }),
  );
  test(
    'adaptive pools',
    scoped(() => {
      check('adaptiveAvgPool1d', ([x]) => proj(F.adaptiveAvgPool1d(x, 3)), [rnd([2, 2, 7])]);
      check('adaptiveAvgPool2d', ([x]) => proj(F.adaptiveAvgPool2d(x, [2, 3])), [rnd([1, 2, 5, 7])]);
      check('adaptiveMaxPool1d', ([x]) => proj(F.adaptiveMaxPool1d(x, 3)), [rnd([2, 2, 7])]);
      check('adaptiveMaxPool2d', ([x]) => proj(F.adaptiveMaxPool2d(x, 2)), [rnd([1, 2, 5, 5])]);
    }),
  );
});

describe('normalization and softmax', () => {
  test(
    'batchNorm in training mode (batch statistics), 1-D and 2-D',
    scoped(() => {
      const rm = T.zeros([3], 'float64');
      const rv = T.ones([3], 'float64');
      check(
        'batchNorm [N,C,L]',
        ([x, w, b]) => proj(F.batchNorm(x, { weight: w, bias: b, runningMean: rm, runningVar: rv, training: true })),
        [rnd([4, 3, 2]), rnd([3], 0.5, 1.5), rnd([3])],
      );
      check('batchNorm [N,C,H,W] no stats', ([x, w, b]) => proj(F.batchNorm(x, { weight: w, bias: b, training: true, eps: 1e-3 })), [
        rnd([3, 2, 2, 2]),
        rnd([2], 0.5, 1.5),
        rnd([2]),
      ]);
      const [erm, erv] = [rnd([3]), rnd([3], 0.5, 2)];
      check(
        'batchNorm eval',
        ([x, w, b]) => proj(F.batchNorm(x, { weight: w, bias: b, runningMean: erm, runningVar: erv, training: false })),
        [rnd([4, 3]), rnd([3]), rnd([3])],
      );
    }),
  );
  test(
    'layerNorm / groupNorm',
    scoped(() => {
      check('layerNorm', ([x, w, b]) => proj(F.layerNorm(x, [3, 4], w, b)), [rnd([2, 3, 4]), rnd([3, 4]), rnd([3, 4])]);
      check('layerNorm no affine', ([x]) => proj(F.layerNorm(x, [4])), [rnd([3, 4])]);
      check('groupNorm', ([x, w, b]) => proj(F.groupNorm(x, 2, w, b)), [rnd([2, 4, 3]), rnd([4]), rnd([4])]);
    }),
  );
  test(
    'softmax / logSoftmax along different dims',
    scoped(() => {
      check('softmax -1', ([x]) => proj(F.softmax(x)), [rnd([2, 5], -2, 2)]);
      check('softmax 0', ([x]) => proj(x.softmax(0)), [rnd([3, 2, 2], -2, 2)]);
      check('logSoftmax -1', ([x]) => proj(F.logSoftmax(x)), [rnd([2, 5], -2, 2)]);
      check('logSoftmax 1', ([x]) => proj(x.logSoftmax(1)), [rnd([2, 3, 2], -2, 2)]);
    }),
  );
});

describe('recurrent layers (float64 parameters)', () => {
  const hidden = 2;
  const feat = 3;
  /** PyTorch-ordered flat parameters: per layer, per direction: w_ih, w_hh, b_ih, b_hh. */
  function rnnParams(gates: number, layers: number, dirs: number): Tensor[] {
    const ps: Tensor[] = [];
    for (let l = 0; l < layers; l++) {
      const inSize = l === 0 ? feat : hidden * dirs;
      for (let d = 0; d < dirs; d++) {
        ps.push(
          rnd([gates * hidden, inSize], -0.8, 0.8),
          rnd([gates * hidden, hidden], -0.8, 0.8),
          rnd([gates * hidden], -0.5, 0.5),
          rnd([gates * hidden], -0.5, 0.5),
        );
      }
    }
    return ps;
  }
  test(
    'LSTM: 2 layers, bidirectional, with (h0, c0); every input and parameter',
    scoped(() => {
      const args = (params: Tensor[]): F.RnnArgs => ({ params, numLayers: 2, bidirectional: true, batchFirst: true });
      const x = rnd([2, 3, feat]);
      const h0 = rnd([4, 2, hidden], -0.5, 0.5);
      const c0 = rnd([4, 2, hidden], -0.5, 0.5);
      const params = rnnParams(4, 2, 2);
      const [out, hn, cn] = F.lstm(x, [h0, c0], args(params));
      assert.deepEqual(
        [out.shape, hn.shape, cn.shape],
        [
          [2, 3, 4],
          [4, 2, 2],
          [4, 2, 2],
        ],
      );
      const r = check('lstm', ([xi, hi, ci, ...ps]) => projAll(F.lstm(xi, [hi, ci], args(ps))), [x, h0, c0, ...params]);
      assert.equal(r.checked, 18 + 16 + 16 + 240);
    }),
  );
  test(
    'LSTM: time-major, no initial state',
    scoped(() => {
      const args = (params: Tensor[]): F.RnnArgs => ({ params, numLayers: 1, bidirectional: false, batchFirst: false });
      check('lstm time-major', ([xi, ...ps]) => projAll(F.lstm(xi, null, args(ps))), [rnd([4, 2, feat]), ...rnnParams(4, 1, 1)]);
    }),
  );
  test(
    'GRU: 2 layers, bidirectional, with h0; every input and parameter',
    scoped(() => {
      const args = (params: Tensor[]): F.RnnArgs => ({ params, numLayers: 2, bidirectional: true, batchFirst: true });
      const r = check('gru', ([xi, hi, ...ps]) => projAll(F.gru(xi, hi, args(ps))), [
        rnd([2, 3, feat]),
        rnd([4, 2, hidden], -0.5, 0.5),
        ...rnnParams(3, 2, 2),
      ]);
      assert.equal(r.checked, 18 + 16 + 180);
    }),
  );
});

describe('attention', () => {
  test(
    'scaledDotProductAttention: plain, float mask, bool mask, causal; output and weights',
    scoped(() => {
      const q = rnd([2, 2, 3, 4]);
      const k = rnd([2, 2, 5, 4]);
      const v = rnd([2, 2, 5, 3]);
      const sdpa =
        (o: Parameters<typeof F.scaledDotProductAttention>[3]) =>
        ([a, b, c]: Tensor[]) =>
          projAll(F.scaledDotProductAttention(a, b, c, o));
      check('sdpa', sdpa({}), [q, k, v]);
      check('sdpa float mask', sdpa({ mask: rnd([3, 5]) }), [q, k, v]);
      check('sdpa bool mask', sdpa({ mask: bool([1, 1, 0, 1, 0, 0, 1, 1, 1, 0, 1, 0, 0, 0, 1], [3, 5]) }), [q, k, v]);
      check('sdpa causal', sdpa({ causal: true }), [q, k, v]);
    }),
  );

  /** Float64 re-implementation of nn.MultiheadAttention (batch first) from its parameters. */
  function mhaReference(
    q: Tensor,
    k: Tensor,
    v: Tensor,
    wIn: Tensor,
    bIn: Tensor,
    wOut: Tensor,
    bOut: Tensor,
    heads: number,
    padMask: Tensor | null,
  ) {
    const [n, lq, e] = q.shape;
    const lk = k.shape[1];
    const d = e / heads;
    const split = (x: Tensor, i: number, len: number) =>
      F.linear(x, wIn.narrow(0, i * e, e), bIn.narrow(0, i * e, e))
        .reshape([n, len, heads, d])
        .transpose(1, 2);
    let scores = split(q, 0, lq)
      .matmul(split(k, 1, lk).transpose(2, 3))
      .div(Math.sqrt(d));
    if (padMask) scores = scores.maskedFill(padMask.reshape([n, 1, 1, lk]), -Infinity);
    const w = scores.softmax(-1);
    const ctx = w
      .matmul(split(v, 2, lk))
      .transpose(1, 2)
      .reshape([n, lq, e]);
    return [F.linear(ctx, wOut, bOut), w.mean(1)] as const;
  }

  test(
    'nn.MultiheadAttention: float32 finite differences w.r.t. query, key, value (rtol 1e-2)',
    scoped(() => {
      T.manualSeed(3);
      const mha = new nn.MultiheadAttention(4, 2);
      const pad = bool([0, 0, 0, 1, 0, 0, 0, 0], [2, 4]);
      const f32 = (t: Tensor) => t.to('float32');
      const r = check(
        'mha float32',
        ([q, k, v]) => projAll(mha.forward(q, k, v, { keyPaddingMask: pad })),
        [f32(rnd([2, 3, 4])), f32(rnd([2, 4, 4])), f32(rnd([2, 4, 4]))],
        { eps: 1e-2, rtol: 1e-2, atol: 1e-3 },
      );
      assert.ok(r.checked === 24 + 32 + 32);
      mha.dispose();
    }),
  );

  test(
    'nn.MultiheadAttention matches a float64 reference, whose gradients pass gradcheck',
    scoped(() => {
      T.manualSeed(4);
      const mha = new nn.MultiheadAttention(4, 2);
      // Non-zero biases so the bias paths are exercised.
      T.noGrad(() => {
        mha.inProjBias!.copy_(rnd([12]));
        mha.outProj.bias!.copy_(rnd([4]));
      });
      const pad = bool([0, 0, 1, 0, 0, 0], [2, 3]);
      const q = rnd([2, 2, 4]);
      const k = rnd([2, 3, 4]);
      const v = rnd([2, 3, 4]);
      const p64 = [mha.inProjWeight, mha.inProjBias!, mha.outProj.weight, mha.outProj.bias!].map((p) => p.detach().to('float64'));
      const ref = (xs: Tensor[]) => projAll([...mhaReference(xs[0], xs[1], xs[2], xs[3], xs[4], xs[5], xs[6], 2, pad)]);
      check('mha reference', ref, [q, k, v, ...p64]);

      // The module (float32) agrees with the reference in value and in parameter/input gradients.
      const [out, w] = mha.forward(q.to('float32'), k.to('float32'), v.to('float32'), { keyPaddingMask: pad });
      const [rOut, rW] = mhaReference(q, k, v, p64[0], p64[1], p64[2], p64[3], 2, pad);
      assert.ok(out.to('float64').allclose(rOut, 1e-4, 1e-5), 'output differs from the reference');
      assert.ok(w.to('float64').allclose(rW, 1e-4, 1e-5), 'weights differ from the reference');
      const qq = q.to('float32').requiresGrad_();
      const loss = projAll(mha.forward(qq, k.to('float32'), v.to('float32'), { keyPaddingMask: pad }));
      loss.backward();
      const leaves64 = [q, ...p64].map((t) => t.clone().requiresGrad_());
      const refGrads = T.grad(ref([leaves64[0], k, v, ...leaves64.slice(1)]), leaves64);
      const modGrads = [qq.grad!, mha.inProjWeight.grad!, mha.inProjBias!.grad!, mha.outProj.weight.grad!, mha.outProj.bias!.grad!];
      modGrads.forEach((g, i) => assert.ok(g.to('float64').allclose(refGrads[i]!, 1e-3, 1e-5), `gradient ${i} differs from the reference`));
      mha.dispose();
    }),
  );
});

describe('losses', () => {
  const target = i64([0, 2, 1, 2]);
  const classWeight = tensor(new Float64Array([0.3, 1.0, 2.0]));
  test(
    'crossEntropy: class weights, label smoothing, reductions',
    scoped(() => {
      for (const reduction of ['mean', 'sum', 'none'] as const) {
        check(
          `crossEntropy weight+smoothing ${reduction}`,
          ([x]) => proj(F.crossEntropy(x, target, { weight: classWeight, labelSmoothing: 0.1, reduction })),
          [rnd([4, 3], -2, 2)],
        );
      }
      check('crossEntropy plain', ([x]) => F.crossEntropy(x, target), [rnd([4, 3], -2, 2)]);
      check('crossEntropy ignoreIndex', ([x]) => F.crossEntropy(x, i64([0, -100, 1, 2]), { weight: classWeight }), [rnd([4, 3], -2, 2)]);
      check('crossEntropy [N,C,L]', ([x]) => F.crossEntropy(x, i64([0, 2, 1, 1], [2, 2]), { labelSmoothing: 0.2 }), [
        rnd([2, 3, 2], -2, 2),
      ]);
    }),
  );
  test(
    'crossEntropy with probability targets (gradient w.r.t. logits and targets)',
    scoped(() => {
      const probs = rnd([4, 3], 0.1, 1).softmax(-1);
      check('crossEntropy probs', ([x, p]) => F.crossEntropy(x, p, { labelSmoothing: 0.1 }), [rnd([4, 3], -2, 2), probs]);
    }),
  );
  test(
    'nllLoss with weights and ignoreIndex',
    scoped(() => {
      check('nllLoss', ([x]) => F.nllLoss(x.logSoftmax(-1), target, { weight: classWeight }), [rnd([4, 3], -2, 2)]);
      check('nllLoss ignore 1, sum', ([x]) => F.nllLoss(x.logSoftmax(-1), target, { ignoreIndex: 1, reduction: 'sum' }), [
        rnd([4, 3], -2, 2),
      ]);
    }),
  );
  test(
    'mseLoss / l1Loss',
    scoped(() => {
      for (const reduction of ['mean', 'sum', 'none'] as const) {
        check(`mse ${reduction}`, ([a, b]) => proj(F.mseLoss(a, b, reduction)), [rnd([2, 3]), rnd([2, 3])]);
        const a = rnd([2, 3]);
        check(`l1 ${reduction}`, ([x, y]) => proj(F.l1Loss(x, y, reduction)), [a, a.add(away([2, 3], 0.1))]);
      }
    }),
  );
  test(
    'binaryCrossEntropy / binaryCrossEntropyWithLogits',
    scoped(() => {
      const t = rnd([2, 3], 0, 1);
      const w = rnd([3], 0.5, 2);
      check('bce', ([p]) => F.binaryCrossEntropy(p, t), [rnd([2, 3], 0.1, 0.9)]);
      check('bce weight sum', ([p]) => F.binaryCrossEntropy(p, t, { weight: w, reduction: 'sum' }), [rnd([2, 3], 0.1, 0.9)]);
      check('bce none', ([p]) => proj(F.binaryCrossEntropy(p, t, { reduction: 'none' })), [rnd([2, 3], 0.1, 0.9)]);
      check('bceWithLogits', ([x]) => F.binaryCrossEntropyWithLogits(x, t), [rnd([2, 3], -3, 3)]);
      const posWeight = rnd([3], 0.5, 3);
      check('bceWithLogits weight posWeight', ([x]) => F.binaryCrossEntropyWithLogits(x, t, { weight: w, posWeight }), [
        rnd([2, 3], -3, 3),
      ]);
    }),
  );
});

describe('spectral', () => {
  test(
    'stft magnitude (hann window, center, reflect padding)',
    scoped(() => {
      const win = F.hannWindow(16).to('float64');
      const mag = (x: Tensor) => {
        const s = F.stft(x, { nFft: 16, hopSamples: 4, window: win });
        return s.square().sum(-1).add(1e-12).sqrt();
      };
      assert.deepEqual(F.stft(rnd([40]), { nFft: 16, hopSamples: 4, window: win }).shape, [9, 11, 2]);
      check('stft |X|', ([x]) => proj(mag(x)), [rnd([40])]);
      check(
        'stft |X| batched, no center',
        ([x]) =>
          proj(
            F.stft(x, { nFft: 8, hopSamples: 2, window: F.hannWindow(8).to('float64'), center: false })
              .square()
              .sum(-1)
              .add(1e-12)
              .sqrt(),
          ),
        [rnd([2, 20])],
      );
    }),
  );
  test(
    'rfft magnitude / irfft',
    scoped(() => {
      check('rfft |X|', ([x]) => proj(F.rfft(x).square().sum(-1).add(1e-12).sqrt()), [rnd([2, 12])]);
      check('rfft ortho, n=16', ([x]) => proj(F.rfft(x, 16, -1, 'ortho')), [rnd([10])]);
      check('irfft', ([z]) => proj(F.irfft(z, 8)), [rnd([5, 2])]);
    }),
  );
});

describe('grad() (torch.autograd.grad)', () => {
  test(
    '∂/∂x of Σ tanh(Wx + b) equals Wᵀ(1 − tanh²) and leaves parameter .grad untouched',
    scoped(() => {
      const w = rnd([3, 4]).requiresGrad_();
      const b = rnd([3]).requiresGrad_();
      const x = rnd([4]).requiresGrad_();
      // A pre-existing gradient on b must survive unchanged; w has none and must keep none.
      b.grad = T.full([3], 7, 'float64');
      const y = F.linear(x, w, b).tanh();
      const [gx] = T.grad(y.sum(), x);
      const yv = y.toArray() as Float64Array;
      const wv = w.toArray() as Float64Array;
      const expected = Array.from({ length: 4 }, (_, j) => [0, 1, 2].reduce((s, i) => s + wv[i * 4 + j] * (1 - yv[i] ** 2), 0));
      const got = Array.from(gx!.toArray() as Float64Array);
      got.forEach((g, j) => assert.ok(Math.abs(g - expected[j]) < 1e-12, `dx[${j}] = ${g}, expected ${expected[j]}`));
      assert.equal(w.grad, null);
      assert.equal(x.grad, null);
      assert.deepEqual(Array.from(b.grad!.toArray() as Float64Array), [7, 7, 7]);
    }),
  );
  test(
    'several inputs, unused input gives null, gradOutputs weight a non-scalar output',
    scoped(() => {
      const a = rnd([3]).requiresGrad_();
      const b = rnd([3]).requiresGrad_();
      const unused = rnd([2]).requiresGrad_();
      const y = a.mul(b);
      const go = tensor(new Float64Array([1, -2, 0.5]));
      const [ga, gb, gu] = T.grad(y, [a, b, unused], { gradOutputs: [go] });
      assert.equal(gu, null);
      assert.ok(ga!.allclose(b.mul(go)), 'd(a·b)/da weighted by gradOutputs');
      assert.ok(gb!.allclose(a.mul(go)), 'd(a·b)/db weighted by gradOutputs');
    }),
  );
  test(
    'createGraph gives a differentiable gradient (second derivative of x³ is 6x)',
    scoped(() => {
      const x = rnd([4]).requiresGrad_();
      const [g1] = T.grad(x.pow(3).sum(), x, { createGraph: true });
      assert.ok(g1!.requiresGrad);
      const [g2] = T.grad(g1!.sum(), x);
      assert.ok(g2!.allclose(x.detach().mul(6), 1e-12, 1e-12));
    }),
  );
  test(
    'retainGraph allows a second grad() through the same graph; without it the graph is freed',
    scoped(() => {
      const x = rnd([3]).requiresGrad_();
      const y = x.exp().sum();
      const [first] = T.grad(y, x, { retainGraph: true });
      const [second] = T.grad(y, x);
      assert.ok(first!.equal(second!));
      assert.throws(() => T.grad(y, x), /backward through the graph a second time|freed/i);
    }),
  );
});

describe('modules against finite differences (float32, rtol 1e-2)', () => {
  const f32 = (t: Tensor) => t.to('float32');
  const opts = { eps: 1e-2, rtol: 1e-2, atol: 1e-3 };
  test(
    'Linear, Conv1d, Conv2d, LayerNorm, BatchNorm1d (train) w.r.t. the input',
    scoped(() => {
      T.manualSeed(5);
      const mods: [string, nn.UnaryModule, number[]][] = [
        ['Linear', new nn.Linear(4, 3), [2, 4]],
        ['Conv1d', new nn.Conv1d(2, 3, 3, { padding: 1, stride: 2 }), [1, 2, 6]],
        ['Conv2d', new nn.Conv2d(2, 2, [2, 3], { padding: [1, 0] }), [1, 2, 3, 4]],
        ['LayerNorm', new nn.LayerNorm(4), [2, 4]],
        ['BatchNorm1d', new nn.BatchNorm1d(3), [4, 3]],
      ];
      for (const [name, m, shape] of mods) {
        check(name, ([x]) => proj(m.forward(x)), [f32(rnd(shape))], opts);
        m.dispose();
      }
    }),
  );
  test(
    'nn.LSTM / nn.GRU modules w.r.t. the input and equal to F.lstm / F.gru with float64 copies of their parameters',
    scoped(() => {
      T.manualSeed(6);
      const lstm = new nn.LSTM(3, 2, { numLayers: 2, bidirectional: true });
      const gru = new nn.GRU(3, 2, { numLayers: 2, bidirectional: true });
      const x = rnd([2, 3, 3], -1, 1);
      check(
        'nn.LSTM',
        ([xi]) => {
          const [out, [h, c]] = lstm.forward(xi);
          return projAll([out, h, c]);
        },
        [f32(x)],
        opts,
      );
      check('nn.GRU', ([xi]) => projAll(gru.forward(xi)), [f32(x)], opts);
      // The module hands its parameters to F.lstm in PyTorch's flat order: recompute in float64.
      const p64 = lstm.parameters().map((p) => p.detach().to('float64'));
      const [o64] = F.lstm(x, null, { params: p64, numLayers: 2, bidirectional: true, batchFirst: true });
      const [o32] = lstm.forward(f32(x));
      assert.ok(o32.to('float64').allclose(o64, 1e-4, 1e-5));
      lstm.dispose();
      gru.dispose();
    }),
  );
});
