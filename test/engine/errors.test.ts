/**
 * Bad inputs give clear JS errors (never a crash of the process): libtorch failures come back
 * as Errors naming the op and describing its inputs (dtype[shape]); argument and lifetime
 * problems are caught before reaching libtorch. Every test here runs in this one process, so a
 * native abort would fail the whole file.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as T from '../../src/engine/index.js';
import { F, nn, tensor, tidy, type Tensor } from '../../src/engine/index.js';

const scoped = (fn: () => void) => () => tidy(fn);
const i64 = (values: number[], shape = [values.length]) =>
  tensor(
    BigInt64Array.from(values, (v) => BigInt(v)),
    shape,
  );

/** Asserts that fn throws an Error (of `type`) whose message matches every pattern. */
function throwsWith(fn: () => unknown, patterns: (RegExp | string)[], type: ErrorConstructor = Error): string {
  let caught: unknown;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  assert.ok(caught !== undefined, 'expected an error');
  assert.ok(caught instanceof type, `expected a ${type.name}, got ${String(caught)}`);
  const msg = (caught as Error).message;
  for (const p of patterns) {
    if (typeof p === 'string') assert.ok(msg.includes(p), `message should contain ${JSON.stringify(p)}: ${msg}`);
    else assert.match(msg, p);
  }
  return msg;
}

