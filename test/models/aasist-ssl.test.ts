// AASIST with a wav2vec 2.0 front end: parity with a PyTorch reference on random weights, the
// published back end's layout, a front end loaded from a checkpoint, training, bad input.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { loadWav2Vec2 } from '../../src/backbones/index.js';
import { Adam, F, manualSeed, noGrad, randn, tensor, tidy, type Tensor } from '../../src/engine/index.js';
import type { RawTensor } from '../../src/tensor-io/index.js';
import { AasistSsl, newAasistSsl, readAasistStateDict, SMALL_SSL_FRONT_END } from '../../src/models/aasist/index.js';

const FIXTURE = (f: string) => fileURLToPath(new URL(`./fixtures/aasist-ssl/${f}`, import.meta.url));
const W2V_FIXTURE = fileURLToPath(new URL('../backbones/fixtures/wav2vec2/post-fairseq.pt', import.meta.url));
const TOLERANCE = 1e-4;

describe('AASIST-wav2vec', () => {
  test('equals the PyTorch reference (torchaudio front end + graph back end) within 1e-4 on random weights', () => {
    const front = loadWav2Vec2(FIXTURE('frontend.pth'));
    assert.equal(front.format, 'torchaudio');
    const model = new AasistSsl(front.model);
    const dict = new Map<string, Tensor | RawTensor>(readAasistStateDict(FIXTURE('backend.pth')));
    for (const [k, v] of front.model.stateDict()) dict.set(`ssl_model.${k}`, v);
    model.loadStateDict(dict, true);
    model.eval();
    const { samples, wave, logits } = JSON.parse(readFileSync(FIXTURE('expected.json'), 'utf8')) as {
      samples: number;
      wave: number[][];
      logits: number[][];
    };
    const got = noGrad(() => tidy(() => model.forward(tensor(Float32Array.from(wave.flat()), [wave.length, samples])).toFloat32()));
    const want = logits.flat();
    const diff = Math.max(...want.map((w, i) => Math.abs(w - got[i])));
    assert.ok(diff < TOLERANCE * Math.max(1, ...want.map(Math.abs)), `max |Δlogit| ${diff} (logits ${want})`);
    model.dispose();
  });

  test('the back end has the published layout; the small front end trains from scratch on a CPU', () => {
    manualSeed(3);
    const m = newAasistSsl();
    const shapes = new Map([...m.namedParameters()].map(([k, p]) => [k, p.shape.join('x')]));
    assert.equal(shapes.get('pos_S'), '1x42x64');
    assert.equal(shapes.get('LL.weight'), `128x${SMALL_SSL_FRONT_END.embedDim}`);
    assert.equal(shapes.get('attention.0.weight'), '128x64x1x1');
    assert.equal(shapes.get('attention.3.weight'), '64x128x1x1');
    assert.equal(shapes.get('out_layer.weight'), '2x160');
    assert.equal([...shapes.keys()].filter((k) => k.startsWith('ssl_model.')).length, [...m.sslModel.namedParameters()].length);
    const count = [...m.namedParameters()].reduce((s, [, p]) => s + p.shape.reduce((a, b) => a * b, 1), 0);
    assert.ok(count > 3e6 && count < 6e6, `${count} parameters`);
    // Training steps on four fixed clips lower their (eval-mode) loss; gradients reach the front end.
    const x = tidy(() => randn([4, 8000]).mul(0.1));
    const y = tensor([0, 1, 0, 1], [4], 'int64');
    const evalLoss = () => {
      m.eval();
      return noGrad(() => tidy(() => F.crossEntropy(m.forward(x), y).item()));
    };
    const before = evalLoss();
    const opt = new Adam(m.parameters(), { lr: 3e-4 });
    const frontBefore = m.sslModel.stateDict().values().next().value!.toFloat32().slice();
    m.train();
    for (let i = 0; i < 10; i++)
      tidy(() => {
        opt.zeroGrad();
        F.crossEntropy(m.forward(x), y).backward();
        opt.step();
      });
    const after = evalLoss();
    assert.ok(after < before, `eval loss ${before.toFixed(3)} → ${after.toFixed(3)}`);
    const frontAfter = m.sslModel.stateDict().values().next().value!.toFloat32();
    assert.ok(
      frontAfter.some((v, i) => v !== frontBefore[i]),
      'the front end was updated',
    );
    m.dispose();
  });

  test('takes its front end from a wav2vec 2.0 checkpoint (here a fairseq .pt) and refuses too short input', () => {
    const loaded = loadWav2Vec2(W2V_FIXTURE);
    const m = new AasistSsl(loaded.model);
    const again = loadWav2Vec2(W2V_FIXTURE).model;
    const [name, t] = [...m.sslModel.stateDict()][0];
    assert.deepEqual(t.toFloat32(), again.stateDict().get(name)!.toFloat32());
    assert.equal(m.ll.inFeatures, loaded.model.config.embedDim);
    assert.throws(
      () => noGrad(() => m.forward(tensor(new Float32Array(m.minSamples - 1), [1, m.minSamples - 1]))),
      new RegExp(`at least ${m.minSamples} samples, got float32\\[1, ${m.minSamples - 1}\\]`),
    );
    m.dispose();
    again.dispose();
  });
});
