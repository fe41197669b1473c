/**
 * Engine op results against values computed by hand or with plain JS loops in the test:
 * creation and dtypes, broadcasting and type promotion, reductions, indexing, joining,
 * convolution/pooling/recurrent cells against reference loops, normalization, dropout, losses,
 * spectral transforms, seeding and threads, and tensor lifetime (tidy/keep/dispose/noGrad).
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as T from '../../src/engine/index.js';
import { makeRng } from '../../src/core/index.js';
import { F, nn, tensor, tidy, keep, type Tensor } from '../../src/engine/index.js';

const scoped = (fn: () => void) => () => tidy(fn);
/** Plain numbers out of any tensor (BigInt and bool included). */
const vals = (t: Tensor): number[] => Array.from(t.toArray() as ArrayLike<number | bigint>, Number);
function close(actual: ArrayLike<number> | Tensor, expected: ArrayLike<number>, tol = 1e-5, msg = ''): void {
  const a = 'handle' in actual ? vals(actual) : Array.from(actual);
  assert.equal(a.length, expected.length, `${msg} length ${a.length} ≠ ${expected.length}`);
  for (let i = 0; i < a.length; i++) {
    const ok =
      Math.abs(a[i] - expected[i]) <= tol * Math.max(1, Math.abs(expected[i])) || (Number.isNaN(a[i]) && Number.isNaN(expected[i]));
    assert.ok(
      ok,
      `${msg}[${i}]: got ${a[i]}, expected ${expected[i]} (tol ${tol})\n  got      ${a.join(', ')}\n  expected ${Array.from(expected).join(', ')}`,
    );
  }
}
const f64 = (values: number[], shape = [values.length]) => tensor(Float64Array.from(values), shape);
const i64 = (values: number[], shape = [values.length]) =>
  tensor(
    BigInt64Array.from(values, (v) => BigInt(v)),
    shape,
  );
const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));
/** Uniform [0, 1) numbers from the project's seeded JS generator (independent of the engine's). */
function prng(seed: number): () => number {
  const r = makeRng(seed);
  return () => r.next();
}
function randArr(n: number, seed: number, lo = -1, hi = 1): number[] {
  const r = prng(seed);
  return Array.from({ length: n }, () => lo + (hi - lo) * r());
}

describe('creation, dtypes, shapes', () => {
  test(
    'every typed array round-trips with its dtype',
    scoped(() => {
      const cases: [ArrayLike<number | bigint> & { constructor: unknown }, string, T.DType | undefined][] = [
        [new Float32Array([1.5, -2.25, 3e-8, 0]), 'float32', undefined],
        [new Float64Array([Math.PI, -1e300, 5e-324, -0]), 'float64', undefined],
        [new BigInt64Array([2n ** 53n + 1n, -(2n ** 63n), 2n ** 63n - 1n, 0n]), 'int64', undefined],
        [new Int32Array([-2147483648, 2147483647, 7, 0]), 'int32', undefined],
        [new Uint8Array([1, 0, 1, 1]), 'bool', 'bool'],
        [new Uint8Array([255, 0, 7, 1]), 'uint8', undefined],
      ];
      for (const [data, dtype, asked] of cases) {
        const t = tensor(data as T.TypedArray, [2, 2], asked);
        assert.equal(t.dtype, dtype);
        assert.deepEqual(t.shape, [2, 2]);
        assert.equal(t.numel, 4);
        assert.equal(t.ndim, 2);
        const out = t.toArray();
        assert.equal(out.constructor, data.constructor, `${dtype}: toArray type`);
        assert.deepEqual(Array.from(out as ArrayLike<number>), Array.from(data as ArrayLike<number>), `${dtype}: values`);
      }
    }),
  );
  test(
    'the data is copied in and out (no aliasing with the JS array)',
    scoped(() => {
      const src = new Float32Array([1, 2, 3]);
      const t = tensor(src);
      src[0] = 99;
      assert.deepEqual(vals(t), [1, 2, 3]);
      const out = t.toArray() as Float32Array;
      out[1] = 99;
      assert.deepEqual(vals(t), [1, 2, 3]);
    }),
  );
  test(
    'nested JS arrays with a dtype, scalars, empty tensors, toNested',
    scoped(() => {
      const a = tensor(
        [
          [1, 2, 3],
          [4, 5, 6],
        ],
        undefined,
        'int64',
      );
      assert.equal(a.dtype, 'int64');
      assert.ok(a.toArray() instanceof BigInt64Array);
      assert.deepEqual(a.toNested(), [
        [1, 2, 3],
        [4, 5, 6],
      ]);
      assert.equal(tensor([[1.5], [2.5]]).dtype, 'float32');
      assert.deepEqual(tensor([1.5, 0, -2], undefined, 'bool').toNested(), [1, 0, 1]);
      assert.deepEqual(tensor([3.9, -3.9], undefined, 'int32').toNested(), [3, -3]);
      const s = T.scalar(2.5, 'float64');
      assert.deepEqual(s.shape, []);
      assert.equal(s.numel, 1);
      assert.equal(s.ndim, 0);
      assert.equal(s.item(), 2.5);
      assert.equal(tensor(7).item(), 7);
      const e = T.zeros([0, 3]);
      assert.equal(e.numel, 0);
      assert.deepEqual(e.shape, [0, 3]);
      assert.equal(e.toArray().length, 0);
      assert.equal(T.scalar(1, 'bool').item(), 1);
      assert.equal(
        tensor(new Float32Array([1, 2, 3, 4, 5, 6]), [3, 2])
          .toNested()!
          .toString(),
        [
          [1, 2],
          [3, 4],
          [5, 6],
        ].toString(),
      );
    }),
  );
  test(
    'factories: zeros/ones/full/eye/arange/linspace/zerosLike/onesLike and .to()',
    scoped(() => {
      assert.deepEqual(vals(T.zeros([2, 2], 'int32')), [0, 0, 0, 0]);
      assert.equal(T.ones([3], 'float64').dtype, 'float64');
      assert.deepEqual(vals(T.full([2], 3.5)), [3.5, 3.5]);
      assert.deepEqual(vals(T.eye(3)), [1, 0, 0, 0, 1, 0, 0, 0, 1]);
      const ar = T.arange(2, 7, 2);
      assert.equal(ar.dtype, 'int64');
      assert.deepEqual(vals(ar), [2, 4, 6]);
      assert.equal(T.arange(0, 1, 0.25).dtype, 'float32');
      close(T.arange(0, 1, 0.25), [0, 0.25, 0.5, 0.75]);
      close(T.linspace(-1, 1, 5), [-1, -0.5, 0, 0.5, 1]);
      const base = tensor([[1, 2]], undefined, 'float64');
      assert.equal(T.zerosLike(base).dtype, 'float64');
      assert.deepEqual(T.onesLike(base).shape, [1, 2]);
      // float → int truncates toward zero; → bool is "non-zero".
      assert.deepEqual(vals(tensor([2.7, -2.7, 0.4]).to('int64')), [2, -2, 0]);
      assert.deepEqual(vals(tensor([2.7, 0, -0.1]).to('bool')), [1, 0, 1]);
      assert.deepEqual(vals(T.oneHot(i64([2, 0]), 3)), [0, 0, 1, 1, 0, 0]);
    }),
  );
});