describe('shape errors name the op and the input shapes', () => {
  test(
    'matmul with mismatched inner dims',
    scoped(() => {
      const msg = throwsWith(
        () =>
          tensor([
            [1, 2, 3],
            [4, 5, 6],
          ]).matmul(
            tensor([
              [1, 2, 3],
              [4, 5, 6],
            ]),
          ),
        ['matmul', '[2, 3]'],
      );
      assert.match(msg, /2x3 and 2x3/);
      throwsWith(() => T.zeros([4]).matmul(T.zeros([3])), ['matmul', 'float32[4]', 'float32[3]']);
    }),
  );
  test(
    'add / mul with incompatible broadcast shapes',
    scoped(() => {
      throwsWith(
        () => T.zeros([3]).add(T.zeros([2])),
        ['add', 'size of tensor a (3) must match the size of tensor b (2)', 'float32[3]', 'float32[2]'],
      );
      throwsWith(() => T.zeros([2, 3]).mul(T.zeros([3, 2])), ['mul', 'float32[2, 3]', 'float32[3, 2]']);
      throwsWith(() => T.cat([T.zeros([2, 3]), T.zeros([2, 4])]), ['cat', 'float32[2, 3]', 'float32[2, 4]']);
      throwsWith(() => T.stack([T.zeros([2]), T.zeros([3])]), ['stack']);
    }),
  );
  test(
    'reshape / view / expand / permute / transpose / select to impossible shapes',
    scoped(() => {
      throwsWith(() => tensor([1, 2, 3, 4]).reshape([3, 2]), ['reshape', "shape '[3, 2]' is invalid for input of size 4"]);
      throwsWith(() => T.zeros([2, 3]).transpose(0, 1).view([6]), ['view', 'Use .reshape']);
      throwsWith(() => T.zeros([2, 3]).expand([4, 3]), ['expand', 'float32[2, 3]']);
      throwsWith(() => T.zeros([2, 3]).permute([0, 0]), ['permute', 'duplicate dims']);
      throwsWith(() => T.zeros([2, 3]).transpose(0, 5), ['transpose', 'Dimension out of range']);
      throwsWith(() => T.zeros([4]).select(0, 5), ['select', 'index 5 out of range']);
      throwsWith(() => T.zeros([4]).slice(0, 0, 2, 0), ['slice', 'step must be positive']);
      throwsWith(() => T.zeros([-1]), ['zeros', 'negative dimension']);
    }),
  );
  test(
    'conv2d / conv1d with the wrong channel count or an oversized kernel',
    scoped(() => {
      throwsWith(
        () => F.conv2d(T.zeros([1, 3, 5, 5]), T.zeros([2, 4, 3, 3])),
        ['conv2d', 'expected input[1, 3, 5, 5] to have 4 channels, but got 3 channels', 'float32[2, 4, 3, 3]'],
      );
      throwsWith(() => new nn.Conv2d(4, 2, 3).forward(T.zeros([1, 3, 5, 5])), ['conv2d', 'to have 4 channels']);
      throwsWith(() => F.conv1d(T.zeros([1, 3, 5]), T.zeros([2, 1, 3]), null, { groups: 2 }), ['conv1d', 'groups=2']);
      throwsWith(() => F.conv1d(T.zeros([1, 1, 2]), T.zeros([1, 1, 5])), ['conv1d', "Kernel size can't be greater than actual input size"]);
      throwsWith(() => F.maxPool2d(T.zeros([1, 1, 2, 2]), 3), ['maxPool2d', 'Output size is too small']);
    }),
  );
  test(
    'LSTM / GRU with a wrong input rank, feature size or state',
    scoped(() => {
      const lstm = new nn.LSTM(3, 4);
      throwsWith(() => lstm.forward(T.zeros([2, 3])), ['lstm', 'expected a 3-D input', 'float32[2, 3]']);
      throwsWith(() => lstm.forward(T.zeros([2, 5, 4])), ['lstm', 'float32[2, 5, 4]']);
      throwsWith(() => lstm.forward(T.zeros([2, 5, 3]), [T.zeros([1, 2, 5]), T.zeros([1, 2, 4])]), ['lstm', 'float32[1, 2, 5]']);
      const gru = new nn.GRU(3, 4);
      throwsWith(() => gru.forward(T.zeros([5, 3])), ['gru', 'expected a 3-D input']);
      throwsWith(() => gru.forward(T.zeros([2, 5, 3]), T.zeros([2, 2, 4])), ['gru', 'float32[2, 2, 4]']);
      throwsWith(
        () =>
          F.lstm(T.zeros([1, 2, 3]), null, { params: lstm.parameters().slice(0, 3), numLayers: 1, bidirectional: false, batchFirst: true }),
        ['lstm', 'wrong number of LSTM parameters'],
      );
      lstm.dispose();
      gru.dispose();
    }),
  );
  test(
    'linear, attention, normalization with mismatched sizes',
    scoped(() => {
      throwsWith(() => new nn.Linear(3, 4).forward(T.zeros([2, 5])), ['linear', 'float32[2, 5]', 'float32[4, 3]']);
      throwsWith(
        () => F.scaledDotProductAttention(T.zeros([2, 3, 4]), T.zeros([2, 3, 5]), T.zeros([2, 3, 4])),
        ['sdpa', 'float32[2, 3, 5]'],
      );
      throwsWith(
        () => F.batchNorm(T.zeros([2, 3]), { runningMean: T.zeros([4]), runningVar: T.ones([4]), training: false }),
        ['batchNorm', 'running_mean should contain 3 elements not 4'],
      );
      throwsWith(() => F.layerNorm(T.zeros([2, 3]), [4]), ['layerNorm', 'normalized_shape=[4]']);
      throwsWith(() => new nn.BatchNorm1d(3).forward(T.zeros([2, 3, 4, 5])), ['BatchNorm1d: expected a 2 or 3-D input, got [2, 3, 4, 5]']);
    }),
  );
});

