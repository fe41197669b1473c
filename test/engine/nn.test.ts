/**
 * nn modules, optimizers and schedulers: PyTorch-compatible naming and parameter counts,
 * train/eval semantics, strict state-dict loading, optimizer updates against hand-written
 * reference loops, state round trips, learning-rate schedules and gradient clipping.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as T from '../../src/engine/index.js';
import { F, nn, tensor, tidy, type Tensor } from '../../src/engine/index.js';

const scoped = (fn: () => void) => () => tidy(fn);
const vals = (t: Tensor): number[] => Array.from(t.toArray() as ArrayLike<number | bigint>, Number);
const f64 = (values: number[], shape = [values.length]) => tensor(Float64Array.from(values), shape);
function close(actual: ArrayLike<number> | Tensor, expected: ArrayLike<number>, tol = 1e-6, msg = ''): void {
  const a = 'handle' in actual ? vals(actual) : Array.from(actual);
  assert.equal(a.length, expected.length, `${msg} length`);
  a.forEach((v, i) =>
    assert.ok(
      Math.abs(v - expected[i]) <= tol * Math.max(1, Math.abs(expected[i])),
      `${msg}[${i}]: got ${v}, expected ${expected[i]}\n  got      ${a.join(', ')}\n  expected ${Array.from(expected).join(', ')}`,
    ),
  );
}
/** A user-defined container (subclassing Module, as a model would). */
class Holder extends nn.Module {
  constructor(children: [string, nn.Module][]) {
    super();
    for (const [name, child] of children) this.module(name, child);
  }
}
const keys = (m: nn.Module) => [...m.stateDict().keys()];
const shapes = (m: nn.Module) => Object.fromEntries([...m.stateDict()].map(([k, t]) => [k, t.shape]));
/** Copies of every state tensor's values, to detect any modification. */
const snapshot = (m: nn.Module) => [...m.stateDict()].map(([k, t]) => [k, vals(t)] as const);