describe('arithmetic, broadcasting, type promotion', () => {
  test(
    'broadcasting tensor ∘ tensor and tensor ∘ number',
    scoped(() => {
      const a = tensor([
        [1, 2, 3],
        [4, 5, 6],
      ]);
      const b = tensor([10, 20, 30]);
      const c = tensor([[100], [200]]);
      assert.deepEqual(vals(a.add(b)), [11, 22, 33, 14, 25, 36]);
      assert.deepEqual(vals(a.sub(c)), [-99, -98, -97, -196, -195, -194]);
      assert.deepEqual(vals(a.mul(b)), [10, 40, 90, 40, 100, 180]);
      close(a.div(c), [0.01, 0.02, 0.03, 0.02, 0.025, 0.03]);
      assert.deepEqual(vals(b.add(c)), [110, 120, 130, 210, 220, 230]);
      assert.deepEqual(b.add(c).shape, [2, 3]);
      assert.deepEqual(vals(a.add(1).mul(2).sub(3)), [1, 3, 5, 7, 9, 11]);
      close(a.pow(2), [1, 4, 9, 16, 25, 36]);
      close(a.pow(b.div(10)), [1, 4, 27, 4, 25, 216]);
      assert.deepEqual(vals(a.maximum(3.5)), [3.5, 3.5, 3.5, 4, 5, 6]);
      assert.deepEqual(vals(a.minimum(tensor([2, 9, 0]))), [1, 2, 0, 2, 5, 0]);
      assert.deepEqual(vals(a.clamp(2, 5)), [2, 2, 3, 4, 5, 5]);
      assert.deepEqual(vals(a.clamp(undefined, 2)), [1, 2, 2, 2, 2, 2]);
      close(tensor([-7, 7, -7.5]).remainder(3), [2, 1, 1.5]); // Python semantics: sign of the divisor
      assert.deepEqual(vals(a.neg().abs()), [1, 2, 3, 4, 5, 6]);
      close(tensor([0.5, 4]).sqrt(), [Math.SQRT1_2, 2]);
      close(tensor([0, 1]).exp(), [1, Math.E]);
      close(tensor([1.5, -1.5, 2.5]).round(), [2, -2, 2]); // round half to even
      close(tensor([1.5, -1.5]).floor(), [1, -2]);
    }),
  );
  test(
    'comparisons and logic give bool tensors',
    scoped(() => {
      const a = tensor([1, 2, 3, 4]);
      const gt = a.gt(2);
      assert.equal(gt.dtype, 'bool');
      assert.deepEqual(vals(gt), [0, 0, 1, 1]);
      assert.deepEqual(vals(a.le(tensor([2, 2, 2, 2]))), [1, 1, 0, 0]);
      assert.deepEqual(vals(a.eq(2).logicalOr(a.eq(4))), [0, 1, 0, 1]);
      assert.deepEqual(vals(a.ne(2).logicalAnd(a.lt(4))), [1, 0, 1, 0]);
      assert.deepEqual(vals(a.ge(3).logicalNot()), [1, 1, 0, 0]);
      assert.equal(a.gt(0).all(), true);
      assert.equal(a.gt(3).any(), true);
      assert.equal(a.gt(4).any(), false);
      assert.deepEqual(vals(tensor([0, NaN, Infinity]).isnan()), [0, 1, 0]);
      assert.deepEqual(vals(tensor([0, NaN, Infinity]).isfinite()), [1, 0, 0]);
    }),
  );
  test(
    'type promotion between tensors follows torch',
    scoped(() => {
      const i64t = i64([1, 2]);
      const i32t = tensor(new Int32Array([1, 2]));
      const f32t = tensor([0.5, 0.5]);
      const f64t = f64([0.5, 0.5]);
      const boolT = tensor(new Uint8Array([1, 0]), [2], 'bool');
      assert.equal(i64t.add(f32t).dtype, 'float32');
      assert.deepEqual(vals(i64t.add(f32t)), [1.5, 2.5]);
      assert.equal(i64t.add(f64t).dtype, 'float64');
      assert.equal(i32t.add(i64t).dtype, 'int64');
      assert.equal(f32t.add(f64t).dtype, 'float64');
      assert.equal(boolT.add(i64t).dtype, 'int64');
      assert.equal(i64t.mul(i64t).dtype, 'int64');
      // True division of integers gives floats.
      const q = i64([7, -7]).div(i64([2, 2]));
      assert.equal(q.dtype, 'float32');
      assert.deepEqual(vals(q), [3.5, -3.5]);
    }),
  );
  test(
    'int64 tensor with a fractional JS number promotes to float32 (Python float scalar)',
    scoped(() => {
      const r = i64([1, 2]).add(1.5);
      assert.equal(r.dtype, 'float32');
      assert.deepEqual(vals(r), [2.5, 3.5]);
      assert.equal(f64([1]).mul(2).dtype, 'float64', 'a number never widens a float tensor');
      assert.equal(tensor([1]).mul(2).dtype, 'float32');
    }),
  );
  test(
    'integral JS numbers act as Python ints: integer tensors stay integral',
    scoped(() => {
      assert.equal(i64([1, 2]).add(1).dtype, 'int64');
      assert.deepEqual(vals(i64([1, 2]).mul(3)), [3, 6]);
      assert.equal(tensor(new Int32Array([1])).sub(1).dtype, 'int32');
      assert.equal(T.arange(0, 3).add(-2).dtype, 'int64');
      // ... and non-finite ones are floats.
      assert.equal(i64([1]).add(Infinity).dtype, 'float32');
      // Integer division and comparison semantics.
      assert.equal(i64([7]).div(2).dtype, 'float32');
      assert.deepEqual(vals(i64([-7, 7]).remainder(3)), [2, 1]);
      assert.deepEqual(vals(T.where(i64([1, 0]).gt(0), 1, 0)), [1, 0]);
      // In-place integer updates keep the dtype (BatchNorm's num_batches_tracked).
      const n = i64([0], []);
      n.add_(1);
      n.add_(1);
      assert.equal(n.dtype, 'int64');
      assert.equal(n.item(), 2);
    }),
  );
});