describe('dtype and value errors', () => {
  test(
    'crossEntropy with float targets of the wrong shape, out-of-range classes, wrong batch size',
    scoped(() => {
      throwsWith(
        () => F.crossEntropy(T.randn([3, 4]), tensor([0.5, 1, 2])),
        ['crossEntropy', 'expected scalar type Long but found Float', 'float32[3]'],
      );
      throwsWith(
        () =>
          F.crossEntropy(
            T.randn([3, 4]),
            tensor([
              [0.5, 1],
              [2, 3],
            ]),
          ),
        ['crossEntropy', 'float32[2, 2]'],
      );
      throwsWith(() => F.crossEntropy(T.zeros([2, 3]), i64([0, 1, 2])), ['crossEntropy', 'batch_size (2) to match target batch_size (3)']);
      throwsWith(() => F.crossEntropy(T.zeros([2, 3]), i64([0, 5])), ['crossEntropy', 'Target 5 is out of bounds']);
      throwsWith(() => F.nllLoss(T.zeros([2, 3]), i64([0, -3])), ['nllLoss', 'Target -3 is out of bounds']);
      throwsWith(() => F.binaryCrossEntropy(T.full([2], 2), T.zeros([2])), ['bce', 'between 0 and 1']);
      throwsWith(() => F.mseLoss(T.zeros([2]), T.zeros([2]), 'avg' as 'mean'), ["unknown reduction 'avg'"], TypeError);
    }),
  );
  test(
    'indexing with float indices or out-of-range indices',
    scoped(() => {
      throwsWith(() => tensor([1, 2, 3]).index([tensor([0, 1])]), ['index', 'tensors used as indices must be long', 'float32[2]']);
      throwsWith(() => tensor([1, 2, 3]).indexSelect(0, tensor([0, 1])), ['indexSelect']);
      throwsWith(() => tensor([1, 2, 3]).gather(0, tensor([0, 1])), ['gather']);
      throwsWith(() => T.zeros([2, 2]).gather(1, i64([5, 0, 0, 0], [2, 2])), ['gather', 'index 5 is out of bounds']);
      throwsWith(() => T.zeros([2, 2]).indexSelect(0, i64([7])), ['indexSelect', 'index out of range']);
      throwsWith(() => T.zeros([2, 2]).index([i64([-9])]), ['index', 'index -9 is out of bounds']);
      throwsWith(() => T.where(T.zeros([2]), 1, 2), ['where', 'boolean']);
      throwsWith(() => T.oneHot(i64([-1]), 3), ['oneHot', 'non-negative']);
    }),
  );
  test(
    'maskedFill rejects a non-bool mask',
    scoped(() => {
      throwsWith(() => T.zeros([3]).maskedFill(tensor([1, 0, 0.5]), 7), ['maskedFill']);
    }),
  );
  test(
    'unknown dtype strings are TypeErrors listing the supported dtypes',
    scoped(() => {
      for (const f of [
        () => T.zeros([2], 'float16' as T.DType),
        () => T.zeros([1]).to('complex64' as T.DType),
        () => T.randn([2], 'half' as T.DType),
      ]) {
        throwsWith(f, [/unknown dtype '(float16|complex64|half)'/, 'float32, float64, int64, int32, bool or uint8'], TypeError);
      }
    }),
  );
  test(
    'fromArray / tensor() with data length ≠ product(shape), or non-array data',
    scoped(() => {
      throwsWith(() => tensor(new Float32Array(5), [2, 3]), ['fromArray', 'data has 5 elements but shape holds 6']);
      throwsWith(() => tensor(new BigInt64Array(2), [3]), ['data has 2 elements but shape holds 3']);
      throwsWith(() => tensor([1, 2, 3], [2, 2]), ['tensor: ragged or mismatched data (3 values for shape [2, 2])']);
      throwsWith(() => tensor([[1, 2], [3]] as number[][]), ['ragged or mismatched']);
      throwsWith(() => tensor({} as unknown as number[]), ['fromArray', 'typed array'], TypeError);
    }),
  );
  test(
    'shapes with non-integer sizes are rejected',
    scoped(() => {
      throwsWith(() => T.zeros([2.5]), ['integer']);
      throwsWith(() => T.zeros([4]).reshape([NaN]), ['integer']);
    }),
  );
  test(
    'integer arguments are checked',
    scoped(() => {
      throwsWith(() => T.eye(2.5), ['argument 0 must be an integer'], TypeError);
      throwsWith(() => T.zeros([3]).select(0, 0.5), ['must be an integer'], TypeError);
      throwsWith(() => T.chunk(T.zeros([4]), 0), ['chunk', 'greater than 0']);
      throwsWith(() => T.topk(T.zeros([3]), 5), ['topk', 'k out of range']);
      throwsWith(() => T.randint(5, 1, [2]), ['randint', "'from' to be less than 'to'"]);
      throwsWith(() => T.setNumThreads(0), ['setNumThreads', 'thread count must be ≥ 1']);
    }),
  );
  test(
    'item() on a multi-element or empty tensor',
    scoped(() => {
      throwsWith(() => tensor([1, 2]).item(), ['item: tensor has 2 elements, expected 1']);
      throwsWith(() => T.zeros([0]).item(), ['item: tensor has 0 elements, expected 1']);
    }),
  );
  test(
    'spectral and padding arguments',
    scoped(() => {
      throwsWith(() => F.stft(T.zeros([4]), { nFft: 16, center: false }), ['stft', 'n_fft']);
      throwsWith(() => F.irfft(T.zeros([4, 3])), ['irfft', 'last dimension of size 2']);
      throwsWith(() => F.pad(T.zeros([1, 1, 4]), [1, 1], 'foo' as 'constant'), ["pad: unknown mode 'foo'"], TypeError);
    }),
  );
});

