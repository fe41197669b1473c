import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { F, fromRaw, type nn, noGrad, randn, readPth, tensor, tidy } from '../../src/engine/index.js';
import {
  ALEXNET_MIN_SIZE,
  AlexNet,
  FcnGap,
  alexnetFeatureSize,
  alexnetParamCount,
  countMacs,
  createModel,
  loadTorchvisionWeights,
} from '../../src/models/index.js';

const FIXTURE = fileURLToPath(new URL('./fixtures/tiny-alexnet.pth', import.meta.url));
const META = JSON.parse(readFileSync(fileURLToPath(new URL('./fixtures/tiny-alexnet.json', import.meta.url)), 'utf8')) as {
  widthDivisor: number;
  numClasses: number;
  inputShape: number[];
  inputStep: number;
  keys: string[];
  logits: number[];
};
const TINY_WIDTH = 1 / META.widthDivisor;

/** torchvision.models.alexnet().state_dict() keys, in order. */
const TORCHVISION_KEYS = [
  'features.0.weight',
  'features.0.bias',
  'features.3.weight',
  'features.3.bias',
  'features.6.weight',
  'features.6.bias',
  'features.8.weight',
  'features.8.bias',
  'features.10.weight',
  'features.10.bias',
  'classifier.1.weight',
  'classifier.1.bias',
  'classifier.4.weight',
  'classifier.4.bias',
  'classifier.6.weight',
  'classifier.6.bias',
];
/** torchvision AlexNet (1000 classes) tensor shapes. */
const TORCHVISION_SHAPES: Record<string, number[]> = {
  'features.0.weight': [64, 3, 11, 11],
  'features.3.weight': [192, 64, 5, 5],
  'features.6.weight': [384, 192, 3, 3],
  'features.8.weight': [256, 384, 3, 3],
  'features.10.weight': [256, 256, 3, 3],
  'classifier.1.weight': [4096, 9216],
  'classifier.4.weight': [4096, 4096],
  'classifier.6.weight': [1000, 4096],
};
const TORCHVISION_PARAMS = 61_100_840;

/** The fixture's input: x[i] = sin(step·i)·(1 + (i mod 7)/7). */
function fixtureInput(shape = META.inputShape) {
  const n = shape.reduce((a, b) => a * b, 1);
  const data = Float32Array.from({ length: n }, (_, i) => Math.sin(META.inputStep * i) * (1 + (i % 7) / 7));
  return tensor(data, shape);
}

test('state-dict keys equal torchvision AlexNet, and so do the fixture generator’s', () => {
  const m = new AlexNet([3, 64, 64], 10, { width: TINY_WIDTH });
  assert.deepEqual([...m.stateDict().keys()], TORCHVISION_KEYS);
  assert.deepEqual(META.keys, TORCHVISION_KEYS);
  const gap = new FcnGap([3, 64, 64], 4, { width: TINY_WIDTH });
  assert.deepEqual([...gap.stateDict().keys()], [...TORCHVISION_KEYS.slice(0, 10), 'classifier.1.weight', 'classifier.1.bias']);
});

test('width 1 is torchvision size: 61,100,840 parameters for 1000 classes, same shapes', () => {
  assert.equal(alexnetParamCount(3, 1000, 1), TORCHVISION_PARAMS);
  const m = new AlexNet([3, 224, 224], 1000, { width: 1 });
  try {
    assert.equal(m.numParameters(), TORCHVISION_PARAMS);
    for (const [k, shape] of Object.entries(TORCHVISION_SHAPES)) assert.deepEqual(m.stateDict().get(k)!.shape, shape, k);
    assert.equal(m.embedDim, 4096);
    // The usual AlexNet figure: ≈ 0.714 GMACs on 3 × 224 × 224 (convs 655,566,528 + FCs 58,621,952).
    assert.equal(countMacs(m, [3, 224, 224]), 714_188_480);
  } finally {
    m.dispose();
  }
  // The default width is CPU-sized (≈ 3–4 M parameters on 3-channel segments, 4 classes).
  const small = alexnetParamCount(3, 4, 0.25);
  assert.ok(small > 3e6 && small < 4e6, String(small));
});