describe('module naming (PyTorch state-dict keys) and parameter counts', () => {
  test(
    'Sequential of Linear: 0.weight, 0.bias, …; parameterless layers keep their index',
    scoped(() => {
      const m = new nn.Sequential(new nn.Linear(3, 4), nn.ReLU(), new nn.Linear(4, 2), new nn.Sequential(new nn.Linear(2, 2, false)));
      assert.deepEqual(keys(m), ['0.weight', '0.bias', '2.weight', '2.bias', '3.0.weight']);
      assert.deepEqual(shapes(m), { '0.weight': [4, 3], '0.bias': [4], '2.weight': [2, 4], '2.bias': [2], '3.0.weight': [2, 2] });
      assert.deepEqual(
        m.namedParameters().map(([k]) => k),
        keys(m),
      );
      assert.equal(m.numParameters(), 3 * 4 + 4 + 4 * 2 + 2 + 4);
      assert.ok(m.parameters().every((p) => p.requiresGrad && p.isLeaf));
      assert.deepEqual(
        m.namedChildren().map(([k]) => k),
        ['0', '1', '2', '3'],
      );
      m.dispose();
    }),
  );
  test(
    'LSTM / GRU: weight_ih_l{k}[_reverse] … in PyTorch order, with PyTorch shapes and counts',
    scoped(() => {
      const [I, H] = [5, 3];
      const lstm = new nn.LSTM(I, H, { numLayers: 2, bidirectional: true });
      const expected: string[] = [];
      for (const l of [0, 1]) {
        for (const sfx of ['', '_reverse'])
          expected.push(...['weight_ih', 'weight_hh', 'bias_ih', 'bias_hh'].map((n) => `${n}_l${l}${sfx}`));
      }
      assert.deepEqual(keys(lstm), expected);
      const s = shapes(lstm);
      assert.deepEqual(
        [s.weight_ih_l0, s.weight_hh_l0, s.bias_ih_l0, s.weight_ih_l1_reverse],
        [[4 * H, I], [4 * H, H], [4 * H], [4 * H, 2 * H]],
      );
      // torch: per layer & direction 4H(in + H) + 8H, in = I for layer 0 and 2H above.
      const lstmCount = 2 * (4 * H * (I + H) + 8 * H) + 2 * (4 * H * (2 * H + H) + 8 * H);
      assert.equal(lstm.numParameters(), lstmCount);
      const gru = new nn.GRU(I, H, { numLayers: 2, bidirectional: true });
      assert.deepEqual(keys(gru), expected);
      assert.equal(gru.numParameters(), 2 * (3 * H * (I + H) + 6 * H) + 2 * (3 * H * (2 * H + H) + 6 * H));
      assert.deepEqual(keys(new nn.LSTM(2, 2)), ['weight_ih_l0', 'weight_hh_l0', 'bias_ih_l0', 'bias_hh_l0']);
      const [out, [h, c]] = lstm.forward(T.randn([2, 7, I]));
      assert.deepEqual(
        [out.shape, h.shape, c.shape],
        [
          [2, 7, 2 * H],
          [4, 2, H],
          [4, 2, H],
        ],
      );
      assert.equal(lstm.outputSize, 2 * H);
      lstm.dispose();
      gru.dispose();
    }),
  );
  test(
    'BatchNorm2d: weight, bias, running_mean, running_var, num_batches_tracked (int64 scalar)',
    scoped(() => {
      const bn = new nn.BatchNorm2d(6);
      assert.deepEqual(keys(bn), ['weight', 'bias', 'running_mean', 'running_var', 'num_batches_tracked']);
      assert.deepEqual(
        bn.namedParameters().map(([k]) => k),
        ['weight', 'bias'],
      );
      assert.deepEqual(
        bn.namedBuffers().map(([k]) => k),
        ['running_mean', 'running_var', 'num_batches_tracked'],
      );
      const nbt = bn.stateDict().get('num_batches_tracked')!;
      assert.deepEqual([nbt.dtype, nbt.shape], ['int64', []]);
      assert.deepEqual(
        [vals(bn.weight!), vals(bn.bias!)],
        [
          [1, 1, 1, 1, 1, 1],
          [0, 0, 0, 0, 0, 0],
        ],
      );
      assert.deepEqual(
        [vals(bn.runningMean!), vals(bn.runningVar!)],
        [
          [0, 0, 0, 0, 0, 0],
          [1, 1, 1, 1, 1, 1],
        ],
      );
      assert.equal(bn.numParameters(), 12);
      assert.deepEqual(keys(new nn.BatchNorm1d(2, { affine: false })), ['running_mean', 'running_var', 'num_batches_tracked']);
      assert.deepEqual(keys(new nn.BatchNorm1d(2, { trackRunningStats: false })), ['weight', 'bias']);
      // Nested: buffers are prefixed like parameters, own entries before children's.
      const seq = new nn.Sequential(new nn.Conv2d(1, 2, 3), new nn.BatchNorm2d(2));
      assert.deepEqual(keys(seq), ['0.weight', '0.bias', '1.weight', '1.bias', '1.running_mean', '1.running_var', '1.num_batches_tracked']);
      bn.dispose();
      seq.dispose();
    }),
  );
  test(
    'MultiheadAttention: in_proj_weight, in_proj_bias, out_proj.weight, out_proj.bias; 4E² + 4E parameters',
    scoped(() => {
      const E = 8;
      const mha = new nn.MultiheadAttention(E, 2);
      assert.deepEqual(keys(mha), ['in_proj_weight', 'in_proj_bias', 'out_proj.weight', 'out_proj.bias']);
      assert.deepEqual(shapes(mha), { in_proj_weight: [3 * E, E], in_proj_bias: [3 * E], 'out_proj.weight': [E, E], 'out_proj.bias': [E] });
      assert.equal(mha.numParameters(), 4 * E * E + 4 * E);
      const noBias = new nn.MultiheadAttention(E, 4, { bias: false });
      assert.deepEqual(keys(noBias), ['in_proj_weight', 'out_proj.weight']);
      assert.equal(noBias.numParameters(), 4 * E * E);
      assert.throws(() => new nn.MultiheadAttention(6, 4), /not divisible/);
      mha.dispose();
      noBias.dispose();
    }),
  );
  test(
    'Conv1d / Conv2d / LayerNorm shapes and counts',
    scoped(() => {
      const c1 = new nn.Conv1d(4, 6, 3, { groups: 2 });
      assert.deepEqual(shapes(c1), { weight: [6, 2, 3], bias: [6] });
      assert.equal(c1.numParameters(), 6 * 2 * 3 + 6);
      const c2 = new nn.Conv2d(3, 5, [2, 4], { bias: false });
      assert.deepEqual(shapes(c2), { weight: [5, 3, 2, 4] });
      const ln = new nn.LayerNorm([3, 4]);
      assert.deepEqual(shapes(ln), { weight: [3, 4], bias: [3, 4] });
      assert.equal(ln.numParameters(), 24);
      for (const m of [c1, c2, ln]) m.dispose();
    }),
  );
  test(
    'default initializations follow PyTorch (uniform ±1/√fan_in, LSTM ±1/√H)',
    scoped(() => {
      T.manualSeed(0);
      const lin = new nn.Linear(64, 128);
      const bound = 1 / Math.sqrt(64);
      const w = vals(lin.weight);
      assert.ok(w.every((v) => Math.abs(v) <= bound));
      assert.ok(Math.max(...w.map(Math.abs)) > 0.95 * bound, 'fills the range');
      assert.ok(vals(lin.bias!).every((v) => Math.abs(v) <= bound));
      const conv = new nn.Conv1d(8, 4, 5);
      assert.ok(vals(conv.weight).every((v) => Math.abs(v) <= 1 / Math.sqrt(40)));
      const lstm = new nn.LSTM(4, 16);
      assert.ok(lstm.parameters().every((p) => vals(p).every((v) => Math.abs(v) <= 0.25)));
      for (const m of [lin, conv, lstm]) m.dispose();
    }),
  );
  test(
    'MultiheadAttention initialization matches PyTorch (xavier_uniform on [3E, E], zero biases)',
    scoped(() => {
      T.manualSeed(0);
      const E = 64;
      const mha = new nn.MultiheadAttention(E, 4);
      const bound = Math.sqrt(6 / (E + 3 * E));
      assert.ok(
        vals(mha.inProjWeight).every((v) => Math.abs(v) <= bound),
        'in_proj_weight within xavier bound',
      );
      assert.ok(vals(mha.inProjBias!).every((v) => v === 0));
      assert.ok(
        vals(mha.outProj.bias!).every((v) => v === 0),
        'out_proj.bias zero-initialized',
      );
      mha.dispose();
    }),
  );
});