describe('linear algebra and reductions', () => {
  test(
    'matmul by hand (2-D, batched, vector)',
    scoped(() => {
      const a = tensor([
        [1, 2, 3],
        [4, 5, 6],
      ]);
      const b = tensor([
        [7, 8],
        [9, 10],
        [11, 12],
      ]);
      assert.deepEqual(vals(a.matmul(b)), [58, 64, 139, 154]);
      assert.deepEqual(vals(tensor([1, 2, 3]).matmul(tensor([4, 5, 6]))), [32]);
      assert.deepEqual(vals(a.matmul(tensor([1, 0, -1]))), [-2, -2]);
      const batched = T.stack([a, a.mul(2)]).matmul(b);
      assert.deepEqual(batched.shape, [2, 2, 2]);
      assert.deepEqual(vals(batched), [58, 64, 139, 154, 116, 128, 278, 308]);
      close(F.linear(a, tensor([[1, 1, 1]]), tensor([0.5])), [6.5, 15.5]);
      assert.deepEqual(vals(T.einsum('ij,kj->ik', a, a)), [14, 32, 32, 77]);
      assert.deepEqual(vals(T.outer(tensor([1, 2]), tensor([3, 4, 5]))), [3, 4, 5, 6, 8, 10]);
    }),
  );
  test(
    'sum / mean / amax / amin / var / std / norm with dims and keepdim',
    scoped(() => {
      const x = tensor([
        [1, 2, 3],
        [4, 5, 7],
      ]);
      assert.deepEqual(vals(x.sum()), [22]);
      assert.deepEqual(x.sum().shape, []);
      assert.deepEqual(vals(x.sum(0)), [5, 7, 10]);
      const k = x.sum(1, true);
      assert.deepEqual(k.shape, [2, 1]);
      assert.deepEqual(vals(k), [6, 16]);
      assert.deepEqual(x.sum([0, 1], true).shape, [1, 1]);
      close(x.mean(1), [2, 16 / 3]);
      close(x.mean(-2, true), [2.5, 3.5, 5]);
      assert.deepEqual(vals(x.amax(1)), [3, 7]);
      assert.deepEqual(vals(x.amin(0)), [1, 2, 3]);
      assert.equal(x.max().item(), 7);
      assert.equal(x.min().item(), 1);
      // Row 2: mean 16/3, squared deviations sum = (4-16/3)² + (5-16/3)² + (7-16/3)² = 42/9.
      close(x.var(1), [1, 42 / 9 / 2]);
      close(x.var(1, false), [2 / 3, 42 / 9 / 3]);
      close(x.std(1), [1, Math.sqrt(42 / 9 / 2)]);
      close(x.var(), [
        ((22 / 6 - 1) ** 2 + (22 / 6 - 2) ** 2 + (22 / 6 - 3) ** 2 + (22 / 6 - 4) ** 2 + (22 / 6 - 5) ** 2 + (22 / 6 - 7) ** 2) / 5,
      ]);
      close(x.norm(), [Math.sqrt(1 + 4 + 9 + 16 + 25 + 49)]);
      close(x.norm(1, 1), [6, 16]);
      close(tensor([3, -4]).norm(Infinity), [4]);
      close(x.logsumexp(1), [Math.log(Math.exp(1) + Math.exp(2) + Math.exp(3)), Math.log(Math.exp(4) + Math.exp(5) + Math.exp(7))]);
      assert.deepEqual(vals(x.cumsum(1)), [1, 3, 6, 4, 9, 16]);
      const [mv, mi] = x.maxDim(0);
      assert.deepEqual(
        [vals(mv), vals(mi)],
        [
          [4, 5, 7],
          [1, 1, 1],
        ],
      );
    }),
  );
  test(
    'argmax / argmin / topk / sort',
    scoped(() => {
      const x = tensor([
        [1, 5, 2],
        [7, 0, 6],
      ]);
      assert.deepEqual(vals(x.argmax(1)), [1, 0]);
      assert.equal(x.argmax(1).dtype, 'int64');
      assert.deepEqual(vals(x.argmax()), [3]);
      assert.deepEqual(x.argmax(0, true).shape, [1, 3]);
      assert.deepEqual(vals(x.argmin(1)), [0, 1]);
      const [v, i] = T.topk(tensor([3, 1, 4, 1.5, 5, 9, 2, 6]), 3);
      assert.deepEqual(vals(v), [9, 6, 5]);
      assert.deepEqual(vals(i), [5, 7, 4]);
      const [sv, si] = T.topk(tensor([3, 1, 4, 1.5, 5]), 2, -1, false);
      assert.deepEqual(
        [vals(sv), vals(si)],
        [
          [1, 1.5],
          [1, 3],
        ],
      );
      const [tv] = T.topk(x, 2, 1);
      assert.deepEqual(vals(tv), [5, 2, 7, 6]);
      const [asc, ascI] = T.sort(tensor([3, 1, 4, 1.5, 5]));
      assert.deepEqual(
        [vals(asc), vals(ascI)],
        [
          [1, 1.5, 3, 4, 5],
          [1, 3, 0, 2, 4],
        ],
      );
      const [desc, descI] = T.sort(x, 1, true);
      assert.deepEqual(
        [vals(desc), vals(descI)],
        [
          [5, 2, 1, 7, 6, 0],
          [1, 2, 0, 0, 2, 1],
        ],
      );
    }),
  );
});

