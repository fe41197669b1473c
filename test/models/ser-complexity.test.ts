import { test } from 'node:test';
import assert from 'node:assert/strict';
import { nn } from '../../src/engine/index.js';
import {
  MaskedLSTM,
  conv1dMacs,
  conv2dMacs,
  countMacs,
  countParams,
  createModel,
  gruMacs,
  linearMacs,
  lstmMacs,
  macsPerSecond,
  multiheadAttentionMacs,
} from '../../src/models/index.js';

test('layer MACs equal hand-computed values', () => {
  assert.equal(linearMacs(new nn.Linear(10, 7)), 70);
  assert.equal(linearMacs(new nn.Linear(10, 7), 5), 350);
  // Conv2d 3→8, 3×3, padding 1 on 10×12: 8·3·9 weights × 120 positions.
  assert.deepEqual(conv2dMacs(new nn.Conv2d(3, 8, 3, { padding: 1 }), [10, 12]), { macs: 25_920, outShape: [10, 12] });
  // Stride 2, no padding: out ⌊7/2⌋+1 = 4 × ⌊9/2⌋+1 = 5.
  assert.deepEqual(conv2dMacs(new nn.Conv2d(3, 8, 3, { stride: 2 }), [10, 12]), { macs: 4_320, outShape: [4, 5] });
  assert.deepEqual(conv2dMacs(new nn.Conv2d(4, 8, [3, 5], { padding: 'same', groups: 2 }), [6, 6]), {
    macs: 8 * 2 * 15 * 36,
    outShape: [6, 6],
  });
  assert.deepEqual(conv1dMacs(new nn.Conv1d(4, 6, 5), 20), { macs: 6 * 4 * 5 * 16, outLength: 16 });
  // LSTM: 4·H·(in + H) per frame: 4·8·18·7 = 4032.
  assert.equal(lstmMacs(new nn.LSTM(10, 8), 7), 4_032);
  // Bidirectional, 2 layers: layer 0 2·7·32·18 = 8064, layer 1 (in 16) 2·7·32·24 = 10752.
  assert.equal(lstmMacs(new nn.LSTM(10, 8, { numLayers: 2, bidirectional: true }), 7), 18_816);
  assert.equal(new MaskedLSTM(10, 8, { numLayers: 2, bidirectional: true }).macs(7), 18_816);
  assert.equal(gruMacs(new nn.GRU(10, 8), 7), 3 * 8 * 18 * 7);
  // Attention E = 8, 5 × 5: four projections 4·64·5 + scores 25·8 + weighted values 25·8.
  assert.equal(multiheadAttentionMacs(new nn.MultiheadAttention(8, 2), 5), 1_680);
});

test('model MACs equal hand-computed values', () => {
  const logreg = createModel('logreg', { inputDim: 12, numClasses: 4 });
  assert.equal(countMacs(logreg, [12]), 48);
  const mlp = createModel('mlp', { inputDim: 12, numClasses: 4, hiddenDims: [32, 16] });
  assert.equal(countMacs(mlp, [12]), 12 * 32 + 32 * 16 + 16 * 4);
  assert.equal(macsPerSecond(mlp), 960); // vector models: per utterance
  // cnn-lstm on 24 frames × 16 mels: conv 4·1·9·(16·24) = 13,824 → pool 8×12; conv 8·4·9·(8·12) = 27,648 → pool 4×6;
  // BiLSTM in 8·4 = 32, H 12 over 6 steps: 2·6·48·44 = 25,344; dense 24·12 = 288; head 12·4 = 48.
  const cl = createModel('cnn-lstm', { inputDim: 16, numClasses: 4, convChannels: [4, 8], lstmHidden: 12, denseDim: 12 });
  assert.equal(countMacs(cl, [24, 16]), 13_824 + 27_648 + 25_344 + 288 + 48);
  // trust-ser-cnn on 3 layers × 24 frames × 16 dims, hidden 16, att: mix 3·24·16, convs 24·(256 + 256),
  // attention 24·(16·16 + 16 + 16), head 16·16 + 16·4.
  const ts = createModel('trust-ser-cnn', { inputShape: [3, 16], numClasses: 4, hiddenSize: 16, pooling: 'att' });
  assert.equal(countMacs(ts, [3, 24, 16]), 1_152 + 12_288 + 6_912 + 320);
  assert.equal(macsPerSecond(ts, 50), countMacs(ts, [3, 50, 16]));
  // Segment models: one segment of T frames covers T / frameRate seconds.
  const gap = createModel('fcn-gap', { inputShape: [1, 64, 80], numClasses: 4, width: 1 / 8 });
  assert.equal(macsPerSecond(gap, 100), (countMacs(gap, [1, 64, 80]) * 100) / 80);
  assert.throws(() => countMacs(cl, [24, 15]), /cnn-lstm: macs: expected an example shape \[T, 16\]/);
  assert.throws(() => countMacs(cl, [0, 16]), /positive integers/);
});

test('countParams counts trainable scalars (buffers excluded)', () => {
  const cl = createModel('cnn-lstm', { inputDim: 16, numClasses: 4, convChannels: [4], lstmHidden: 6, bidirectional: false, denseDim: 5 });
  // conv 4·9 + 4, bn 4 + 4, LSTM in 4·8 = 32: 24·32 + 24·6 + 24 + 24, dense 6·5 + 5, head 5·4 + 4.
  assert.equal(countParams(cl), 40 + 8 + (768 + 144 + 48) + 35 + 24);
  assert.ok(cl.namedBuffers().some(([k]) => k === 'cnn.0.bn.running_mean'));
});