describe('train / eval modes', () => {
  test(
    'eval()/train() propagate to every sub-module',
    scoped(() => {
      const inner = new nn.Sequential(new nn.BatchNorm1d(4), new nn.Dropout(0.5));
      const m = new Holder([
        ['lin', new nn.Linear(4, 4)],
        ['inner', inner],
        ['attn', new nn.MultiheadAttention(4, 2)],
      ]);
      assert.deepEqual(keys(m).slice(0, 4), ['lin.weight', 'lin.bias', 'inner.0.weight', 'inner.0.bias']);
      const all = (x: nn.Module): nn.Module[] => [x, ...x.namedChildren().flatMap(([, c]) => all(c))];
      assert.equal(all(m).length, 7);
      assert.ok(all(m).every((x) => x.training));
      assert.equal(m.eval(), m);
      assert.ok(all(m).every((x) => !x.training));
      m.train();
      assert.ok(all(m).every((x) => x.training));
      m.train(false);
      assert.ok(all(m).every((x) => !x.training));
      m.dispose();
    }),
  );
  test(
    'BatchNorm running stats (and num_batches_tracked) update only in training mode',
    scoped(() => {
      const bn = new nn.BatchNorm2d(2, { momentum: 0.5 });
      const x = T.randn([4, 2, 3, 3]).mul(2).add(1);
      bn.forward(x);
      const mean1 = vals(bn.runningMean!);
      const batchMean = vals(x.mean([0, 2, 3]));
      close(
        mean1,
        batchMean.map((m) => 0.5 * m),
        1e-5,
        'running_mean = (1-m)·0 + m·batch mean',
      );
      close(
        bn.runningVar!,
        vals(x.var([0, 2, 3])).map((v) => 0.5 + 0.5 * v),
        1e-5,
        'running_var uses the unbiased batch variance',
      );
      assert.equal(bn.stateDict().get('num_batches_tracked')!.item(), 1);
      bn.eval();
      const y = bn.forward(x);
      assert.deepEqual(vals(bn.runningMean!), mean1, 'eval leaves running_mean');
      assert.equal(bn.stateDict().get('num_batches_tracked')!.item(), 1);
      // Eval normalizes with the running statistics, not the batch's.
      const rm = vals(bn.runningMean!);
      const rv = vals(bn.runningVar!);
      const xv = vals(x);
      close(
        y,
        xv.map((v, i) => (v - rm[Math.floor(i / 9) % 2]) / Math.sqrt(rv[Math.floor(i / 9) % 2] + 1e-5)),
        1e-5,
      );
      bn.train();
      bn.forward(x);
      assert.equal(bn.stateDict().get('num_batches_tracked')!.item(), 2);
      assert.throws(() => bn.forward(T.randn([2, 2])), /BatchNorm2d: expected a 4-D input/);
      bn.dispose();
    }),
  );
  test(
    'Dropout is active only in training; LSTM inter-layer dropout only in training',
    scoped(() => {
      T.manualSeed(2);
      const d = new nn.Dropout(0.5);
      const x = T.ones([1000]);
      assert.ok(d.forward(x).eq(0).any(), 'training drops');
      d.eval();
      assert.ok(d.forward(x).equal(x), 'eval is identity');
      const lstm = new nn.LSTM(3, 8, { numLayers: 2, dropout: 0.5 });
      const seq = T.randn([2, 5, 3]);
      const [a] = lstm.forward(seq);
      const [b] = lstm.forward(seq);
      assert.ok(!a.allclose(b), 'training: different dropout masks');
      lstm.eval();
      const [c] = lstm.forward(seq);
      const [e] = lstm.forward(seq);
      assert.ok(c.equal(e), 'eval: deterministic');
      lstm.dispose();
    }),
  );
});

