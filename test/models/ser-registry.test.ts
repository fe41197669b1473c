import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  AlexNet,
  CnnLstmAtt,
  LinearSvm,
  TrustSerCnn,
  createModel,
  listModels,
  modelConfigSchemas,
  modelInfo,
} from '../../src/models/index.js';

const NAMES = [
  'trust-ser-cnn',
  'cnn-lstm',
  'cnn-lstm-att',
  'cnn-lstm-att-multitask',
  'linear-svm',
  'logreg',
  'gated-logreg',
  'mlp',
  'alexnet',
  'fcn-gap',
];

test('listModels / modelInfo / schemas cover every model', () => {
  assert.deepEqual(listModels(), NAMES);
  for (const n of NAMES) {
    assert.ok(modelConfigSchemas[n as keyof typeof modelConfigSchemas].safeParse({}).success, n);
    assert.ok(modelInfo(n).inputKinds.length > 0);
  }
  assert.deepEqual(modelInfo('trust-ser-cnn').inputKinds, ['frames', 'layers']);
});

test('createModel builds the right class and input kind', () => {
  assert.ok(createModel('alexnet', { inputShape: [3, 128, 300], numClasses: 4 }) instanceof AlexNet);
  assert.ok(createModel('cnn-lstm-att', { inputDim: 64, numClasses: 4 }) instanceof CnnLstmAtt);
  assert.ok(createModel('linear-svm', { inputShape: [88], numClasses: 4, l2: 0.01 }) instanceof LinearSvm);
  const t = createModel('trust-ser-cnn', { inputShape: [13, 768], numClasses: 4 });
  assert.ok(t instanceof TrustSerCnn);
  assert.equal(t.inputKind, 'layers');
  assert.equal(createModel('trust-ser-cnn', { inputDim: 64, numClasses: 4 }).inputKind, 'frames');
  const d = createModel('mlp', { inputDim: 88, numClasses: 4, classWeights: [1, 2, 1, 1] }).describe();
  assert.deepEqual(d.config, {
    inputShape: [88],
    numClasses: 4,
    hiddenDims: [256, 128],
    dropout: 0.3,
    activation: 'relu',
    classWeights: [1, 2, 1, 1],
  });
});

test('unknown names and bad configs give errors naming the models or the field', () => {
  assert.throws(
    () => createModel('resnet', { inputDim: 4, numClasses: 2 }),
    new RegExp(`unknown model 'resnet'; available: ${NAMES.join(', ')}`),
  );
  const bad: [string, Record<string, unknown>, RegExp][] = [
    ['trust-ser-cnn', { inputDim: 8, hiddenSize: 0 }, /trust-ser-cnn: invalid config: hiddenSize: Too small/],
    ['trust-ser-cnn', { inputDim: 8, pooling: 'max' }, /invalid config: pooling: Invalid option/],
    ['trust-ser-cnn', { inputDim: 8, convLayers: 9 }, /convLayers: Too big/],
    ['mlp', { inputDim: 8, hiden: [3] }, /mlp: invalid config: Unrecognized key: "hiden"/],
    ['cnn-lstm', { inputDim: 64, convChannels: [4, -1] }, /cnn-lstm: invalid config: convChannels\[1\]: Too small/],
    ['cnn-lstm-att', { inputDim: 64, pooling: 'mean' }, /cnn-lstm-att: invalid config: pooling/],
    ['cnn-lstm-att-multitask', { inputDim: 64, taskWeights: { gender: -1 } }, /taskWeights\.gender: Too small/],
    ['cnn-lstm', { inputDim: 4, convChannels: [4, 4, 4] }, /cnn-lstm: inputDim 4 is too small for 3 blocks with freqPool 2/],
    ['alexnet', { inputDim: 64 }, /alexnet: inputShape must be \[C, F, T\]/],
    ['alexnet', {}, /alexnet: inputShape \[C, F, T\] is required/],
    ['alexnet', { inputShape: [3, 128, 300], width: 0 }, /alexnet: invalid config: width: Too small/],
    ['logreg', {}, /logreg: inputDim \(or inputShape\) is required/],
    ['logreg', { inputDim: 3.5 }, /logreg: inputShape must hold positive integers/],
    ['logreg', { inputDim: 8, classWeights: [1, 2] }, /logreg: classWeights has 2 entries, expected numClasses = 4/],
    ['logreg', { inputDim: 8, labelSmoothing: 1 }, /labelSmoothing: Too big/],
    ['gated-logreg', { inputDim: 8, robustDims: 0 }, /gated-logreg: invalid config: robustDims: Too small/],
    ['trust-ser-cnn', { inputShape: [2, 3, 4] }, /trust-ser-cnn: inputShape must be \[D\] \(frames\) or \[L, D\] \(layers\)/],
  ];
  for (const [name, o, re] of bad) assert.throws(() => createModel(name, { numClasses: 4, ...o }), re, `${name} ${JSON.stringify(o)}`);
  assert.throws(() => createModel('mlp', { inputDim: 8, numClasses: 0 }), /mlp: numClasses \(outputs\) must be an integer ≥ 1, got 0/);
});
