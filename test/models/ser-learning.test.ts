import { test } from 'node:test';
import assert from 'node:assert/strict';
import { manualSeed, tensor } from '../../src/engine/index.js';
import { TINY_CASES, build, separableData, trainUntil } from './ser-helpers.js';

const PER_CLASS = 8;
const TARGET_ACCURACY = 0.9;

// Each model fits a small separable task (class-dependent feature bands) to ≥ 90 % training accuracy.
for (const c of TINY_CASES) {
  test(`${c.label} learns a separable task to ≥ 90 % training accuracy`, (t) => {
    manualSeed(7);
    const m = build(c);
    const { x, y, labels } = separableData(c, PER_CLASS);
    const n = labels.length;
    const timeModel = m.inputKind === 'frames' || m.inputKind === 'layers';
    // Variable lengths (full and 3/4) exercise the masked pooling during training.
    const full = c.example.at(-2)!;
    const lengths = timeModel
      ? tensor(
          labels.map((_, i) => (i % 2 === 0 ? full : Math.floor((3 * full) / 4))),
          [n],
          'int64',
        )
      : null;
    const started = Date.now();
    const r = trainUntil(m, x, y, labels, { lengths, lr: m.inputKind === 'image' ? 3e-3 : 1e-2, target: TARGET_ACCURACY });
    assert.ok(r.initial < TARGET_ACCURACY, `already at ${r.initial} before training`);
    assert.ok(r.accuracy >= TARGET_ACCURACY, `training accuracy ${r.accuracy} after ${r.steps} steps, ${Date.now() - started} ms`);
    t.diagnostic(`${r.initial.toFixed(2)} → ${r.accuracy.toFixed(2)} in ${r.steps} steps, ${Date.now() - started} ms`);
    m.dispose();
  });
}