describe('indexing', () => {
  const x = () => T.arange(0, 10).reshape([2, 5]); // [[0..4],[5..9]]
  test(
    'slice with negative indices and steps, narrow, select',
    scoped(() => {
      assert.deepEqual(vals(x().slice(1, -3, -1)), [2, 3, 7, 8]);
      assert.deepEqual(vals(x().slice(1, 1, undefined, 2)), [1, 3, 6, 8]);
      assert.deepEqual(vals(x().slice(1, undefined, -4)), [0, 5]);
      assert.deepEqual(vals(x().slice(0, -1)), [5, 6, 7, 8, 9]);
      assert.deepEqual(x().slice(1, 3, 100).shape, [2, 2]); // clamped like Python
      assert.deepEqual(vals(x().narrow(1, 3, 2)), [3, 4, 8, 9]);
      assert.deepEqual(vals(x().select(0, -1)), [5, 6, 7, 8, 9]);
      assert.deepEqual(vals(x().select(1, 2)), [2, 7]);
      assert.deepEqual(x().select(1, 2).shape, [2]);
    }),
  );
  test(
    'index with tensors, indexSelect, gather, scatter, maskedFill, where',
    scoped(() => {
      assert.deepEqual(vals(x().index([i64([1, 0]), i64([4, 2])])), [9, 2]);
      assert.deepEqual(vals(x().index([null, i64([0, 0, 3])])), [0, 0, 3, 5, 5, 8]);
      assert.deepEqual(vals(x().index([tensor(new Uint8Array([0, 1]), [2], 'bool')])), [5, 6, 7, 8, 9]);
      assert.deepEqual(vals(x().indexSelect(1, i64([4, 1]))), [4, 1, 9, 6]);
      assert.deepEqual(vals(x().gather(1, i64([0, 4, 1, 3], [2, 2]))), [0, 4, 6, 8]);
      assert.deepEqual(vals(T.scatter(T.zeros([2, 3]), 1, i64([2, 0], [2, 1]), tensor([[5], [6]]))), [0, 0, 5, 6, 0, 0]);
      const m = x().gt(6);
      assert.deepEqual(vals(x().maskedFill(m, -1)), [0, 1, 2, 3, 4, 5, 6, -1, -1, -1]);
      assert.deepEqual(vals(T.where(m, x(), x().neg())), [0, -1, -2, -3, -4, -5, -6, 7, 8, 9]);
      assert.deepEqual(vals(T.where(m, 1, 0)), [0, 0, 0, 0, 0, 0, 0, 1, 1, 1]);
      close(T.where(tensor([1, 0], undefined, 'bool'), tensor([0.5, 0.5]), 2), [0.5, 2]);
    }),
  );
  test(
    'cat / stack / split / chunk / unbind / permute / transpose / flip',
    scoped(() => {
      const a = tensor([
        [1, 2],
        [3, 4],
      ]);
      const b = tensor([[5, 6]]);
      assert.deepEqual(vals(T.cat([a, b])), [1, 2, 3, 4, 5, 6]);
      assert.deepEqual(T.cat([a, b]).shape, [3, 2]);
      assert.deepEqual(vals(T.cat([a, a], 1)), [1, 2, 1, 2, 3, 4, 3, 4]);
      const s = T.stack([a, a.mul(10)], 1);
      assert.deepEqual(s.shape, [2, 2, 2]);
      assert.deepEqual(vals(s), [1, 2, 10, 20, 3, 4, 30, 40]);
      const parts = T.split(T.arange(0, 7), 3);
      assert.deepEqual(parts.map(vals), [[0, 1, 2], [3, 4, 5], [6]]);
      assert.deepEqual(T.chunk(T.arange(0, 7), 3).map(vals), [[0, 1, 2], [3, 4, 5], [6]]);
      assert.deepEqual(T.chunk(T.arange(0, 6), 4).map(vals), [
        [0, 1],
        [2, 3],
        [4, 5],
      ]);
      assert.deepEqual(T.split(a, 1, 1).map(vals), [
        [1, 3],
        [2, 4],
      ]);
      assert.deepEqual(T.unbind(a, 1).map(vals), [
        [1, 3],
        [2, 4],
      ]);
      const p = T.arange(0, 6).reshape([1, 2, 3]).permute([2, 0, 1]);
      assert.deepEqual(p.shape, [3, 1, 2]);
      assert.deepEqual(vals(p), [0, 3, 1, 4, 2, 5]);
      assert.deepEqual(vals(a.transpose(0, 1)), [1, 3, 2, 4]);
      assert.deepEqual(vals(a.flip([1])), [2, 1, 4, 3]);
      assert.deepEqual(vals(b.expand([2, 2])), [5, 6, 5, 6]);
      assert.deepEqual(vals(b.repeat([1, 2])), [5, 6, 5, 6]);
      assert.deepEqual(a.unsqueeze(0).shape, [1, 2, 2]);
      assert.deepEqual(b.squeeze().shape, [2]);
      assert.deepEqual(T.zeros([2, 3, 4]).flatten(1).shape, [2, 12]);
      assert.deepEqual(
        vals(
          T.tril(
            tensor([
              [1, 2],
              [3, 4],
            ]),
          ),
        ),
        [1, 0, 3, 4],
      );
      assert.deepEqual(vals(F.pad(tensor([[[1, 2, 3]]]), [2, 1], 'reflect')), [3, 2, 1, 2, 3, 2]);
      assert.deepEqual(vals(F.pad(tensor([[[1, 2, 3]]]), [1, 2], 'replicate')), [1, 1, 2, 3, 3, 3]);
      assert.deepEqual(vals(F.pad(tensor([[[1, 2, 3]]]), [1, 1], 'constant', 9)), [9, 1, 2, 3, 9]);
      assert.deepEqual(vals(F.pad(tensor([[[1, 2, 3]]]), [1, 1], 'circular')), [3, 1, 2, 3, 1]);
      assert.ok(
        a.equal(
          tensor([
            [1, 2],
            [3, 4],
          ]),
        ),
      );
      assert.ok(
        !a.equal(
          tensor([
            [1, 2],
            [3, 5],
          ]),
        ),
      );
      assert.ok(a.allclose(a.add(1e-7)));
    }),
  );
});

