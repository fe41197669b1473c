import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { loadPthInto, manualSeed, noGrad, randn, tensor, tidy, type Tensor } from '../../src/engine/index.js';
import { AASIST_L_CONFIG, Aasist, AasistEmotion, EMOTION_CONDITIONING_MODES, loadAasistWeights } from '../../src/models/aasist/index.js';
import { ROOT } from '../audio/helpers.js';

/** Short inputs keep these tests fast (a few temporal nodes are enough). */
const SAMPLES = 6_000;
const EMOTION_DIM = 8;
const BATCH = 2;
const AASIST_L_PTH = join(ROOT, '..', 'shared', 'models', 'aasist', 'AASIST-L.pth');

function gradAbsSum(t: Tensor): number {
  const g = t.grad;
  if (g === null) return 0;
  const s = g.abs().sum().item();
  g.dispose();
  return s;
}

describe('AasistEmotion', () => {
  test('every mode gives logits [B, 2] and starts as the wrapped AASIST (FiLM is the identity at init)', () => {
    manualSeed(10);
    const base = new Aasist(AASIST_L_CONFIG).eval();
    try {
      noGrad(() =>
        tidy(() => {
          const wave = randn([BATCH, SAMPLES]).mul(0.1);
          const e = randn([BATCH, EMOTION_DIM]);
          const plain = base.forwardWithEmbedding(wave);
          for (const mode of EMOTION_CONDITIONING_MODES) {
            const m = new AasistEmotion({ mode, emotionDim: EMOTION_DIM, aasist: base }).eval();
            const out = m.forwardWithEmbedding(wave, e);
            assert.deepEqual(out.logits.shape, [BATCH, 2], mode);
            assert.deepEqual(out.embedding.shape, [BATCH, 160], mode);
            const tol = mode === 'concat' ? 1e-6 : 0; // concat sums 8 extra zero terms; FiLM is exact
            assert.ok(out.logits.allclose(plain.logits, 0, tol), `${mode}: logits differ from plain AASIST at init`);
            assert.ok(out.embedding.allclose(plain.embedding, 0, 0), mode);
          }
        }),
      );
    } finally {
      base.dispose();
    }
  });

  test('gradients reach the conditioning layers and the wrapped AASIST', () => {
    manualSeed(11);
    for (const mode of EMOTION_CONDITIONING_MODES) {
      const m = new AasistEmotion({ mode, emotionDim: EMOTION_DIM, aasist: AASIST_L_CONFIG });
      try {
        m.eval(); // deterministic; gradients flow the same way
        if (mode === 'gfilm') {
          // At the identity start the gate multiplies a zero update, so its own gradient is zero; move γ first.
          noGrad(() => m.filmGamma!.weight.normal_(0, 0.1));
        }
        tidy(() => {
          const wave = randn([BATCH, SAMPLES]).mul(0.1);
          const e = randn([BATCH, EMOTION_DIM]);
          m.aasist.lossFn(m.forward(wave, e), tensor([0, 1], [BATCH], 'int64')).backward();
        });
        const conditioning = [m.head, m.filmGamma, m.filmBeta, m.filmGate].filter((x) => x !== null);
        assert.equal(conditioning.length, { concat: 1, film: 2, gfilm: 3 }[mode]);
        for (const layer of conditioning) assert.ok(gradAbsSum(layer!.weight) > 0, `${mode}: no gradient on a conditioning weight`);
        if (mode === 'concat') {
          // The emotion columns (zero at init) receive gradient: e influences the logits after one step.
          const g = m.head!.weight.grad!;
          assert.ok(g.narrow(1, 160, EMOTION_DIM).abs().sum().item() > 0);
          g.dispose();
        }
        assert.equal(m.conditioningParameters().length, conditioning.length * 2);
        // concat replaces AASIST's out_layer by its own head; FiLM keeps and trains it.
        if (mode === 'concat') assert.equal(gradAbsSum(m.aasist.outLayer.weight), 0);
        else assert.ok(gradAbsSum(m.aasist.outLayer.weight) > 0, `${mode}: AASIST's out_layer gets no gradient`);
        assert.ok(gradAbsSum(m.aasist.posS) > 0, `${mode}: gradients reach AASIST`);
      } finally {
        m.dispose();
      }
    }
  });

  test('an AASIST state dict loads into the wrapped model', () => {
    manualSeed(12);
    const donor = new Aasist(AASIST_L_CONFIG).eval();
    const m = new AasistEmotion({ mode: 'film', emotionDim: EMOTION_DIM, aasist: AASIST_L_CONFIG }).eval();
    try {
      m.aasist.loadStateDict(donor.stateDict(), true);
      assert.ok([...m.stateDict().keys()].includes('aasist.pos_S'));
      assert.ok([...m.stateDict().keys()].includes('film_gamma.weight'));
      noGrad(() =>
        tidy(() => {
          const wave = randn([1, SAMPLES]);
          assert.ok(m.forward(wave, randn([1, EMOTION_DIM])).allclose(donor.forward(wave), 0, 0));
        }),
      );
    } finally {
      donor.dispose();
      m.dispose();
    }
  });

  test('the published AASIST-L weights load into it (from the .pth or via fromPretrained)', {
    skip: existsSync(AASIST_L_PTH) ? false : `AASIST weights not found at ${AASIST_L_PTH}; skipping`,
  }, () => {
    const reference = loadAasistWeights(AASIST_L_PTH);
    const viaPth = new AasistEmotion({ mode: 'gfilm', emotionDim: EMOTION_DIM, aasist: AASIST_L_CONFIG }).eval();
    const viaPretrained = AasistEmotion.fromPretrained(AASIST_L_PTH, { mode: 'concat', emotionDim: EMOTION_DIM });
    try {
      loadPthInto(viaPth.aasist, AASIST_L_PTH);
      assert.equal(viaPretrained.training, false);
      noGrad(() =>
        tidy(() => {
          const wave = randn([1, SAMPLES]).mul(0.1);
          const e = randn([1, EMOTION_DIM]);
          const expected = reference.forward(wave);
          assert.ok(viaPth.forward(wave, e).allclose(expected, 0, 0));
          assert.ok(viaPretrained.forward(wave, e).allclose(expected, 0, 1e-6));
        }),
      );
    } finally {
      reference.dispose();
      viaPth.dispose();
      viaPretrained.dispose();
    }
  });

  test('bad options and mis-shaped emotion embeddings give clear errors', () => {
    assert.throws(
      () => new AasistEmotion({ mode: 'sum' as 'film', emotionDim: 4 }),
      /AasistEmotion: mode must be one of concat, film, gfilm, got 'sum'/,
    );
    assert.throws(
      () => new AasistEmotion({ mode: 'film', emotionDim: 0, aasist: AASIST_L_CONFIG }),
      /emotionDim must be a positive integer, got 0/,
    );
    const m = new AasistEmotion({ mode: 'concat', emotionDim: EMOTION_DIM, aasist: AASIST_L_CONFIG }).eval();
    try {
      noGrad(() =>
        tidy(() => {
          const wave = randn([BATCH, SAMPLES]);
          assert.throws(
            () => m.forward(wave, randn([BATCH, EMOTION_DIM + 1])),
            /expected float32 emotion embeddings \[2, 8\], got float32\[2, 9\]/,
          );
          assert.throws(
            () => m.forward(wave, randn([1, EMOTION_DIM])),
            /expected float32 emotion embeddings \[2, 8\], got float32\[1, 8\]/,
          );
          assert.throws(() => m.condition(randn([BATCH, 160]), randn([BATCH, EMOTION_DIM])), /condition\(\) needs mode film or gfilm/);
        }),
      );
    } finally {
      m.dispose();
    }
  });
});
