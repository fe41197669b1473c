import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { manualSeed, nn, noGrad, randn, saveModule, tensor, tidy } from '../../src/engine/index.js';
import {
  AASIST_CONFIG,
  AASIST_L_CONFIG,
  AASIST_SAMPLES,
  Aasist,
  aasistBatch,
  aasistMinSamples,
  detectAasistVariant,
  fitAasistInput,
  FREQ_MASK_MAX_FILTERS,
  SincFrontEnd,
  loadAasistWeights,
  melBandEdgesHz,
  readoutDim,
  sincFilterBank,
  spectralNodes,
  temporalNodes,
} from '../../src/models/aasist/index.js';

/** Published parameter counts (README of the weights; the paper reports 297 K and 85 K). */
const AASIST_PARAMS = 297_866;
const AASIST_L_PARAMS = 85_306;
/** A short input that still leaves a few temporal nodes (keeps these tests fast). */
const SHORT = 8_000;

function withTmp<T>(fn: (dir: string) => Promise<T> | T): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), 'aasist-'));
  return Promise.resolve(fn(dir)).finally(() => rmSync(dir, { recursive: true, force: true }));
}

describe('configs and geometry', () => {
  test('parameter counts equal the published 297,866 (AASIST) and 85,306 (AASIST-L)', () => {
    for (const [config, expected] of [
      [AASIST_CONFIG, AASIST_PARAMS],
      [AASIST_L_CONFIG, AASIST_L_PARAMS],
    ] as const) {
      const m = new Aasist(config);
      try {
        assert.equal(m.numParameters(), expected);
        assert.equal(m.embedDim, 160);
      } finally {
        m.dispose();
      }
    }
  });

  test('node counts at 64,600 samples: 70 filters pooled by 3 → 23 spectral nodes; 29 temporal nodes', () => {
    // (64600 − 129 + 1) / 3 = 21490 frames, then six ⌊/3⌋: 7163, 2387, 795, 265, 88, 29.
    assert.equal(spectralNodes(AASIST_CONFIG), 23);
    assert.equal(temporalNodes(AASIST_CONFIG, AASIST_SAMPLES), 29);
    assert.equal(readoutDim(AASIST_CONFIG), 5 * 32);
    const min = aasistMinSamples(AASIST_CONFIG);
    assert.equal(temporalNodes(AASIST_CONFIG, min), 1);
    assert.equal(temporalNodes(AASIST_CONFIG, min - 1), 0);
  });

  test('invalid configs are refused naming the field', () => {
    assert.throws(() => new Aasist({ ...AASIST_CONFIG, gatDims: [0, 32] }), /AASIST config: gatDims\.0/);
    assert.throws(
      () =>
        new Aasist({
          ...AASIST_CONFIG,
          blocks: [
            [1, 32],
            [16, 32],
            [32, 64],
            [64, 64],
          ],
        }),
      /blocks\.1 takes 16 channels but blocks\.0 gives 32/,
    );
    assert.throws(() => new Aasist({ ...AASIST_CONFIG, poolRatios: [0.5, 1.5, 0.5, 0.5] }), /poolRatios\.1/);
  });
});