describe('convolution, pooling, recurrent cells against JS loops', () => {
  /** Direct conv1d loop (zero padding, groups). */
  function conv1dRef(
    x: number[],
    [n, cin, l]: number[],
    w: number[],
    [cout, cinG, k]: number[],
    b: number[] | null,
    stride: number,
    pad: number,
    dil: number,
    groups: number,
  ) {
    const lout = Math.floor((l + 2 * pad - dil * (k - 1) - 1) / stride) + 1;
    const out: number[] = [];
    const coutG = cout / groups;
    for (let bi = 0; bi < n; bi++) {
      for (let co = 0; co < cout; co++) {
        const g = Math.floor(co / coutG);
        for (let t = 0; t < lout; t++) {
          let s = b ? b[co] : 0;
          for (let ci = 0; ci < cinG; ci++) {
            for (let kk = 0; kk < k; kk++) {
              const pos = t * stride - pad + kk * dil;
              if (pos < 0 || pos >= l) continue;
              s += w[(co * cinG + ci) * k + kk] * x[(bi * cin + g * cinG + ci) * l + pos];
            }
          }
          out.push(s);
        }
      }
    }
    return { out, lout };
  }
  test(
    'conv1d (stride, padding, dilation, bias) and grouped conv1d',
    scoped(() => {
      const xs = [2, 3, 9];
      const ws = [4, 3, 3];
      const x = randArr(54, 1);
      const w = randArr(36, 2);
      const b = randArr(4, 3);
      const ref = conv1dRef(x, xs, w, ws, b, 2, 1, 2, 1);
      const y = F.conv1d(f64(x, xs), f64(w, ws), f64(b), { stride: 2, padding: 1, dilation: 2 });
      assert.deepEqual(y.shape, [2, 4, ref.lout]);
      close(y, ref.out, 1e-12);
      const wg = randArr(4 * 1 * 2, 4);
      const xg = randArr(1 * 2 * 5, 5);
      const refG = conv1dRef(xg, [1, 2, 5], wg, [4, 1, 2], null, 1, 0, 1, 2);
      close(F.conv1d(f64(xg, [1, 2, 5]), f64(wg, [4, 1, 2]), null, { groups: 2 }), refG.out, 1e-12);
      // nn.Conv1d forwards its options.
      const m = new nn.Conv1d(3, 4, 3, { stride: 2, padding: 1, dilation: 2 });
      const mw = vals(m.weight);
      const mb = vals(m.bias!);
      close(m.forward(f64(x, xs).to('float32')), conv1dRef(x, xs, mw, ws, mb, 2, 1, 2, 1).out, 1e-5);
      m.dispose();
    }),
  );
  test(
    'maxPool2d (kernel 3, stride 2, padding 1) and avgPool2d against loops',
    scoped(() => {
      const [n, c, h, w] = [1, 2, 7, 6];
      const x = randArr(n * c * h * w, 7, -5, 5);
      const [k, s, p] = [3, 2, 1];
      const ho = Math.floor((h + 2 * p - k) / s) + 1;
      const wo = Math.floor((w + 2 * p - k) / s) + 1;
      const maxRef: number[] = [];
      const avgRef: number[] = [];
      for (let ci = 0; ci < c; ci++) {
        for (let i = 0; i < ho; i++) {
          for (let j = 0; j < wo; j++) {
            let m = -Infinity;
            let sum = 0;
            for (let di = 0; di < k; di++) {
              for (let dj = 0; dj < k; dj++) {
                const r = i * s - p + di;
                const q = j * s - p + dj;
                if (r < 0 || r >= h || q < 0 || q >= w) continue;
                const v = x[(ci * h + r) * w + q];
                m = Math.max(m, v);
                sum += v;
              }
            }
            maxRef.push(m);
            avgRef.push(sum / (k * k)); // countIncludePad (the default) divides by the full window
          }
        }
      }
      const xt = f64(x, [n, c, h, w]);
      const y = F.maxPool2d(xt, k, { stride: s, padding: p });
      assert.deepEqual(y.shape, [n, c, ho, wo]);
      close(y, maxRef, 1e-12);
      close(F.avgPool2d(xt, k, { stride: s, padding: p }), avgRef, 1e-12);
      close(F.maxPool1d(f64([1, 5, 2, 8, 3, 0], [1, 1, 6]), 2), [5, 8, 3]);
      close(F.adaptiveAvgPool1d(f64([1, 2, 3, 4, 5, 6], [1, 1, 6]), 2), [2, 5]);
      close(F.adaptiveMaxPool2d(f64([1, 2, 3, 4], [1, 1, 2, 2]), 1), [4]);
    }),
  );

  const H = 3;
  const IN = 2;
  const matVec = (m: number[], rows: number, cols: number, v: number[], row0 = 0) =>
    Array.from({ length: rows }, (_, r) => v.reduce((s, x, c) => s + m[(row0 + r) * cols + c] * x, 0));
  test(
    'LSTM steps equal the gate equations (i, f, g, o)',
    scoped(() => {
      const wIh = randArr(4 * H * IN, 11);
      const wHh = randArr(4 * H * H, 12);
      const bIh = randArr(4 * H, 13);
      const bHh = randArr(4 * H, 14);
      const xs = randArr(2 * 2 * IN, 15); // [batch 2, time 2, IN]
      const h0 = randArr(2 * H, 16);
      const c0 = randArr(2 * H, 17);
      const expOut: number[][] = [[], []];
      const hN: number[] = [];
      const cN: number[] = [];
      for (let b = 0; b < 2; b++) {
        let h = h0.slice(b * H, b * H + H);
        let c = c0.slice(b * H, b * H + H);
        for (let t = 0; t < 2; t++) {
          const x = xs.slice((b * 2 + t) * IN, (b * 2 + t) * IN + IN);
          const gate = (k: number) => {
            const gi = matVec(wIh, H, IN, x, k * H);
            const gh = matVec(wHh, H, H, h, k * H);
            return gi.map((v, r) => v + gh[r] + bIh[k * H + r] + bHh[k * H + r]);
          };
          const i = gate(0).map(sigmoid);
          const f = gate(1).map(sigmoid);
          const g = gate(2).map(Math.tanh);
          const o = gate(3).map(sigmoid);
          c = c.map((cv, r) => f[r] * cv + i[r] * g[r]);
          h = c.map((cv, r) => o[r] * Math.tanh(cv));
          expOut[b].push(...h);
        }
        hN.push(...h);
        cN.push(...c);
      }
      const params = [f64(wIh, [4 * H, IN]), f64(wHh, [4 * H, H]), f64(bIh), f64(bHh)];
      const [out, h, c] = F.lstm(f64(xs, [2, 2, IN]), [f64(h0, [1, 2, H]), f64(c0, [1, 2, H])], {
        params,
        numLayers: 1,
        bidirectional: false,
        batchFirst: true,
      });
      close(out, [...expOut[0], ...expOut[1]], 1e-12, 'output');
      close(h, hN, 1e-12, 'h_n');
      close(c, cN, 1e-12, 'c_n');
    }),
  );
  test(
    'GRU steps equal the gate equations (r, z, n)',
    scoped(() => {
      const wIh = randArr(3 * H * IN, 21);
      const wHh = randArr(3 * H * H, 22);
      const bIh = randArr(3 * H, 23);
      const bHh = randArr(3 * H, 24);
      const xs = randArr(2 * 2 * IN, 25); // time-major [time 2, batch 2, IN]
      const h0 = randArr(2 * H, 26);
      const hs: number[][] = [h0.slice(0, H), h0.slice(H)];
      const out: number[] = [];
      for (let t = 0; t < 2; t++) {
        for (let b = 0; b < 2; b++) {
          const x = xs.slice((t * 2 + b) * IN, (t * 2 + b) * IN + IN);
          const h = hs[b];
          const gi = (k: number) => matVec(wIh, H, IN, x, k * H).map((v, r) => v + bIh[k * H + r]);
          const gh = (k: number) => matVec(wHh, H, H, h, k * H).map((v, r) => v + bHh[k * H + r]);
          const r = gi(0).map((v, j) => sigmoid(v + gh(0)[j]));
          const z = gi(1).map((v, j) => sigmoid(v + gh(1)[j]));
          const n = gi(2).map((v, j) => Math.tanh(v + r[j] * gh(2)[j]));
          hs[b] = n.map((nv, j) => (1 - z[j]) * nv + z[j] * h[j]);
          out.push(...hs[b]);
        }
      }
      const params = [f64(wIh, [3 * H, IN]), f64(wHh, [3 * H, H]), f64(bIh), f64(bHh)];
      const [o, hn] = F.gru(f64(xs, [2, 2, IN]), f64(h0, [1, 2, H]), { params, numLayers: 1, bidirectional: false, batchFirst: false });
      close(o, out, 1e-12, 'output');
      close(hn, [...hs[0], ...hs[1]], 1e-12, 'h_n');
    }),
  );
  test(
    'bidirectional LSTM: the reverse half of the output equals a forward LSTM on the time-reversed input',
    scoped(() => {
      const fwd = [f64(randArr(12 * 2, 31), [12, 2]), f64(randArr(12 * 3, 32), [12, 3]), f64(randArr(12, 33)), f64(randArr(12, 34))];
      const rev = [f64(randArr(12 * 2, 35), [12, 2]), f64(randArr(12 * 3, 36), [12, 3]), f64(randArr(12, 37)), f64(randArr(12, 38))];
      const x = f64(randArr(1 * 4 * 2, 39), [1, 4, 2]);
      const [bi] = F.lstm(x, null, { params: [...fwd, ...rev], numLayers: 1, bidirectional: true, batchFirst: true });
      const [onlyRev] = F.lstm(x.flip([1]), null, { params: rev, numLayers: 1, bidirectional: false, batchFirst: true });
      const [onlyFwd] = F.lstm(x, null, { params: fwd, numLayers: 1, bidirectional: false, batchFirst: true });
      assert.ok(bi.slice(2, 0, 3).allclose(onlyFwd, 1e-12, 1e-12));
      assert.ok(bi.slice(2, 3, 6).allclose(onlyRev.flip([1]), 1e-12, 1e-12));
    }),
  );
});

