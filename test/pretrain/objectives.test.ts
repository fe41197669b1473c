import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { makeRng } from '../../src/core/index.js';
import { loadSafetensorsSync } from '../../src/tensor-io/index.js';
import { fromRaw, tidy } from '../../src/engine/index.js';
import { loadApc, loadTera, type Apc, type Tera } from '../../src/backbones/index.js';
import { alterForTera, apcLoss, padBatch, teraLoss } from '../../src/pretrain/index.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const DIR = fileURLToPath(new URL('./fixtures/', import.meta.url));
const MANIFEST = JSON.parse(readFileSync(join(DIR, 'manifest.json'), 'utf8')) as Record<
  string,
  { checkpoint: string; nFuture?: number; loss: number; grads: string[] }
>;
/** Largest |trustser − PyTorch| loss difference accepted (the bound). */
const LOSS_TOLERANCE = 1e-5;
/** Largest gradient difference accepted, relative to the gradient's largest magnitude. */
const GRAD_TOLERANCE = 1e-4;

function batch(name: string) {
  const { tensors } = loadSafetensorsSync(join(DIR, `${name}-batch.safetensors`));
  const lengths = Array.from(tensors.get('lengths')!.data as BigInt64Array, Number);
  return { tensors, lengths, expected: MANIFEST[name] };
}

/** Compares the engine's gradient of `name` with the fixture's. */
function checkGrad(model: Apc | Tera, name: string, want: Float32Array): void {
  const p = new Map(model.namedParameters()).get(name);
  assert.ok(p, `no parameter ${name}`);
  const g = p.grad!.toArray() as Float32Array;
  const scale = want.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
  assert.ok(scale > 0);
  let d = 0;
  for (let i = 0; i < want.length; i++) d = Math.max(d, Math.abs(g[i] - want[i]));
  assert.ok(d <= GRAD_TOLERANCE * scale, `${name}: max |Δ| ${d} (largest |g| ${scale})`);
}

test('APC objective: loss and gradients equal the PyTorch reference on a fixed padded batch', () => {
  const { tensors, lengths, expected } = batch('apc');
  const { model } = loadApc(join(ROOT, expected.checkpoint));
  try {
    const loss = tidy(() => {
      const l = apcLoss(model, fromRaw(tensors.get('feats')!), lengths, expected.nFuture!);
      l.backward();
      return l.item();
    });
    assert.ok(Math.abs(loss - expected.loss) < LOSS_TOLERANCE, `loss ${loss} vs ${expected.loss}`);
    for (const g of expected.grads) checkGrad(model, g, tensors.get(`grad/${g}`)!.data as Float32Array);
    // Padding does not count: changing padded frames leaves the loss as it is.
    const feats = (tensors.get('feats')!.data as Float32Array).slice();
    const [, t, d] = tensors.get('feats')!.shape;
    feats.fill(7, (2 * t + lengths[2]) * d, 3 * t * d);
    const again = tidy(() => apcLoss(model, fromRaw({ ...tensors.get('feats')!, data: feats }), lengths, expected.nFuture!).item());
    assert.ok(Math.abs(again - loss) < 1e-7);
    assert.throws(() => tidy(() => apcLoss(model, fromRaw(tensors.get('feats')!), [3, 2, 1], 3)), /no item is longer than n_future \(3\)/);
  } finally {
    model.dispose();
  }
});

for (const name of ['tera', 'tera-pre']) {
  test(`TERA objective (${name}): masked L1 loss and gradients equal the PyTorch reference`, () => {
    const { tensors, lengths, expected } = batch(name);
    const { model } = loadTera(join(ROOT, expected.checkpoint));
    try {
      const mask = tensors.get('mask')!.data as Float32Array;
      const loss = tidy(() => {
        const l = teraLoss(model, fromRaw(tensors.get('inputs')!), fromRaw(tensors.get('target')!), mask, lengths);
        l.backward();
        return l.item();
      });
      assert.ok(Math.abs(loss - expected.loss) < LOSS_TOLERANCE, `loss ${loss} vs ${expected.loss}`);
      for (const g of expected.grads) checkGrad(model, g, tensors.get(`grad/${g}`)!.data as Float32Array);
      assert.throws(
        () => teraLoss(model, fromRaw(tensors.get('inputs')!), fromRaw(tensors.get('target')!), new Float32Array(mask.length), lengths),
        /the mask marks no element/,
      );
    } finally {
      model.dispose();
    }
  });
}

test("TERA's alteration: runs of frames and one band of bins, only valid frames counted, seeded", () => {
  const dims = 20;
  const lengths = [200, 120];
  const t = 200;
  const target = padBatch(
    lengths.map((n) => Float32Array.from({ length: n * dims }, (_, i) => 1 + (i % 7))),
    lengths,
    dims,
  );
  const a = { maskProportion: 0.15, maskRun: 7, maskFrequency: 0.2, noiseProportion: 0 };
  const one = alterForTera(target, lengths, dims, a, makeRng(3));
  assert.deepEqual(alterForTera(target, lengths, dims, a, makeRng(3)), one);
  assert.notDeepEqual(alterForTera(target, lengths, dims, a, makeRng(4)).mask, one.mask);
  lengths.forEach((len, b) => {
    const at = (f: number, d: number): number => (b * t + f) * dims + d;
    // Frames whose every bin is marked are the time runs; with overlaps they cover at most round(len·p / 7)·7 frames.
    const full = Array.from({ length: len }, (_, f) => f).filter((f) =>
      Array.from({ length: dims }, (_, d) => one.mask[at(f, d)]).every((m) => m === 1),
    );
    assert.ok(full.length > 0 && full.length <= Math.round((len * 0.15) / 7) * 7, `item ${b}: ${full.length} frames`);
    // Every marked element outside the time runs is in one band of at most 4 (= 20 % of 20) bins, the same on every valid frame.
    const other = Array.from({ length: len }, (_, f) => f).find((f) => !full.includes(f))!;
    const band = Array.from({ length: dims }, (_, d) => d).filter((d) => one.mask[at(other, d)] === 1);
    assert.ok(band.length <= 4 && band.every((d, i) => i === 0 || d === band[i - 1] + 1));
    for (const d of band) assert.equal(one.inputs[at(other, d)], 0);
    // Padding is never marked.
    for (let f = len; f < t; f++) for (let d = 0; d < dims; d++) assert.equal(one.mask[at(f, d)], 0);
  });
  // Unmarked elements are untouched; with noise on, valid frames move and padding stays zero.
  for (let i = 0; i < target.length; i++) if (one.mask[i] === 0 && one.inputs[i] !== target[i]) assert.equal(one.inputs[i], 0);
  const noisy = alterForTera(target, lengths, dims, { ...a, noiseProportion: 1 }, makeRng(3));
  assert.ok(noisy.inputs.some((v, i) => one.mask[i] === 0 && v !== target[i]));
  for (let i = (t + lengths[1]) * dims; i < 2 * t * dims; i++) assert.equal(noisy.inputs[i], 0);
});