describe('MultiheadAttention behaviour', () => {
  test(
    'weights are a distribution over keys, padded keys get zero weight, masks agree',
    scoped(() => {
      T.manualSeed(11);
      const mha = new nn.MultiheadAttention(8, 2);
      mha.eval();
      const q = T.randn([2, 3, 8]);
      const kv = T.randn([2, 4, 8]);
      const pad = tensor(Uint8Array.from([0, 0, 0, 1, 0, 1, 0, 0]), [2, 4], 'bool');
      const [out, w] = mha.forward(q, kv, kv, { keyPaddingMask: pad });
      assert.deepEqual(
        [out.shape, w.shape],
        [
          [2, 3, 8],
          [2, 3, 4],
        ],
      );
      close(w.sum(-1), [1, 1, 1, 1, 1, 1], 1e-5);
      const wv = vals(w);
      for (let r = 0; r < 3; r++) {
        assert.equal(wv[r * 4 + 3], 0, 'batch 0, key 3 padded');
        assert.equal(wv[12 + r * 4 + 1], 0, 'batch 1, key 1 padded');
      }
      // A bool attn mask (true = blocked) equals an additive -inf float mask.
      const blocked = tensor(Uint8Array.from([0, 1, 0, 0, 0, 0, 1, 0, 1, 0, 0, 0]), [3, 4], 'bool');
      const additive = T.zeros([3, 4]).maskedFill(blocked, -Infinity);
      const [o1, w1] = mha.forward(q, kv, kv, { attnMask: blocked });
      const [o2, w2] = mha.forward(q, kv, kv, { attnMask: additive });
      assert.ok(o1.allclose(o2, 1e-5, 1e-6) && w1.allclose(w2, 1e-5, 1e-6));
      assert.ok(vals(w1.select(2, 1).select(1, 0)).every((v) => v === 0));
      // Both masks together.
      const [, w3] = mha.forward(q, kv, kv, { attnMask: additive, keyPaddingMask: pad });
      close(w3.sum(-1), [1, 1, 1, 1, 1, 1], 1e-5);
      assert.equal(vals(w3)[3], 0);
      // Sequence-first layout gives the same result transposed.
      const seqFirst = new nn.MultiheadAttention(8, 2, { batchFirst: false });
      seqFirst.loadStateDict(mha.stateDict());
      const [o4] = seqFirst.forward(q.transpose(0, 1), kv.transpose(0, 1), kv.transpose(0, 1), { keyPaddingMask: pad });
      assert.ok(o4.transpose(0, 1).allclose(out, 1e-5, 1e-6));
      mha.dispose();
      seqFirst.dispose();
    }),
  );
});