test('loadTorchvisionWeights: all layers when class counts agree; outputs equal PyTorch’s', () => {
  const m = new AlexNet(META.inputShape.slice(1), META.numClasses, { width: TINY_WIDTH }).eval();
  const r = loadTorchvisionWeights(m, FIXTURE);
  assert.deepEqual(r.loaded, TORCHVISION_KEYS);
  assert.deepEqual(r.skipped, []);
  assert.equal(r.summedInputChannels, false);
  tidy(() =>
    noGrad(() => {
      const got = m.forward(fixtureInput());
      const want = tensor(META.logits, [META.inputShape[0], META.numClasses]);
      assert.ok(got.allclose(want, 1e-4, 1e-5), `${got.toNested()} vs ${want.toNested()}`);
      // embed is the penultimate FC's (ReLU) output: logits = classifier.6(embed).
      const e = m.embed(fixtureInput());
      assert.ok((m.classifier.layers[6] as nn.Linear).forward(e).allclose(got, 1e-5, 1e-6));
    }),
  );
});

test('loadTorchvisionWeights: a different class count keeps the new head and loads the rest', () => {
  const m = new AlexNet(META.inputShape.slice(1), 4, { width: TINY_WIDTH });
  const before = tidy(() => m.stateDict().get('classifier.6.weight')!.clone());
  const r = loadTorchvisionWeights(m, FIXTURE);
  assert.deepEqual(r.skipped, ['classifier.6.weight', 'classifier.6.bias']);
  assert.deepEqual(r.loaded, TORCHVISION_KEYS.slice(0, -2));
  const file = readPth(FIXTURE);
  tidy(() => {
    for (const k of r.loaded)
      assert.ok(
        m
          .stateDict()
          .get(k)!
          .equal(fromRaw(file.get(k)!)),
        k,
      );
    assert.ok(m.stateDict().get('classifier.6.weight')!.equal(before));
  });
});

test('loadTorchvisionWeights: a 1-channel model sums the RGB filters (gray image = RGB replicated)', () => {
  const rgb = new AlexNet(META.inputShape.slice(1), META.numClasses, { width: TINY_WIDTH }).eval();
  loadTorchvisionWeights(rgb, FIXTURE);
  const [, , f, t] = META.inputShape;
  const gray = new AlexNet([1, f, t], META.numClasses, { width: TINY_WIDTH }).eval();
  assert.equal(loadTorchvisionWeights(gray, FIXTURE).summedInputChannels, true);
  tidy(() =>
    noGrad(() => {
      const x = fixtureInput([2, 1, f, t]);
      assert.ok(gray.forward(x).allclose(rgb.forward(x.expand([2, 3, f, t])), 1e-4, 1e-5));
    }),
  );
});

test('loadTorchvisionWeights: fcn-gap takes the conv stack only; wrong widths fail naming the key', () => {
  const gap = new FcnGap(META.inputShape.slice(1), 4, { width: TINY_WIDTH });
  const r = loadTorchvisionWeights(gap, FIXTURE);
  assert.deepEqual(r.loaded, TORCHVISION_KEYS.slice(0, 10));
  assert.deepEqual(r.skipped, ['classifier.1.weight', 'classifier.1.bias']);
  const wide = new AlexNet([3, 64, 64], 4, { width: 0.05 });
  assert.throws(
    () => loadTorchvisionWeights(wide, FIXTURE),
    /tiny-alexnet\.pth: not loadable as torchvision AlexNet weights \(torchvision weights need width 1; this model has width 0\.05\): 'features\.0\.weight' has shape \[1, 3, 11, 11\] but the model expects \[3, 3, 11, 11\]/,
  );
});

test('fcn-gap: logits are the 1×1 conv of the pooled embedding; no FC layers', () => {
  const m = createModel('fcn-gap', { inputShape: [3, 128, 300], numClasses: 4 }).eval();
  assert.ok(m.namedParameters().every(([k]) => k.startsWith('features.') || k.startsWith('classifier.1.')));
  tidy(() =>
    noGrad(() => {
      const x = randn([2, 3, 128, 300]);
      const conv = m.classifier.layers[1] as nn.Conv2d;
      assert.ok(F.linear(m.embed(x), conv.weight.reshape([4, m.embedDim]), conv.bias).allclose(m.forward(x), 1e-4, 1e-5));
    }),
  );
});

test('segment size limits: 63 × 63 is the smallest AlexNet input', () => {
  assert.equal(ALEXNET_MIN_SIZE, 63);
  assert.equal(alexnetFeatureSize(62), 0);
  assert.equal(alexnetFeatureSize(224), 6); // torchvision: 6×6 before its adaptive pooling
  assert.throws(() => new AlexNet([3, 40, 300], 4), /alexnet: segments must be at least 63×63 \(F × T\), got 40×300/);
  const m = new AlexNet([3, 64, 64], 4, { width: 1 / 16 });
  tidy(() => assert.throws(() => m.forward(randn([1, 3, 64, 50])), /at least 63×63/));
});