describe('autograd misuse', () => {
  test(
    'backward on non-scalars / tensors without grad, in-place on leaves, grad() w.r.t. constants',
    scoped(() => {
      throwsWith(
        () => T.ones([2]).requiresGrad_().mul(2).backward(),
        ['backward', 'grad can be implicitly created only for scalar outputs'],
      );
      throwsWith(() => T.ones([1]).sum().backward(), ['backward', 'does not require grad']);
      throwsWith(() => T.ones([2]).requiresGrad_().add_(1), ['add_', 'leaf Variable that requires grad']);
      throwsWith(() => T.grad(T.ones([2]).requiresGrad_().sum(), T.ones([2])), ['grad', 'does not require grad']);
      // In-place updates of parameters work inside noGrad.
      const p = T.ones([2]).requiresGrad_();
      T.noGrad(() => p.add_(1));
      assert.deepEqual(Array.from(p.toArray() as Float32Array), [2, 2]);
    }),
  );
});

describe('gradient assignment', () => {
  test(
    'assigning a .grad of the wrong shape or dtype throws (as torch does)',
    scoped(() => {
      const p = T.zeros([3]).requiresGrad_();
      throwsWith(() => {
        p.grad = T.ones([1]);
      }, ['grad']);
      throwsWith(() => {
        p.grad = T.ones([3], 'float64');
      }, ['grad']);
    }),
  );
  test(
    'a gradient of the right shape can be assigned, read back and cleared',
    scoped(() => {
      const p = T.zeros([3]).requiresGrad_();
      p.grad = tensor([1, 2, 3]);
      assert.deepEqual(Array.from(p.grad!.toArray() as Float32Array), [1, 2, 3]);
      p.mul(2).sum().backward();
      assert.deepEqual(Array.from(p.grad!.toArray() as Float32Array), [3, 4, 5], 'backward accumulates into an assigned gradient');
      p.grad = null;
      assert.equal(p.grad, null);
    }),
  );
});

describe('lifetime errors', () => {
  test(
    'using a disposed tensor (as receiver, argument, list element, module parameter)',
    scoped(() => {
      const t = tensor([1, 2]);
      t.dispose();
      for (const f of [
        () => t.add(1),
        () => T.ones([2]).add(t),
        () => T.stack([T.ones([2]), t]),
        () => t.item(),
        () => t.requiresGrad,
        () => t.grad,
        () => F.relu(t),
      ]) {
        throwsWith(f, ['tensor was already disposed']);
      }
      const lin = new nn.Linear(2, 2);
      lin.dispose();
      throwsWith(() => lin.forward(T.ones([1, 2])), ['tensor was already disposed']);
    }),
  );
  test(
    'a disposed second argument of a functional op, and a disposed optimizer parameter list entry',
    scoped(() => {
      const t = tensor([1, 2]);
      t.dispose();
      throwsWith(() => F.mseLoss(T.ones([2]), t), ['tensor was already disposed']);
      throwsWith(() => new T.Adam([t]), ['tensor was already disposed']);
    }),
  );
});