describe('loadStateDict', () => {
  const make = () => new nn.Sequential(new nn.Linear(3, 2), new nn.BatchNorm1d(2));
  test(
    'round trip copies values (float64 sources are converted), buffers included',
    scoped(() => {
      const a = make();
      const b = make();
      a.forward(T.randn([4, 3]));
      b.loadStateDict(a.stateDict());
      for (const [k, t] of a.stateDict()) assert.deepEqual(vals(b.stateDict().get(k)!), vals(t), k);
      const bw = vals(b.stateDict().get('0.weight')!);
      T.noGrad(() => a.stateDict().get('0.weight')!.add_(1));
      assert.deepEqual(vals(b.stateDict().get('0.weight')!), bw, 'copied, not shared');
      const d = new Map([...a.stateDict()].map(([k, t]) => [k, t.dtype === 'float32' ? t.to('float64').add(1) : t]));
      b.loadStateDict(d);
      assert.equal(b.stateDict().get('0.weight')!.dtype, 'float32');
      close(
        b.stateDict().get('0.weight')!,
        vals(a.stateDict().get('0.weight')!).map((v) => v + 1),
        1e-6,
      );
      // Raw (deserialized) records load too.
      b.loadStateDict(new Map([...a.stateDict()].map(([k, t]) => [k, T.toRaw(t)])));
      assert.deepEqual(vals(b.stateDict().get('0.bias')!), vals(a.stateDict().get('0.bias')!));
      a.dispose();
      b.dispose();
    }),
  );
  test(
    'missing, unexpected and mis-shaped keys: StateDictError naming each key; module unchanged',
    scoped(() => {
      const m = make();
      const good = new Map([...make().stateDict()].map(([k, t]) => [k, t.add(5)]));
      const before = snapshot(m);
      const attempt = (dict: Map<string, Tensor>, strict?: boolean) => {
        try {
          m.loadStateDict(dict, strict);
        } catch (e) {
          assert.ok(e instanceof nn.StateDictError, 'a StateDictError');
          assert.deepEqual(snapshot(m), before, 'module unchanged after a failed load');
          return (e as Error).message;
        }
        assert.fail('loadStateDict should have thrown');
      };
      const missing = new Map(good);
      missing.delete('1.running_var');
      missing.delete('0.bias');
      const msg1 = attempt(missing);
      assert.match(msg1, /missing key '0\.bias'/);
      assert.match(msg1, /missing key '1\.running_var'/);
      const extra = new Map(good).set('2.weight', T.zeros([1]));
      assert.match(attempt(extra), /unexpected key '2\.weight'/);
      // Shape mismatches are errors even when not strict, and name both shapes.
      const wrong = new Map(good).set('0.weight', T.zeros([3, 2]));
      assert.match(attempt(wrong), /'0\.weight': shape \[3, 2\] ≠ expected \[2, 3\]/);
      assert.match(attempt(wrong, false), /'0\.weight': shape \[3, 2\]/);
      // Non-strict loading skips missing and unexpected keys and loads the rest.
      const partial = new Map([
        ['0.bias', T.full([2], 9)],
        ['extra', T.zeros([1])],
      ]);
      m.loadStateDict(partial, false);
      assert.deepEqual(vals(m.stateDict().get('0.bias')!), [9, 9]);
      assert.deepEqual(vals(m.stateDict().get('0.weight')!), before[0][1]);
      m.dispose();
    }),
  );
});