describe('normalization, dropout, losses', () => {
  test(
    'batchNorm: eval uses running stats; training uses batch stats and updates running stats (unbiased var)',
    scoped(() => {
      const x = [1, 2, 3, 4, 6, 8, 5, 0, 1]; // [3 samples, 3 channels]
      const rm = [0.5, -1, 2];
      const rv = [4, 0.25, 1];
      const w = [2, 1, 0.5];
      const b = [0.1, 0.2, 0.3];
      const eps = 1e-5;
      const evalRef = x.map((v, i) => ((v - rm[i % 3]) / Math.sqrt(rv[i % 3] + eps)) * w[i % 3] + b[i % 3]);
      const bn = new nn.BatchNorm1d(3);
      bn.loadStateDict(
        new Map([
          ['weight', f64(w)],
          ['bias', f64(b)],
          ['running_mean', f64(rm)],
          ['running_var', f64(rv)],
          ['num_batches_tracked', i64([0], [])],
        ]),
      );
      bn.eval();
      close(bn.forward(f64(x, [3, 3]).to('float32')), evalRef, 1e-5, 'eval');
      close(bn.runningMean!, rm, 1e-7, 'eval leaves running_mean');

      const runMean = f64(rm);
      const runVar = f64(rv);
      const y = F.batchNorm(f64(x, [3, 3]), {
        weight: f64(w),
        bias: f64(b),
        runningMean: runMean,
        runningVar: runVar,
        training: true,
        momentum: 0.2,
      });
      const expMean: number[] = [];
      const expVar: number[] = [];
      const trainRef: number[] = new Array(9);
      for (let c = 0; c < 3; c++) {
        const col = [x[c], x[3 + c], x[6 + c]];
        const mu = col.reduce((a, v) => a + v, 0) / 3;
        const ss = col.reduce((a, v) => a + (v - mu) ** 2, 0);
        col.forEach((v, r) => (trainRef[r * 3 + c] = ((v - mu) / Math.sqrt(ss / 3 + eps)) * w[c] + b[c]));
        expMean.push(0.8 * rm[c] + 0.2 * mu);
        expVar.push(0.8 * rv[c] + 0.2 * (ss / 2));
      }
      close(y, trainRef, 1e-12, 'train output');
      close(runMean, expMean, 1e-12, 'running_mean');
      close(runVar, expVar, 1e-12, 'running_var');
      bn.dispose();
    }),
  );
  test(
    'layerNorm and groupNorm against the formula',
    scoped(() => {
      const x = [1, 2, 4, 7, -1, 0, 3, 2];
      const norm = (row: number[], eps = 1e-5) => {
        const mu = row.reduce((a, v) => a + v, 0) / row.length;
        const v = row.reduce((a, q) => a + (q - mu) ** 2, 0) / row.length;
        return row.map((q) => (q - mu) / Math.sqrt(v + eps));
      };
      const w = [1, 2, 0.5, -1];
      const b = [0, 1, 0, 1];
      const ref = [...norm(x.slice(0, 4)), ...norm(x.slice(4))].map((v, i) => v * w[i % 4] + b[i % 4]);
      close(F.layerNorm(f64(x, [2, 4]), [4], f64(w), f64(b)), ref, 1e-12);
      const ln = new nn.LayerNorm(4);
      close(ln.forward(tensor(x, [2, 4])), [...norm(x.slice(0, 4)), ...norm(x.slice(4))], 1e-5);
      // groupNorm [1, 4, 2] with 2 groups: channels (0,1) and (2,3) normalized together.
      close(F.groupNorm(f64(x, [1, 4, 2]), 2), [...norm(x.slice(0, 4)), ...norm(x.slice(4))], 1e-12);
      ln.dispose();
    }),
  );
  test(
    'dropout: eval is the identity; training zeroes ≈ p and preserves the mean (seeded)',
    scoped(() => {
      const x = T.ones([20000]);
      assert.ok(F.dropout(x, 0.3, false).equal(x));
      const d = new nn.Dropout(0.3);
      d.eval();
      assert.ok(d.forward(x).equal(x));
      d.train();
      T.manualSeed(123);
      const y = d.forward(x);
      const zeros = y.eq(0).to('float32').mean().item();
      assert.ok(Math.abs(zeros - 0.3) < 0.02, `zero fraction ${zeros}`);
      assert.ok(Math.abs(y.mean().item() - 1) < 0.03, `mean ${y.mean().item()}`);
      // Survivors are scaled by 1/(1-p).
      const kept = vals(y).filter((v) => v !== 0);
      assert.ok(kept.every((v) => Math.abs(v - 1 / 0.7) < 1e-6));
      T.manualSeed(123);
      assert.ok(d.forward(x).equal(y), 'same seed, same mask');
      assert.ok(F.dropout(x, 0, true).equal(x));
    }),
  );
  test(
    'crossEntropy with label smoothing (and class weights) equals the formula',
    scoped(() => {
      const logits = [
        [1, 2, 3],
        [0.5, -1, 2],
        [2, 2, -3],
      ];
      const target = [0, 2, 1];
      const eps = 0.1;
      const C = 3;
      const logp = logits.map((r) => {
        const lse = Math.log(r.reduce((a, v) => a + Math.exp(v), 0));
        return r.map((v) => v - lse);
      });
      const plain = logp.reduce((a, r, i) => a + ((1 - eps) * -r[target[i]] + (eps / C) * r.reduce((s, v) => s - v, 0)), 0) / 3;
      const l = f64(logits.flat(), [3, 3]);
      const t = i64(target);
      close(F.crossEntropy(l, t, { labelSmoothing: eps }), [plain], 1e-12, 'unweighted');
      // torch: (1-ε)·Σ w_y(-log p_y)/Σ w_y + (ε/C)·Σ_i Σ_c w_c(-log p_ic)/Σ w_y
      const w = [0.2, 1, 3];
      const wy = target.reduce((a, c) => a + w[c], 0);
      const nll = logp.reduce((a, r, i) => a - w[target[i]] * r[target[i]], 0) / wy;
      const smooth = logp.reduce((a, r) => a - r.reduce((s, v, c) => s + w[c] * v, 0), 0) / wy;
      close(F.crossEntropy(l, t, { labelSmoothing: eps, weight: f64(w) }), [(1 - eps) * nll + (eps / C) * smooth], 1e-12, 'weighted');
      const none = F.crossEntropy(l, t, { reduction: 'none' });
      close(
        none,
        logp.map((r, i) => -r[target[i]]),
        1e-12,
        'reduction none',
      );
      close(F.nllLoss(l.logSoftmax(-1), t, { reduction: 'sum' }), [logp.reduce((a, r, i) => a - r[target[i]], 0)], 1e-12, 'nll sum');
      close(F.mseLoss(f64([1, 2]), f64([2, 4])), [2.5]);
      close(F.l1Loss(f64([1, 2]), f64([2, 5]), 'sum'), [4]);
      close(F.binaryCrossEntropy(f64([0.8, 0.3]), f64([1, 0])), [-(Math.log(0.8) + Math.log(0.7)) / 2], 1e-12);
      close(
        F.binaryCrossEntropyWithLogits(f64([0.5, -1]), f64([1, 0])),
        [-(Math.log(sigmoid(0.5)) + Math.log(1 - sigmoid(-1))) / 2],
        1e-12,
      );
    }),
  );
});

