// AMSDF on audio and emotion views: shapes, the audio view taken from AASIST, training, bad input.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Adam, F, manualSeed, noGrad, randn, tensor, tidy } from '../../src/engine/index.js';
import { AASIST_CONFIG, Aasist, AMSDF_EMOTION_NODES, Amsdf } from '../../src/models/aasist/index.js';

const SHORT = 16_000;

describe('AMSDF', () => {
  test('gives [B, 2] logits from a waveform batch and an emotion sequence; the audio view can be AASIST’s', () => {
    manualSeed(5);
    const m = new Amsdf({ emotionDim: 12 });
    const aasist = new Aasist(AASIST_CONFIG);
    m.adoptAudioView(aasist);
    const theirs = aasist.stateDict();
    for (const [k, v] of m.stateDict()) {
      if (/^(conv_time|first_bn|encoder)\./.test(k)) assert.deepEqual(v.toFloat32(), theirs.get(k)!.toFloat32(), k);
    }
    m.eval();
    const wave = tidy(() => randn([3, SHORT]).mul(0.1));
    const emo = tidy(() => randn([3, AMSDF_EMOTION_NODES, 12]));
    const y = noGrad(() => m.forward(wave, emo));
    assert.deepEqual(y.shape, [3, 2]);
    assert.ok(y.toFloat32().every(Number.isFinite));
    // The emotion view matters: another emotion sequence changes the logits.
    const y2 = noGrad(() =>
      m.forward(
        wave,
        tidy(() => emo.mul(-1)),
      ),
    );
    assert.ok(y2.toFloat32().some((v, i) => Math.abs(v - y.toFloat32()[i]) > 1e-6));
    aasist.dispose();
    m.dispose();
  });

  test('trains: a few steps on fixed inputs lower the eval-mode loss', () => {
    manualSeed(6);
    const m = new Amsdf({ emotionDim: 8 });
    const wave = tidy(() => randn([4, SHORT]).mul(0.1));
    const emo = tidy(() => randn([4, AMSDF_EMOTION_NODES, 8]));
    const y = tensor([0, 1, 0, 1], [4], 'int64');
    const evalLoss = () => {
      m.eval();
      return noGrad(() => tidy(() => F.crossEntropy(m.forward(wave, emo), y).item()));
    };
    const before = evalLoss();
    const opt = new Adam(m.parameters(), { lr: 1e-3 });
    m.train();
    for (let i = 0; i < 8; i++)
      tidy(() => {
        opt.zeroGrad();
        F.crossEntropy(m.forward(wave, emo), y).backward();
        opt.step();
      });
    const after = evalLoss();
    assert.ok(after < before, `eval loss ${before.toFixed(3)} → ${after.toFixed(3)}`);
    m.dispose();
  });

  test('refuses bad settings and mis-shaped input with the expected shapes named', () => {
    assert.throws(() => new Amsdf({ emotionDim: 0 }), /emotionDim must be a positive integer, got 0/);
    assert.throws(() => new Amsdf({ emotionDim: 4, emotionNodes: 1 }), /emotionNodes must be an integer ≥ 2, got 1/);
    const m = new Amsdf({ emotionDim: 4 });
    assert.throws(
      () => noGrad(() => m.forward(randn([2, SHORT]), randn([2, 3, 4]))),
      new RegExp(`expected wave \\[B, ≥ \\d+\\] and emotion \\[B, ${AMSDF_EMOTION_NODES}, 4\\], got \\[2, ${SHORT}\\] and \\[2, 3, 4\\]`),
    );
    m.dispose();
  });
});