describe('optimizers', () => {
  /** Loss ½ Σ aᵢ pᵢ² on a float64 parameter: gradient a ⊙ p. */
  const quadGrad = (p: Tensor, a: Tensor) => {
    p.square().mul(a).sum().mul(0.5).backward();
  };
  const A = [1, 3, 0.5];
  const P0 = [1, -2, 4];

  test(
    'SGD with momentum (and Nesterov) follows v ← μv + g, p ← p − lr·v',
    scoped(() => {
      for (const nesterov of [false, true]) {
        const p = f64(P0).requiresGrad_();
        const opt = new T.SGD([p], { lr: 0.1, momentum: 0.9, nesterov });
        const ref = [...P0];
        const v = [0, 0, 0];
        for (let step = 0; step < 5; step++) {
          opt.zeroGrad();
          quadGrad(p, f64(A));
          opt.step();
          for (let i = 0; i < 3; i++) {
            const g = A[i] * ref[i];
            v[i] = step === 0 ? g : 0.9 * v[i] + g;
            ref[i] -= 0.1 * (nesterov ? g + 0.9 * v[i] : v[i]);
          }
          close(p, ref, 1e-12, `nesterov=${nesterov} step ${step + 1}`);
        }
      }
    }),
  );
  test(
    'SGD with momentum drives a quadratic to its minimum',
    scoped(() => {
      const p = f64(P0).requiresGrad_();
      const opt = new T.SGD([p], { lr: 0.05, momentum: 0.9 });
      const loss = () => vals(p).reduce((s, v, i) => s + 0.5 * A[i] * v * v, 0);
      const start = loss();
      for (let i = 0; i < 300; i++) {
        opt.zeroGrad();
        quadGrad(p, f64(A));
        opt.step();
      }
      assert.ok(loss() < start * 1e-6, `loss ${start} → ${loss()}`);
    }),
  );

  /** Reference Adam/AdamW as in torch.optim (L2 vs decoupled weight decay). */
  function adamRef(steps: number, lr: number, wd: number, decoupled: boolean, b1 = 0.9, b2 = 0.999, eps = 1e-8): number[][] {
    const p = [...P0];
    const m = [0, 0, 0];
    const v = [0, 0, 0];
    const hist: number[][] = [];
    for (let t = 1; t <= steps; t++) {
      for (let i = 0; i < 3; i++) {
        let g = A[i] * p[i];
        if (decoupled) p[i] *= 1 - lr * wd;
        else g += wd * p[i];
        m[i] = b1 * m[i] + (1 - b1) * g;
        v[i] = b2 * v[i] + (1 - b2) * g * g;
        const mh = m[i] / (1 - b1 ** t);
        const vh = v[i] / (1 - b2 ** t);
        p[i] -= (lr * mh) / (Math.sqrt(vh) + eps);
      }
      hist.push([...p]);
    }
    return hist;
  }
  test(
    'Adam and AdamW match torch.optim update rules; weight decay makes them differ',
    scoped(() => {
      const run = (make: (p: Tensor) => T.Optimizer) => {
        const p = f64(P0).requiresGrad_();
        const opt = make(p);
        const hist: number[][] = [];
        for (let i = 0; i < 6; i++) {
          opt.zeroGrad();
          quadGrad(p, f64(A));
          opt.step();
          hist.push(vals(p));
        }
        return hist;
      };
      const adam = run((p) => new T.Adam([p], { lr: 0.1, weightDecay: 0.3 }));
      const adamw = run((p) => new T.AdamW([p], { lr: 0.1, weightDecay: 0.3 }));
      adamRef(6, 0.1, 0.3, false).forEach((r, i) => close(adam[i], r, 1e-10, `Adam step ${i + 1}`));
      adamRef(6, 0.1, 0.3, true).forEach((r, i) => close(adamw[i], r, 1e-10, `AdamW step ${i + 1}`));
      const diff = Math.max(...adam[5].map((v, i) => Math.abs(v - adamw[5][i])));
      assert.ok(diff > 1e-3, `Adam and AdamW should differ with weight decay (max diff ${diff})`);
      // Without weight decay they coincide.
      const a0 = run((p) => new T.Adam([p], { lr: 0.1 }));
      const w0 = run((p) => new T.AdamW([p], { lr: 0.1, weightDecay: 0 }));
      a0.forEach((r, i) => close(w0[i], r, 1e-12));
      // AdamW's default weight decay is 0.01 (as torch).
      const wDefault = run((p) => new T.AdamW([p], { lr: 0.1 }));
      adamRef(6, 0.1, 0.01, true).forEach((r, i) => close(wDefault[i], r, 1e-10, `AdamW default step ${i + 1}`));
    }),
  );
  test(
    'lr getter/setter and zeroGrad (sets gradients to none)',
    scoped(() => {
      const p = f64(P0).requiresGrad_();
      const opt = new T.Adam([p], { lr: 0.01 });
      assert.equal(opt.lr, 0.01);
      opt.lr = 0.5;
      assert.equal(opt.lr, 0.5);
      quadGrad(p, f64(A));
      assert.notEqual(p.grad, null);
      opt.zeroGrad();
      assert.equal(p.grad, null);
      opt.step(); // no gradients: a no-op
      assert.deepEqual(vals(p), P0);
    }),
  );

  for (const kind of ['adam', 'adamw', 'sgd'] as const) {
    test(
      `${kind}: getState/setState round trip gives identical subsequent steps`,
      scoped(() => {
        const make = (params: Tensor[]) =>
          kind === 'sgd'
            ? new T.SGD(params, { lr: 0.05, momentum: 0.9 })
            : kind === 'adam'
              ? new T.Adam(params, { lr: 0.05 })
              : new T.AdamW(params, { lr: 0.05 });
        T.manualSeed(1);
        const netA = new nn.Sequential(new nn.Linear(3, 4), nn.Tanh(), new nn.Linear(4, 1));
        const x = T.randn([8, 3]);
        const y = T.randn([8, 1]);
        const optA = make(netA.parameters());
        const stepOn = (net: nn.Module & nn.UnaryModule, opt: T.Optimizer) =>
          tidy(() => {
            opt.zeroGrad();
            F.mseLoss(net.forward(x), y).backward();
            opt.step();
          });
        for (let i = 0; i < 3; i++) stepOn(netA, optA);
        const state = optA.getState();
        assert.equal(state.length, 4);
        if (kind === 'sgd') assert.deepEqual(Object.keys(state[0]!.buffers), ['momentum_buffer']);
        else {
          assert.equal(state[0]!.step, 3);
          assert.deepEqual(Object.keys(state[0]!.buffers).sort(), ['exp_avg', 'exp_avg_sq']);
        }
        const netB = new nn.Sequential(new nn.Linear(3, 4), nn.Tanh(), new nn.Linear(4, 1));
        netB.loadStateDict(netA.stateDict());
        const optB = make(netB.parameters());
        optB.setState(state);
        // A fresh optimizer without the state diverges: the round trip is what matters.
        const netC = new nn.Sequential(new nn.Linear(3, 4), nn.Tanh(), new nn.Linear(4, 1));
        netC.loadStateDict(netA.stateDict());
        const optC = make(netC.parameters());
        for (let i = 0; i < 3; i++) {
          stepOn(netA, optA);
          stepOn(netB, optB);
          stepOn(netC, optC);
        }
        for (const [k, t] of netA.stateDict()) assert.deepEqual(vals(netB.stateDict().get(k)!), vals(t), `${k} after restore`);
        assert.ok(
          [...netA.stateDict()].some(([k, t]) => !t.equal(netC.stateDict().get(k)!)),
          'fresh optimizer differs',
        );
        // The exported state is a copy: later steps do not change it.
        const again = optA.getState();
        assert.ok(!again[0]!.buffers[Object.keys(again[0]!.buffers)[0]].equal(state[0]!.buffers[Object.keys(state[0]!.buffers)[0]]));
        assert.throws(() => optB.setState(state.slice(1)), /one entry per parameter/);
        const bad = state.map(
          (s) => s && { step: s.step, buffers: Object.fromEntries(Object.entries(s.buffers).map(([n]) => [n, T.zeros([7])])) },
        );
        assert.throws(() => optB.setState(bad), /wrong shape/);
        for (const n of [netA, netB, netC]) n.dispose();
      }),
    );
  }

  test(
    'a tiny MLP learns XOR (100 % accuracy) with Adam',
    scoped(() => {
      T.manualSeed(0);
      const net = new nn.Sequential(new nn.Linear(2, 8), nn.Tanh(), new nn.Linear(8, 1));
      const opt = new T.Adam(net.parameters(), { lr: 0.05 });
      const x = tensor([
        [0, 0],
        [0, 1],
        [1, 0],
        [1, 1],
      ]);
      const y = tensor([[0], [1], [1], [0]]);
      let loss = Infinity;
      for (let i = 0; i < 300; i++) {
        loss = tidy(() => {
          opt.zeroGrad();
          const l = F.binaryCrossEntropyWithLogits(net.forward(x), y);
          l.backward();
          opt.step();
          return l.item();
        });
      }
      const pred = T.noGrad(() => vals(net.forward(x).gt(0)));
      assert.deepEqual(pred, [0, 1, 1, 0], `predictions after training (loss ${loss})`);
      assert.ok(loss < 0.05, `final loss ${loss}`);
      net.dispose();
    }),
  );
});