describe('sinc front end', () => {
  test('band edges run from 0 Hz to Nyquist, equally spaced in mel', () => {
    const edges = melBandEdgesHz(70, 16_000);
    assert.equal(edges.length, 71);
    assert.equal(edges[0], 0);
    assert.ok(Math.abs(edges[70] - 8000) < 1e-9);
    const mel = Array.from(edges, (f) => 2595 * Math.log10(1 + f / 700));
    const step = mel[1] - mel[0];
    for (let i = 1; i < 70; i++) assert.ok(Math.abs(mel[i + 1] - mel[i] - step) < 1e-9);
  });

  test('the band-pass filters tile 0 Hz – Nyquist: their sum is a unit impulse', () => {
    // Σᵢ (LP(fᵢ₊₁) − LP(fᵢ)) telescopes to LP(8 kHz) − LP(0) = sinc(t), which is δ(t) at integer t;
    // the Hamming window is 1 at the centre.
    const bank = sincFilterBank(70, 129, 16_000);
    for (let j = 0; j < 129; j++) {
      let sum = 0;
      for (let i = 0; i < 70; i++) sum += bank[i * 129 + j];
      assert.ok(Math.abs(sum - (j === 64 ? 1 : 0)) < 1e-5, `tap ${j}: ${sum}`);
    }
    // Each filter is symmetric (linear phase).
    for (let i = 0; i < 70; i++) for (let j = 0; j < 64; j++) assert.ok(Math.abs(bank[i * 129 + j] - bank[i * 129 + 128 - j]) < 1e-7);
    assert.throws(() => sincFilterBank(70, 128, 16_000), /filter length must be odd/);
  });

  test('frequency masking zeroes one run of fewer than 20 adjacent filters, in training mode only', () => {
    manualSeed(4);
    const front = new SincFrontEnd(70, 128, 16_000, true);
    const zeroFilters = (train: boolean): number[] =>
      noGrad(() =>
        tidy(() => {
          front.train(train);
          const out = front.forward(randn([1, 1_000])).toFloat32();
          const frames = out.length / 70;
          const zero: number[] = [];
          for (let i = 0; i < 70; i++) if (out.subarray(i * frames, (i + 1) * frames).every((v) => v === 0)) zero.push(i);
          return zero;
        }),
      );
    const counts: number[] = [];
    for (let r = 0; r < 12; r++) {
      const zero = zeroFilters(true);
      counts.push(zero.length);
      assert.ok(zero.length < FREQ_MASK_MAX_FILTERS);
      zero.forEach((f, i) => assert.equal(f, zero[0] + i, 'masked filters are adjacent'));
    }
    assert.ok(
      counts.some((c) => c > 0),
      `no filter was ever masked: ${counts}`,
    );
    assert.deepEqual(zeroFilters(false), []);
  });
});

describe('fitAasistInput', () => {
  test('truncates long clips to the first samples', () => {
    const clip = Float32Array.from({ length: 10 }, (_, i) => i);
    assert.deepEqual(Array.from(fitAasistInput(clip, 4)), [0, 1, 2, 3]);
    const same = fitAasistInput(clip, 10);
    same[0] = 99;
    assert.equal(clip[0], 0, 'a new array is returned');
  });

  test('tiles short clips by repetition from the start', () => {
    assert.deepEqual(Array.from(fitAasistInput(Float32Array.of(1, 2, 3), 8)), [1, 2, 3, 1, 2, 3, 1, 2]);
    assert.equal(fitAasistInput(Float32Array.of(0.5)).length, AASIST_SAMPLES);
  });

  test('bad input gives a clear error', () => {
    assert.throws(() => fitAasistInput(new Float32Array(0)), /fitAasistInput: the clip is empty/);
    assert.throws(() => fitAasistInput(Float32Array.of(1), 0), /length must be a positive integer, got 0/);
    assert.throws(() => aasistBatch([]), /aasistBatch: no clips/);
  });
});

describe('forward and training', () => {
  test('logits [B, 2] and embedding [B, 160]; eval is deterministic and batch-independent', () => {
    manualSeed(1);
    const m = new Aasist(AASIST_L_CONFIG).eval();
    try {
      noGrad(() =>
        tidy(() => {
          const wave = randn([3, SHORT]).mul(0.1);
          const { logits, embedding } = m.forwardWithEmbedding(wave);
          assert.deepEqual(logits.shape, [3, 2]);
          assert.deepEqual(embedding.shape, [3, 160]);
          assert.ok(logits.allclose(m.forward(wave), 0, 0));
          assert.ok(embedding.allclose(m.embed(wave), 0, 0));
          const single = m.forward(wave.narrow(0, 1, 1));
          assert.ok(single.allclose(logits.narrow(0, 1, 1), 1e-5, 1e-5));
        }),
      );
    } finally {
      m.dispose();
    }
  });

  test('too short or mis-shaped input gives a clear error', () => {
    const m = new Aasist(AASIST_L_CONFIG).eval();
    const min = aasistMinSamples(AASIST_L_CONFIG);
    try {
      noGrad(() =>
        tidy(() => {
          assert.throws(() => m.forward(randn([1, min - 1])), new RegExp(`at least ${min} samples, got float32\\[1, ${min - 1}\\]`));
          assert.throws(() => m.forward(randn([min])), /expected a float32 waveform batch \[B, samples\]/);
          assert.deepEqual(m.forward(randn([1, min])).shape, [1, 2]);
        }),
      );
    } finally {
      m.dispose();
    }
  });

  test('training mode: dropout is active and the loss gradients reach every parameter the model uses', () => {
    manualSeed(2);
    const m = new Aasist(AASIST_L_CONFIG).train();
    try {
      tidy(() => {
        const wave = randn([2, SHORT]).mul(0.1);
        const a = m.forward(wave);
        const b = m.forward(wave);
        assert.ok(!a.allclose(b), 'training-mode dropout changes the logits');
        const loss = m.lossFn(a, tensor([0, 1], [2], 'int64'));
        loss.backward();
      });
      const noGradNames: string[] = [];
      for (const [name, p] of m.namedParameters()) {
        const g = p.grad;
        if (g === null || g.abs().sum().item() === 0) noGradNames.push(name);
        g?.dispose();
      }
      // Only the unused bn1 of blocks 1–5 stays without gradient (the published model never applies it).
      assert.ok(noGradNames.length > 0);
      for (const name of noGradNames) assert.match(name, /^encoder\.[1-5]\.0\.bn1\.(weight|bias)$/);
      assert.equal(noGradNames.length, 10);
    } finally {
      m.dispose();
    }
  });
});

