import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cat, manualSeed, noGrad, randn, tensor, tidy, zeros, type Tensor } from '../../src/engine/index.js';
import { CnnLstmMultitask, TrustSerCnn, type SerModel } from '../../src/models/index.js';
import { NUM_CLASSES, TINY_CASES, build } from './ser-helpers.js';

const BATCH = 3;
const hasTime = (m: SerModel) => m.inputKind === 'frames' || m.inputKind === 'layers';

for (const c of TINY_CASES) {
  test(`${c.label}: forward, embed and describe shapes`, () => {
    manualSeed(1);
    const m = build(c);
    tidy(() => {
      const x = randn([BATCH, ...c.example]);
      const lengths = hasTime(m) ? tensor([c.example.at(-2)!, 9, 13], [BATCH], 'int64') : null;
      for (const mode of ['train', 'eval'] as const) {
        if (mode === 'eval') m.eval();
        const y = m.forward(x, lengths);
        assert.deepEqual(y.shape, [BATCH, NUM_CLASSES]);
        assert.ok(y.isfinite().all());
        const e = m.embed(x, lengths);
        assert.deepEqual(e.shape, [BATCH, m.embedDim]);
      }
    });
    const d = m.describe();
    assert.equal(d.name, c.name);
    assert.equal(d.inputKind, m.inputKind);
    assert.equal(d.params, m.numParameters());
    assert.ok(d.params > 0);
    assert.equal(d.config.numClasses, NUM_CLASSES);
    m.dispose();
  });

  test(`${c.label}: a loss gradient reaches every parameter`, () => {
    manualSeed(2);
    const m = build(c);
    tidy(() => {
      const x = randn([4, ...c.example]);
      const target = tensor([0, 1, 2, 3], [4], 'int64');
      const lengths = hasTime(m) ? tensor([c.example.at(-2)!, 10, 17, 12], [4], 'int64') : null;
      let loss: Tensor;
      if (m instanceof CnnLstmMultitask) {
        const out = m.forwardHeads(x, lengths);
        loss = m.multitaskLoss(out, {
          emotion: target,
          gender: tensor([0, 1, 1, 0], [4], 'int64'),
          race: tensor([2, 0, 1, 2], [4], 'int64'),
        }).total;
      } else {
        loss = m.lossFn(m.forward(x, lengths), target);
      }
      loss.backward();
      let total = 0;
      for (const [name, p] of m.namedParameters()) {
        const g = p.grad;
        assert.ok(g !== null, `${name} has no gradient`);
        assert.ok(g.isfinite().all(), `${name} has a non-finite gradient`);
        total += g.abs().sum().item();
      }
      assert.ok(total > 0);
    });
    m.dispose();
  });
}

// Padding must not change pooled outputs: example A (valid length `short`) inside a padded batch,
// with garbage in its padding, gives the same logits and embedding as A alone (eval mode).
for (const c of TINY_CASES.filter((k) => k.example.length >= 2 && k.name !== 'alexnet' && k.name !== 'fcn-gap')) {
  test(`${c.label}: padding frames do not change the outputs`, () => {
    manualSeed(3);
    const m = build(c).eval();
    const layered = c.example.length === 3;
    const tAxis = layered ? 2 : 1;
    const full = c.example.at(-2)!;
    const short = 13; // odd: exercises floor() in the CNN's time pooling
    tidy(() =>
      noGrad(() => {
        const a = randn([1, ...c.example]).narrow(tAxis, 0, short);
        const garbage = randn([1, ...c.example])
          .narrow(tAxis, 0, full - short)
          .mul(50);
        const padded = cat([cat([a, garbage], tAxis), randn([1, ...c.example])], 0);
        const lengths = tensor([short, full], [2], 'int64');
        for (const f of ['forward', 'embed'] as const) {
          const alone = m[f](a);
          const batched = m[f](padded, lengths).narrow(0, 0, 1);
          assert.ok(batched.allclose(alone, 1e-4, 1e-5), `${f}: ${batched.toNested()} ≠ ${alone.toNested()}`);
        }
        // And the padding really is ignored: without lengths the output differs.
        assert.ok(!m.forward(padded).narrow(0, 0, 1).allclose(m.forward(a), 1e-4, 1e-5));
      }),
    );
    m.dispose();
  });
}

test('trust-ser-cnn mixes backbone layers with softmax weights (uniform at init)', () => {
  const m = new TrustSerCnn([3, 8], 2, { hiddenSize: 8 });
  assert.equal(m.inputKind, 'layers');
  tidy(() => {
    assert.ok(m.mixingWeights()!.allclose(tensor([1 / 3, 1 / 3, 1 / 3]), 1e-6));
    // With uniform weights the layer mix equals the mean over layers: identical layers → same as frames.
    const frames = new TrustSerCnn([8], 2, { hiddenSize: 8 });
    frames.loadStateDict(new Map([...m.stateDict()].filter(([k]) => k !== 'layer_weights')));
    m.eval();
    frames.eval();
    const x = randn([2, 5, 8]);
    const stacked = x.unsqueeze(1).expand([2, 3, 5, 8]);
    assert.ok(m.forward(stacked).allclose(frames.forward(x), 1e-5, 1e-6));
    assert.equal(m.stateDict().get('layer_weights')!.shape[0], 3);
  });
});

test('inputs of the wrong kind or geometry are rejected with the expected layout', () => {
  const m = build(TINY_CASES[3]); // cnn-lstm, D = 16
  tidy(() => {
    assert.throws(() => m.forward(zeros([2, 24, 15])), /cnn-lstm: expected frames input \[N, T, D\] with D = 16, got \[2, 24, 15\]/);
    assert.throws(() => m.forward(zeros([2, 16])), /expected frames input/);
    assert.throws(() => m.forward(zeros([2, 24, 16]), tensor([24, 25], [2], 'int64')), /lengths must lie in \[1, 24\]/);
    assert.throws(() => m.forward(zeros([2, 24, 16]), tensor([24], [1], 'int64')), /lengths must be \[N\] = \[2\]/);
    assert.throws(() => m.forward(zeros([1, 3, 16])), /needs ≥ 4 frames/);
  });
});