describe('optimizer, module and scheduler arguments', () => {
  test(
    'optimizers: no parameters, negative lr, non-leaf parameters; the failed construction leaves no broken object',
    scoped(() => {
      throwsWith(() => new T.Adam([]), ['adam: no parameters to optimize']);
      throwsWith(() => new T.SGD([], { lr: 0.1 }), ['sgd: no parameters to optimize']);
      throwsWith(() => new T.AdamW([]), ['adamw: no parameters to optimize']);
      const p = T.zeros([2]).requiresGrad_();
      throwsWith(() => new T.Adam([p], { lr: -1 }), ['Optimizer', 'lr must be ≥ 0']);
      throwsWith(() => new T.SGD([p], { lr: NaN }), ['lr must be ≥ 0']);
      throwsWith(() => new T.Adam([p.mul(2)]), ['Optimizer', "can't optimize a non-leaf Tensor"]);
      throwsWith(() => new T.Adam([p]).setState([]), ['Optimizer.setState', 'one entry per parameter (1)']);
      throwsWith(
        () => new T.Adam([p]).setState([{ step: 1, buffers: { exp_avg: T.zeros([3]) } }]),
        ["state buffer 'exp_avg' has the wrong shape"],
      );
      // The engine still works after the failed constructions.
      const opt = new T.SGD([p], { lr: 1 });
      p.sum().backward();
      opt.step();
      assert.deepEqual(Array.from(p.toArray() as Float32Array), [-1, -1]);
    }),
  );
  test(
    'Dropout p outside [0, 1) and invalid MultiheadAttention / scheduler arguments',
    scoped(() => {
      throwsWith(() => new nn.Dropout(1.5), ['Dropout: p must be in [0, 1), got 1.5']);
      throwsWith(() => new nn.Dropout(-0.1), ['Dropout: p must be in [0, 1)']);
      throwsWith(() => F.dropout(T.ones([2]), 1.5, true), ['dropout', 'between 0 and 1', '1.5']);
      throwsWith(() => new nn.MultiheadAttention(6, 4), ['embedDim 6 is not divisible by numHeads 4']);
      const opt = new T.SGD([T.zeros([1]).requiresGrad_()], { lr: 0.1 });
      throwsWith(() => new T.CosineAnnealingLR(opt, 0), ['tMax must be > 0']);
      throwsWith(() => new T.StepLR(opt, 0), ['stepSize must be ≥ 1']);
      throwsWith(() => new T.ReduceLROnPlateau(opt, { factor: 2 }), ['factor must be in (0, 1)']);
      throwsWith(() => new T.ReduceLROnPlateau(opt).step(), ['finite metric value is required']);
    }),
  );
  test(
    'loadStateDict: missing / unexpected keys and shape mismatches, all listed in one StateDictError',
    scoped(() => {
      const m = new nn.Sequential(new nn.Linear(2, 3), new nn.Linear(3, 1));
      const dict = new Map<string, Tensor>([
        ['0.weight', T.zeros([3, 3])],
        ['0.bias', T.zeros([3])],
        ['1.weight', T.zeros([1, 3])],
        ['2.weight', T.zeros([1])],
      ]);
      const msg = throwsWith(
        () => m.loadStateDict(dict),
        ["missing key '1.bias'", "unexpected key '2.weight'", "'0.weight': shape [3, 3] ≠ expected [3, 2]"],
        nn.StateDictError as unknown as ErrorConstructor,
      );
      assert.match(msg, /^loadStateDict: /);
      m.dispose();
    }),
  );
});

describe('the process survives', () => {
  test(
    'after all the errors above, ops still work and no scope is left open',
    scoped(() => {
      assert.equal(T.scopeDepth(), 1);
      assert.deepEqual(
        Array.from(
          tensor([1, 2])
            .add(tensor([3, 4]))
            .toArray() as Float32Array,
        ),
        [4, 6],
      );
      assert.equal(T.isGradEnabled(), true);
    }),
  );
});
