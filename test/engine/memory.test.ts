/**
 * Memory growth of a long training loop: 10,000 Adam steps of a small MLP with a tidy() scope
 * per step must not grow the process RSS (every per-step tensor is disposed deterministically;
 * the optimizer's state is allocated once).
 *
 * Measured on the 2-core machine (Node 20, libtorch 1.13), 5 runs: RSS grows 6–14 MB between
 * step 1,000 and 10,000, almost all of it before step 5,000 (allocator warm-up; a 40,000-step
 * run plateaus), and 1.3–2.8 MB over the second half. Bounds: 20 MB overall and 8 MB for the
 * second half. Leaking a single [32, 16] float32 tensor per step (2 KB + wrapper) measured
 * 35 MB / 16 MB and fails both.
 *
 * The loop yields to the event loop every 100 steps, as a trainer does between batches: Node 20
 * runs N-API finalizers (which free the addon's per-tensor wrappers, and the whole tensor when
 * it was not disposed) from the event loop, so a loop that never yields accumulates ~1–3 KB per
 * step until it does (reported as an engine issue).
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import * as T from '../../src/engine/index.js';
import { F, nn, tidy } from '../../src/engine/index.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const MB = 2 ** 20;
const STEPS = 10_000;
const WARMUP = 1_000;
const BOUND_MB = 20;
/** Over the second half (5,000 steps) the allocator has settled: a 1.6 KB/step leak would exceed this. */
const LATE_BOUND_MB = 8;

/** RSS after a full GC and one event-loop turn (so pending finalizers have run). */
async function settledRss(): Promise<number> {
  gc();
  await yieldToEventLoop();
  gc();
  return process.memoryUsage().rss;
}

function setup() {
  T.manualSeed(0);
  const net = new nn.Sequential(new nn.Linear(16, 16), nn.ReLU(), new nn.Linear(16, 4));
  const opt = new T.Adam(net.parameters(), { lr: 1e-3 });
  const x = T.keep(T.randn([32, 16]));
  const y = T.keep(T.randint(0, 4, [32]));
  const step = (): number =>
    tidy(() => {
      opt.zeroGrad();
      const loss = F.crossEntropy(net.forward(x), y);
      loss.backward();
      opt.step();
      return loss.item();
    });
  const dispose = () => {
    net.dispose();
    x.dispose();
    y.dispose();
  };
  return { step, dispose };
}

describe('memory', () => {
  test(`${STEPS} training steps with tidy per step: RSS growth after warm-up < ${BOUND_MB} MB`, async (t) => {
    const { step, dispose } = setup();
    const started = performance.now();
    let first = NaN;
    let last = NaN;
    let rssWarm = 0;
    let rssHalf = 0;
    for (let i = 1; i <= STEPS; i++) {
      last = step();
      if (i === 1) first = last;
      if (i % 100 === 0) await yieldToEventLoop();
      if (i === WARMUP) rssWarm = await settledRss();
      if (i === STEPS / 2) rssHalf = await settledRss();
    }
    const rssEnd = await settledRss();
    const growth = (rssEnd - rssWarm) / MB;
    const lateGrowth = (rssEnd - rssHalf) / MB;
    t.diagnostic(
      `RSS at step ${WARMUP}: ${(rssWarm / MB).toFixed(1)} MB, at ${STEPS / 2}: ${(rssHalf / MB).toFixed(1)} MB, ` +
        `at ${STEPS}: ${(rssEnd / MB).toFixed(1)} MB; growth ${growth.toFixed(2)} MB (second half ${lateGrowth.toFixed(2)} MB); ` +
        `${((performance.now() - started) / 1000).toFixed(1)} s; loss ${first.toFixed(4)} → ${last.toFixed(4)}`,
    );
    assert.equal(T.scopeDepth(), 0);
    assert.ok(last < first, 'the loop really trains');
    assert.ok(growth < BOUND_MB, `RSS grew ${growth.toFixed(1)} MB between step ${WARMUP} and ${STEPS}`);
    assert.ok(lateGrowth < LATE_BOUND_MB, `RSS grew ${lateGrowth.toFixed(1)} MB between step ${STEPS / 2} and ${STEPS}`);
    dispose();
  });
});