describe('learning-rate schedulers', () => {
  const optWith = (lr: number) => new T.SGD([T.zeros([1]).requiresGrad_()], { lr });
  test('CosineAnnealingLR follows η_min + (η₀ − η_min)(1 + cos(πt/T))/2; state/restore resumes', () => {
    const opt = optWith(0.1);
    const s = new T.CosineAnnealingLR(opt, 10, 0.001);
    const closed = (t: number) => 0.001 + ((0.1 - 0.001) * (1 + Math.cos((Math.PI * t) / 10))) / 2;
    assert.equal(opt.lr, 0.1);
    for (let t = 1; t <= 10; t++) {
      s.step();
      assert.ok(Math.abs(opt.lr - closed(t)) < 1e-12, `epoch ${t}: ${opt.lr} vs ${closed(t)}`);
    }
    assert.ok(Math.abs(opt.lr - 0.001) < 1e-12);
    const opt2 = optWith(0.1);
    const s2 = new T.CosineAnnealingLR(opt2, 10, 0.001);
    const mid = new T.CosineAnnealingLR(optWith(0.1), 10, 0.001);
    for (let t = 0; t < 4; t++) mid.step();
    s2.restore(mid.state());
    assert.deepEqual(s2.state(), { epoch: 4 });
    assert.ok(Math.abs(opt2.lr - closed(4)) < 1e-12);
    s2.step();
    assert.ok(Math.abs(opt2.lr - closed(5)) < 1e-12);
    assert.throws(() => new T.CosineAnnealingLR(opt, 0), /tMax must be > 0/);
  });
  test('StepLR multiplies by γ every stepSize epochs; state/restore resumes', () => {
    const opt = optWith(1);
    const s = new T.StepLR(opt, 3, 0.5);
    const lrs: number[] = [];
    for (let e = 0; e < 7; e++) {
      s.step();
      lrs.push(opt.lr);
    }
    assert.deepEqual(lrs, [1, 1, 0.5, 0.5, 0.5, 0.25, 0.25]);
    const opt2 = optWith(1);
    const s2 = new T.StepLR(opt2, 3, 0.5);
    s2.restore(s.state());
    assert.equal(opt2.lr, 0.25);
    s2.step();
    s2.step();
    assert.equal(opt2.lr, 0.125);
    assert.throws(() => new T.StepLR(opt, 0), /stepSize must be ≥ 1/);
  });
  test('ReduceLROnPlateau (mode max, patience 2) reduces after patience bad epochs', () => {
    const opt = optWith(0.1);
    const s = new T.ReduceLROnPlateau(opt, { mode: 'max', patience: 2, factor: 0.5 });
    const metrics = [0.5, 0.6, 0.6, 0.6, 0.6, 0.7, 0.65, 0.65, 0.65, 0.65];
    const lrs = metrics.map((m) => {
      s.step(m);
      return opt.lr;
    });
    assert.deepEqual(lrs, [0.1, 0.1, 0.1, 0.1, 0.05, 0.05, 0.05, 0.05, 0.025, 0.025]);
    assert.throws(() => s.step(), /finite metric/);
    assert.throws(() => s.step(NaN), /finite metric/);
    assert.throws(() => new T.ReduceLROnPlateau(opt, { factor: 1 }), /factor must be in \(0, 1\)/);
  });
  test('ReduceLROnPlateau (mode min) with threshold, cooldown and minLr; state/restore', () => {
    const opt = optWith(0.1);
    const s = new T.ReduceLROnPlateau(opt, { mode: 'min', patience: 0, factor: 0.5, cooldown: 1, minLr: 0.03 });
    const lrs = [1, 1, 1, 1, 1, 1].map((m) => {
      s.step(m);
      return opt.lr;
    });
    assert.deepEqual(lrs, [0.1, 0.05, 0.05, 0.03, 0.03, 0.03]);
    // A relative improvement below threshold (1e-4) does not count.
    const opt2 = optWith(1);
    const t = new T.ReduceLROnPlateau(opt2, { patience: 0, factor: 0.1 });
    t.step(1);
    t.step(0.99995);
    assert.ok(Math.abs(opt2.lr - 0.1) < 1e-12);
    // Resume mid-run: same subsequent lrs as the uninterrupted scheduler.
    const run = (sched: T.ReduceLROnPlateau, o: T.Optimizer, ms: number[]) =>
      ms.map((m) => {
        sched.step(m);
        return o.lr;
      });
    const oA = optWith(0.1);
    const a = new T.ReduceLROnPlateau(oA, { mode: 'max', patience: 1, factor: 0.5 });
    run(a, oA, [0.3, 0.4, 0.4]);
    const saved = a.state();
    const oB = optWith(0.1);
    const b = new T.ReduceLROnPlateau(oB, { mode: 'max', patience: 1, factor: 0.5 });
    b.restore(saved);
    const rest = [0.4, 0.35, 0.5, 0.45, 0.45];
    assert.deepEqual(run(b, oB, rest), run(a, oA, rest));
  });
});

