// The guarded optimiser step of the training loops: non-finite steps leave the weights alone.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { EpochSteps, SGD, finiteStep, noGrad, tensor, type Tensor } from '../../src/engine/index.js';

const weight = (values: number[]) => noGrad(() => tensor(Float32Array.from(values), [values.length])).requiresGrad_(true);
const values = (t: Tensor) => Array.from(t.toArray() as Float32Array);

describe('finiteStep', () => {
  test('steps on a finite loss and returns its value', () => {
    const w = weight([1, -2]);
    const opt = new SGD([w], { lr: 0.5 });
    const loss = w.mul(w).sum(); // gradient 2w
    loss.backward();
    assert.equal(finiteStep(opt, [w], loss, null), 5);
    assert.deepEqual(values(w), [0, 0]);
  });

  test('clips the global gradient norm to maxNorm before the step', () => {
    const w = weight([3, 4]);
    const opt = new SGD([w], { lr: 1 });
    const loss = w.mul(tensor(Float32Array.from([3, 4]), [2])).sum(); // gradient (3, 4), norm 5
    loss.backward();
    finiteStep(opt, [w], loss, 1);
    const [a, b] = values(w);
    assert.ok(Math.abs(a - (3 - 0.6)) < 1e-5 && Math.abs(b - (4 - 0.8)) < 1e-5, `${a}, ${b}`);
  });

  test('skips a non-finite loss, and a finite loss with an infinite gradient, leaving the weights as they were', () => {
    const w = weight([0, 1]);
    const opt = new SGD([w], { lr: 1 });
    const nanLoss = w.mul(Number.NaN).sum();
    nanLoss.backward();
    assert.equal(finiteStep(opt, [w], nanLoss, null), null);
    assert.deepEqual(values(w), [0, 1]);
    opt.zeroGrad();
    const sqrtLoss = w.sqrt().sum(); // 1, but d√w/dw = ∞ at 0
    sqrtLoss.backward();
    assert.equal(finiteStep(opt, [w], sqrtLoss, 10), null);
    assert.deepEqual(values(w), [0, 1]);
  });
});

describe('EpochSteps', () => {
  const epochOf = (applied: number[], skipped: number) => {
    const steps = new EpochSteps();
    for (const v of applied) steps.add(v);
    for (let i = 0; i < skipped; i++) steps.add(null);
    return steps;
  };

  test('averages the loss of the applied steps only (NaN before any)', () => {
    assert.equal(epochOf([1, 2, 6], 2).meanLoss, 3);
    assert.ok(Number.isNaN(new EpochSteps().meanLoss));
  });

  test('allows up to half of the steps skipped and names the run, the epoch and the counts beyond', () => {
    epochOf([1, 1, 1, 1, 1], 5).checkConverging('fold 0', 3);
    assert.throws(
      () => epochOf([1, 1, 1, 1], 6).checkConverging('fold 2', 3),
      /^Error: fold 2: training diverged in epoch 3 \(6 of 10 steps had a non-finite loss or gradients; the checkpoint of the epoch before is kept\): try a lower learning rate$/,
    );
  });
});