describe('loadAasistWeights', () => {
  test('a saved AASIST-L safetensors round-trips, detected as AASIST-L, in eval mode', () =>
    withTmp(async (dir) => {
      manualSeed(3);
      const src = new Aasist(AASIST_L_CONFIG).eval();
      const path = join(dir, 'l.safetensors');
      await saveModule(src, path);
      const loaded = loadAasistWeights(path);
      try {
        assert.equal(loaded.training, false);
        assert.deepEqual(loaded.config, AASIST_L_CONFIG);
        assert.equal(detectAasistVariant(loaded.stateDict()), 'AASIST-L');
        noGrad(() =>
          tidy(() => {
            const wave = randn([1, SHORT]);
            assert.ok(loaded.forward(wave).allclose(src.forward(wave), 0, 0));
          }),
        );
      } finally {
        src.dispose();
        loaded.dispose();
      }
    }));

  test('a non-AASIST state dict, a mis-shaped tensor, a truncated file and garbage give clear errors naming the file', () =>
    withTmp(async (dir) => {
      const other = join(dir, 'linear.safetensors');
      await saveModule(new nn.Linear(4, 2), other);
      assert.throws(
        () => loadAasistWeights(other),
        (e: Error) =>
          e.message ===
          `${other}: not an AASIST or AASIST-L state dict (none of its 2 tensor names, e.g. 'weight', 'bias', is an AASIST one)`,
      );

      // Same keys as AASIST, but the HS-GAL attention vectors have the wrong width.
      const bad = join(dir, 'bad.safetensors');
      const wrong = new Aasist({ ...AASIST_CONFIG, gatDims: [64, 16] });
      await saveModule(wrong, bad);
      assert.throws(
        () => loadAasistWeights(bad),
        /bad\.safetensors: not an AASIST or AASIST-L state dict \(closest is AASIST: 'HtrgGAT_layer_ST11\.att_weight11' is \[16, 1\], expected \[32, 1\]/,
      );
      wrong.dispose();

      const m = new Aasist(AASIST_CONFIG);
      const good = join(dir, 'good.safetensors');
      await saveModule(m, good);
      m.dispose();
      const bytes = readFileSync(good);
      const truncated = join(dir, 'truncated.safetensors');
      writeFileSync(truncated, bytes.subarray(0, bytes.length >> 1));
      assert.throws(
        () => loadAasistWeights(truncated),
        (e: Error) => e.message.startsWith(`${truncated}: `) && /truncated/.test(e.message),
      );

      const garbage = join(dir, 'notes.txt');
      writeFileSync(garbage, 'not a checkpoint at all');
      assert.throws(() => loadAasistWeights(garbage), /notes\.txt: neither a PyTorch \.pth checkpoint \(zip\) nor a safetensors file/);
      assert.throws(() => loadAasistWeights(join(dir, 'missing.pth')), /missing\.pth: cannot read file/);
      // Loading writes nothing.
      assert.deepEqual(readdirSync(dir).sort(), [
        'bad.safetensors',
        'good.safetensors',
        'linear.safetensors',
        'notes.txt',
        'truncated.safetensors',
      ]);
    }));
});