describe('spectral', () => {
  test(
    'hannWindow values (periodic and symmetric)',
    scoped(() => {
      close(
        F.hannWindow(8),
        Array.from({ length: 8 }, (_, n) => 0.5 - 0.5 * Math.cos((2 * Math.PI * n) / 8)),
        1e-6,
      );
      close(F.hannWindow(5, false), [0, 0.5, 1, 0.5, 0], 1e-6);
      assert.equal(F.hannWindow(4).dtype, 'float32');
    }),
  );
  test(
    'stft of a sinusoid peaks at its bin',
    scoped(() => {
      const nFft = 32;
      const bin = 5;
      const x = tensor(Float32Array.from({ length: 512 }, (_, n) => Math.sin((2 * Math.PI * bin * n) / nFft + 0.3)));
      const s = F.stft(x, { nFft, hopSamples: 8, window: F.hannWindow(nFft) });
      assert.deepEqual(s.shape, [nFft / 2 + 1, 1 + 512 / 8, 2]);
      const mag = s.square().sum(-1).sqrt(); // [freq, frames]
      // Interior frames (the first and last ones see reflect padding at the signal edges).
      const peak = vals(mag.slice(1, 2, -2).argmax(0));
      assert.equal(peak.length, 61);
      assert.ok(
        peak.every((p) => p === bin),
        `peak bins ${peak.join(',')}`,
      );
      // A full-amplitude sinusoid under a periodic Hann window: |X[bin]| = N/4 in interior frames.
      close(mag.select(1, 10).select(0, bin).reshape([1]), [nFft / 4], 1e-4);
    }),
  );
  test(
    'rfft by hand, and irfft(rfft(x)) round trip',
    scoped(() => {
      close(F.rfft(f64([1, 2, 3, 4])), [10, 0, -2, 2, -2, 0], 1e-12);
      const x = f64(randArr(3 * 10, 41), [3, 10]);
      const z = F.rfft(x);
      assert.deepEqual(z.shape, [3, 6, 2]);
      assert.ok(F.irfft(z, 10).allclose(x, 1e-12, 1e-12));
      assert.ok(F.irfft(F.rfft(x, undefined, -1, 'ortho'), 10, -1, 'ortho').allclose(x, 1e-12, 1e-12));
      // fft of a real signal as a complex view: equals rfft on the first half.
      const cx = T.stack([x, T.zerosLike(x)], -1);
      assert.ok(F.fft(cx).slice(1, 0, 6).allclose(z, 1e-10, 1e-10));
      assert.ok(F.ifft(F.fft(cx)).allclose(cx, 1e-12, 1e-12));
    }),
  );
});