describe('gradient clipping', () => {
  test(
    'clipGradNorm returns the pre-clip norm and scales gradients to maxNorm',
    scoped(() => {
      const p1 = T.zeros([2]).requiresGrad_();
      const p2 = T.zeros([1]).requiresGrad_();
      const untouched = T.zeros([3]).requiresGrad_(); // no gradient: ignored
      p1.mul(tensor([3, 0]))
        .sum()
        .add(p2.mul(4).sum())
        .backward();
      const norm = T.clipGradNorm([p1, p2, untouched], 1);
      assert.ok(Math.abs(norm - 5) < 1e-6, `norm ${norm}`);
      close(p1.grad!, [0.6, 0], 1e-5);
      close(p2.grad!, [0.8], 1e-5);
      assert.equal(untouched.grad, null);
      const total = Math.hypot(...vals(p1.grad!), ...vals(p2.grad!));
      assert.ok(Math.abs(total - 1) < 1e-5, `clipped norm ${total}`);
      // Below the limit: unchanged, still reports the norm.
      const n2 = T.clipGradNorm([p1, p2], 10);
      assert.ok(Math.abs(n2 - 1) < 1e-5);
      close(p1.grad!, [0.6, 0], 1e-5);
      // Infinity norm: the largest |g|.
      p1.grad = tensor([-3, 1]);
      p2.grad = tensor([2]);
      const nInf = T.clipGradNorm([p1, p2], 1.5, Infinity);
      assert.ok(Math.abs(nInf - 3) < 1e-6);
      close(p1.grad!, [-1.5, 0.5], 1e-5);
      assert.equal(T.clipGradNorm([untouched], 1), 0);
    }),
  );
  test(
    'clipGradValue clamps every element into [-v, v]',
    scoped(() => {
      const p = T.zeros([4]).requiresGrad_();
      p.mul(tensor([-3, 0.2, 5, -0.4]))
        .sum()
        .backward();
      T.clipGradValue([p], 0.5);
      close(p.grad!, [-0.5, 0.2, 0.5, -0.4], 1e-6);
    }),
  );
});
