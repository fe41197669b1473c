import { test } from 'node:test';
import assert from 'node:assert/strict';
import { F, grad, randn, tensor, tidy } from '../../src/engine/index.js';
import {
  CnnLstmMultitask,
  LinearSvm,
  Mlp,
  aggregateSegments,
  crossEntropyLoss,
  multitaskLoss,
  squaredHingeLoss,
} from '../../src/models/index.js';

const close = (a: number, b: number, tol = 1e-5) => assert.ok(Math.abs(a - b) <= tol, `${a} ≠ ${b}`);
const i64 = (v: number[]) => tensor(v, [v.length], 'int64');

// Hand computation: scores s, y = +1 for the target class, −1 otherwise; Σ_k max(0, 1 − y·s)².
//   example 0 (target 0): [2, −0.5, 0.3] → 0 + 0.5² + 1.3² = 1.94
//   example 1 (target 2): [0.2, 0.1, −1] → 1.2² + 1.1² + 2² = 6.65
const SCORES = [
  [2, -0.5, 0.3],
  [0.2, 0.1, -1],
];

test('squared hinge (one-vs-rest, liblinear L2-loss SVM) equals hand-computed values', () => {
  tidy(() => {
    const s = tensor(SCORES);
    close(squaredHingeLoss(s, i64([0, 2])).item(), (1.94 + 6.65) / 2);
    close(squaredHingeLoss(s, i64([0, 2]), { classWeights: [1, 1, 3] }).item(), (1.94 + 3 * 6.65) / 4);
    close(squaredHingeLoss(s, i64([0, -100])).item(), 1.94);
    assert.equal(squaredHingeLoss(s, i64([-100, -100])).item(), 0);
    const w = tensor([
      [1, 2],
      [0, -1],
      [0.5, 0.5],
    ]); // ‖W‖² = 6.5
    close(squaredHingeLoss(s, i64([0, 2]), { l2: 0.1, weight: w }).item(), (1.94 + 6.65) / 2 + 0.05 * 6.5);
  });
});

test('linear-svm uses the squared hinge on its decision values; logreg-style models use cross-entropy', () => {
  const svm = new LinearSvm(2, 3, { l2: 0.1 });
  svm.loadStateDict(
    new Map([
      [
        'linear.weight',
        tensor([
          [1, 2],
          [0, -1],
          [0.5, 0.5],
        ]),
      ],
      ['linear.bias', tensor([0, 0, 0])],
    ]),
  );
  tidy(() => {
    const x = tensor([
      [1, 0],
      [0, 1],
    ]); // scores [[1, 0, 0.5], [2, −1, 0.5]]
    const s = svm.forward(x);
    // ex 0 (target 1): max(0,1+1)²=4, max(0,1−0)²=1, max(0,1+0.5)²=2.25 → 7.25; ex 1 (target 0): 0, 0, 2.25 → 2.25
    close(svm.lossFn(s, i64([1, 0])).item(), (7.25 + 2.25) / 2 + 0.05 * 6.5);
  });
  const mlp = new Mlp(4, 3, { classWeights: [1, 2, 0.5], labelSmoothing: 0.1 });
  tidy(() => {
    const logits = randn([5, 3]);
    const t = i64([0, 1, 2, 1, -100]);
    const want = F.crossEntropy(logits, t, { weight: tensor([1, 2, 0.5]), labelSmoothing: 0.1 });
    close(mlp.lossFn(logits, t).item(), want.item());
    assert.equal(crossEntropyLoss(logits, i64([-100, -100, -100, -100, -100])).item(), 0);
  });
});