describe('random generator and threads', () => {
  test(
    'manualSeed makes randn/rand/randint/randperm reproducible',
    scoped(() => {
      T.manualSeed(7);
      const a = [T.randn([5]), T.rand([3], 'float64'), T.randint(0, 10, [4]), T.randperm(6)].map(vals);
      T.manualSeed(7);
      const b = [T.randn([5]), T.rand([3], 'float64'), T.randint(0, 10, [4]), T.randperm(6)].map(vals);
      assert.deepEqual(a, b);
      T.manualSeed(8);
      assert.notDeepEqual(vals(T.randn([5])), a[0]);
      assert.ok(a[1].every((v) => v >= 0 && v < 1));
      assert.ok(a[2].every((v) => Number.isInteger(v) && v >= 0 && v < 10));
      assert.deepEqual([...a[3]].sort(), [0, 1, 2, 3, 4, 5]);
      // Module initialization draws from the same generator.
      T.manualSeed(9);
      const l1 = new nn.Linear(3, 2);
      T.manualSeed(9);
      const l2 = new nn.Linear(3, 2);
      assert.ok(l1.weight.equal(l2.weight) && l1.bias!.equal(l2.bias!));
      l1.dispose();
      l2.dispose();
    }),
  );
  test(
    'randn statistics are standard normal',
    scoped(() => {
      T.manualSeed(1);
      const x = T.randn([40000], 'float64');
      assert.ok(Math.abs(x.mean().item()) < 0.02);
      assert.ok(Math.abs(x.std().item() - 1) < 0.02);
    }),
  );
  test('setNumThreads / getNumThreads', () => {
    const before = T.getNumThreads();
    assert.ok(Number.isInteger(before) && before >= 1);
    try {
      T.setNumThreads(2);
      assert.equal(T.getNumThreads(), 2);
      T.setNumThreads(1);
      assert.equal(T.getNumThreads(), 1);
    } finally {
      T.setNumThreads(before);
    }
    assert.equal(T.getNumThreads(), before);
    assert.throws(() => T.setNumThreads(0), /thread count must be ≥ 1/);
  });
});

describe('autograd switches and tensor lifetime', () => {
  test(
    'noGrad disables recording and restores the previous mode (also on throw); enableGrad re-enables',
    scoped(() => {
      const p = T.ones([2]).requiresGrad_();
      assert.equal(p.mul(2).requiresGrad, true);
      const y = T.noGrad(() => {
        assert.equal(T.isGradEnabled(), false);
        assert.equal(T.enableGrad(() => p.mul(2)).requiresGrad, true);
        return p.mul(2);
      });
      assert.equal(y.requiresGrad, false);
      assert.equal(T.isGradEnabled(), true);
      assert.throws(
        () =>
          T.noGrad(() => {
            throw new Error('boom');
          }),
        /boom/,
      );
      assert.equal(T.isGradEnabled(), true);
    }),
  );
  test(
    'backward accumulates into .grad; detach cuts the graph; retainGrad on non-leaves',
    scoped(() => {
      const x = tensor([1, 2, 3]).requiresGrad_();
      assert.equal(x.isLeaf, true);
      const y = x.mul(x);
      assert.equal(y.isLeaf, false);
      y.retainGrad();
      y.sum().backward();
      assert.deepEqual(vals(x.grad!), [2, 4, 6]);
      assert.deepEqual(vals(y.grad!), [1, 1, 1]);
      x.mul(3).sum().backward();
      assert.deepEqual(vals(x.grad!), [5, 7, 9], 'accumulated');
      x.grad = null;
      assert.equal(x.grad, null);
      assert.equal(x.detach().requiresGrad, false);
      x.mul(x.detach()).sum().backward();
      assert.deepEqual(vals(x.grad!), [1, 2, 3]);
    }),
  );
  test('tidy disposes intermediates and keeps returned tensors (nested arrays, objects, Maps)', () => {
    const inner: Tensor[] = [];
    const depth0 = T.scopeDepth();
    const r = tidy(() => {
      assert.equal(T.scopeDepth(), depth0 + 1);
      const a = tensor([1, 2]);
      const b = a.add(1);
      const c = b.mul(2);
      inner.push(a, b);
      return { c, list: [a.sub(1), [b.neg()]], map: new Map([['m', c.add(5)]]), n: 3 };
    });
    assert.equal(T.scopeDepth(), depth0);
    assert.ok(
      inner.every((t) => t.isDisposed),
      'intermediates disposed',
    );
    assert.deepEqual(vals(r.c), [4, 6]);
    assert.deepEqual(vals(r.list[0] as Tensor), [0, 1]);
    assert.deepEqual(vals((r.list[1] as Tensor[])[0]), [-2, -3]);
    assert.deepEqual(vals(r.map.get('m')!), [9, 11]);
    T.dispose(r);
    assert.ok(r.c.isDisposed && r.map.get('m')!.isDisposed);
  });
  test('nested tidy hands its result to the enclosing scope; keep() survives every scope', () => {
    let fromInner: Tensor | undefined;
    let kept: Tensor | undefined;
    let keptInner: Tensor | undefined;
    tidy(() => {
      fromInner = tidy(() => tensor([1]).add(1));
      assert.equal(fromInner.isDisposed, false);
      kept = keep(tensor([5]));
      keptInner = tidy(() => keep(kept!.add(1)));
    });
    assert.equal(keptInner!.isDisposed, false);
    assert.equal(keptInner!.item(), 6);
    keptInner!.dispose();
    assert.equal(fromInner!.isDisposed, true, 'disposed by the outer scope');
    assert.equal(kept!.isDisposed, false);
    assert.equal(kept!.item(), 5);
    kept!.dispose();
  });
  test('tidy disposes everything when the function throws, and rejects async functions', () => {
    let t: Tensor | undefined;
    assert.throws(
      () =>
        tidy(() => {
          t = tensor([1]);
          throw new Error('inside');
        }),
      /inside/,
    );
    assert.equal(t!.isDisposed, true);
    assert.throws(() => tidy(() => Promise.resolve(1) as unknown as number), /synchronous/);
  });
  test('using a disposed tensor throws "tensor was already disposed"', () => {
    const t = tensor([1, 2]);
    const other = tensor([3, 4]);
    t.dispose();
    assert.equal(t.isDisposed, true);
    assert.equal(String(t), 'Tensor(<disposed>)');
    t.dispose(); // idempotent
    assert.throws(() => t.add(1), /tensor was already disposed/);
    assert.throws(() => other.add(t), /tensor was already disposed/);
    assert.throws(() => t.toArray(), /tensor was already disposed/);
    assert.throws(() => t.shape, /tensor was already disposed/);
    assert.throws(() => T.cat([other, t]), /tensor was already disposed/);
    assert.deepEqual(vals(other), [3, 4]);
  });
});