test('multitask loss: weighted sum of cross-entropies, −100 targets ignored (values and gradients)', () => {
  tidy(() => {
    const emotion = randn([4, 3]).requiresGrad_();
    const gender = randn([4, 2]).requiresGrad_();
    const race = randn([4, 3]).requiresGrad_();
    const targets = { emotion: i64([0, 1, 2, 1]), gender: i64([0, -100, 1, -100]), race: i64([-100, -100, -100, -100]) };
    const l = multitaskLoss({ emotion, gender, race }, targets, { emotion: 1, gender: 0.5, race: 0.5 });
    const rows = i64([0, 2]);
    const genderWant = F.crossEntropy(gender.indexSelect(0, rows), i64([0, 1])).item();
    close(l.gender!.item(), genderWant);
    assert.equal(l.race!.item(), 0);
    close(l.total.item(), F.crossEntropy(emotion, targets.emotion).item() + 0.5 * genderWant);
    const [gGender, gRace] = grad(l.total, [gender, race]);
    const g = gGender!.toNested() as number[][];
    assert.deepEqual(
      [g[1], g[3]],
      [
        [0, 0],
        [0, 0],
      ],
    ); // ignored rows get no gradient
    assert.ok(Math.abs(g[0][0]) > 0);
    assert.ok(gRace === null || gRace.abs().sum().item() === 0);
    // Changing the logits of ignored rows leaves the loss unchanged.
    const moved = gender.detach().add(
      tensor([
        [0, 0],
        [5, -5],
        [0, 0],
        [-3, 3],
      ]),
    );
    close(multitaskLoss({ emotion, gender: moved, race }, targets).gender!.item(), genderWant);
  });
});

test('cnn-lstm-att-multitask: forwardHeads shapes, optional race head, absent targets skipped', () => {
  const m = new CnnLstmMultitask(16, 4, { convChannels: [4], lstmHidden: 6, denseDim: 8, attentionDim: 4, numRaces: 5 });
  assert.ok(m.namedParameters().some(([k]) => k === 'gender_head.weight'));
  assert.ok(m.namedParameters().some(([k]) => k === 'race_head.weight'));
  tidy(() => {
    const out = m.forwardHeads(randn([3, 10, 16]), i64([10, 6, 8]));
    assert.deepEqual(
      [out.emotion.shape, out.gender.shape, out.race!.shape],
      [
        [3, 4],
        [3, 2],
        [3, 5],
      ],
    );
    const l = m.multitaskLoss(out, { emotion: i64([0, 1, 2]) });
    assert.equal(l.gender, null);
    close(l.total.item(), l.emotion.item());
  });
  const noRace = new CnnLstmMultitask(16, 4, { convChannels: [4], lstmHidden: 6, numRaces: 0 });
  assert.ok(!noRace.namedParameters().some(([k]) => k.startsWith('race_head')));
  tidy(() => {
    const out = noRace.forwardHeads(randn([2, 10, 16]));
    assert.equal(out.race, undefined);
    assert.throws(() => noRace.multitaskLoss(out, { emotion: i64([0, 1]), race: i64([0, 1]) }), /no race head/);
  });
});

test('aggregateSegments: utterance posterior = mean of its segments’ posteriors', () => {
  tidy(() => {
    const post = tensor([
      [0.2, 0.8],
      [0.6, 0.4],
      [1, 0],
    ]);
    const want = tensor([
      [0.4, 0.6],
      [1, 0],
    ]);
    assert.ok(aggregateSegments(post, [2, 1]).allclose(want, 1e-6));
    assert.ok(aggregateSegments(post.add(1e-12).log(), [2, 1]).allclose(want, 1e-5)); // log-probs detected
    const logits = tensor([
      [0, Math.log(4)],
      [Math.log(3), Math.log(2)],
      [5, 5],
    ]);
    assert.ok(
      aggregateSegments(logits, [2, 1], 'logits').allclose(
        tensor([
          [0.4, 0.6],
          [0.5, 0.5],
        ]),
        1e-5,
      ),
    );
    assert.throws(() => aggregateSegments(logits, [2, 1]), /neither posteriors nor log-probabilities; pass kind 'logits'/);
    assert.throws(() => aggregateSegments(post, [2, 2]), /sum to 4 but scores have 3 rows/);
    assert.throws(() => aggregateSegments(post, [3, 0]), /≥ 1 segment/);
  });
});
