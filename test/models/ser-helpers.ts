/** Shared fixtures of the SER model tests: tiny configs, synthetic separable data, a training loop. */
import { Adam, noGrad, randn, tensor, tidy, type Tensor } from '../../src/engine/index.js';
import { createModel, type ModelName, type SerModel } from '../../src/models/index.js';

/** A tiny instance of every registered model (and input kind), fast enough for CPU tests. */
export interface TinyCase {
  label: string;
  name: ModelName;
  options: { inputDim?: number; inputShape?: number[]; numClasses: number } & Record<string, unknown>;
  /** Example shape without batch (frames [T, D], layers [L, T, D], image [C, F, T], vector [D]). */
  example: number[];
}

export const NUM_CLASSES = 4;
const FRAMES = 24;
const DIM = 16;

export const TINY_CASES: TinyCase[] = [
  {
    label: 'trust-ser-cnn (frames, mean)',
    name: 'trust-ser-cnn',
    options: { inputDim: DIM, numClasses: NUM_CLASSES, hiddenSize: 16 },
    example: [FRAMES, DIM],
  },
  {
    label: 'trust-ser-cnn (frames, att, 3 convs)',
    name: 'trust-ser-cnn',
    options: { inputDim: DIM, numClasses: NUM_CLASSES, hiddenSize: 16, pooling: 'att', convLayers: 3 },
    example: [FRAMES, DIM],
  },
  {
    label: 'trust-ser-cnn (layers, att)',
    name: 'trust-ser-cnn',
    options: { inputShape: [3, DIM], numClasses: NUM_CLASSES, hiddenSize: 16, pooling: 'att' },
    example: [3, FRAMES, DIM],
  },
  {
    label: 'cnn-lstm (last)',
    name: 'cnn-lstm',
    options: { inputDim: DIM, numClasses: NUM_CLASSES, ...tinyCnnLstm() },
    example: [FRAMES, DIM],
  },
  {
    label: 'cnn-lstm (mean, 2 layers, relu)',
    name: 'cnn-lstm',
    options: { inputDim: DIM, numClasses: NUM_CLASSES, ...tinyCnnLstm(), pooling: 'mean', lstmLayers: 2, activation: 'relu' },
    example: [FRAMES, DIM],
  },
  {
    label: 'cnn-lstm-att',
    name: 'cnn-lstm-att',
    options: { inputDim: DIM, numClasses: NUM_CLASSES, ...tinyCnnLstm() },
    example: [FRAMES, DIM],
  },
  {
    label: 'cnn-lstm-att-multitask',
    name: 'cnn-lstm-att-multitask',
    options: { inputDim: DIM, numClasses: NUM_CLASSES, ...tinyCnnLstm(), numRaces: 3 },
    example: [FRAMES, DIM],
  },
  { label: 'linear-svm', name: 'linear-svm', options: { inputDim: 12, numClasses: NUM_CLASSES }, example: [12] },
  { label: 'logreg', name: 'logreg', options: { inputDim: 12, numClasses: NUM_CLASSES }, example: [12] },
  {
    label: 'gated-logreg',
    name: 'gated-logreg',
    options: { inputDim: 12, numClasses: NUM_CLASSES, robustDims: 8 },
    example: [12],
  },
  { label: 'mlp', name: 'mlp', options: { inputDim: 12, numClasses: NUM_CLASSES, hiddenDims: [32, 16] }, example: [12] },
  { label: 'alexnet', name: 'alexnet', options: { inputShape: [1, 64, 64], numClasses: NUM_CLASSES, width: 1 / 16 }, example: [1, 64, 64] },
  { label: 'fcn-gap', name: 'fcn-gap', options: { inputShape: [1, 64, 64], numClasses: NUM_CLASSES, width: 1 / 8 }, example: [1, 64, 64] },
];

function tinyCnnLstm(): Record<string, unknown> {
  return { convChannels: [4, 8], lstmHidden: 12, attentionDim: 8, denseDim: 12, dropout: 0.1, convDropout: 0 };
}

export function build(c: TinyCase): SerModel {
  return createModel(c.name, c.options);
}

/**
 * Synthetic separable data: class k adds +`shift` to feature band k (along D for frames, layers and
 * vectors; along frequency for images) over unit Gaussian noise.
 */
export function separableData(c: TinyCase, perClass: number, shift = 1.5): { x: Tensor; y: Tensor; labels: number[] } {
  const labels = Array.from({ length: NUM_CLASSES * perClass }, (_, i) => i % NUM_CLASSES);
  const n = labels.length;
  const shape = [n, ...c.example];
  const isImage = c.name === 'alexnet' || c.name === 'fcn-gap';
  const featureAxis = isImage ? 2 : c.example.length; // image: F; else D (the last dim)
  const size = shape[featureAxis];
  const band = Math.floor(size / NUM_CLASSES);
  const inner = shape.slice(featureAxis + 1).reduce((a, b) => a * b, 1);
  const perExample = c.example.reduce((a, b) => a * b, 1);
  const offset = new Float32Array(n * perExample);
  for (let i = 0; i < offset.length; i++) {
    const ex = Math.floor(i / perExample);
    const f = Math.floor(i / inner) % size;
    if (Math.floor(f / band) === labels[ex]) offset[i] = shift;
  }
  const x = tidy(() => randn(shape).add(tensor(offset, shape)));
  return { x, y: tensor(labels, [n], 'int64'), labels };
}

/** Accuracy of `model` (eval mode) on (x, labels). */
function accuracy(model: SerModel, x: Tensor, labels: number[], lengths: Tensor | null = null): number {
  model.eval();
  const pred = tidy(() => noGrad(() => model.forward(x, lengths).argmax(1).toArray() as BigInt64Array));
  model.train();
  return labels.filter((l, i) => Number(pred[i]) === l).length / labels.length;
}

/** Full-batch Adam until training accuracy ≥ target (checked every 5 steps). */
export function trainUntil(
  model: SerModel,
  x: Tensor,
  y: Tensor,
  labels: number[],
  o: { lr?: number; maxSteps?: number; target?: number; lengths?: Tensor | null } = {},
): { initial: number; accuracy: number; steps: number } {
  const opt = new Adam(model.parameters(), { lr: o.lr ?? 1e-2 });
  const target = o.target ?? 0.9;
  const initial = accuracy(model, x, labels, o.lengths ?? null);
  let acc = initial;
  let step = 0;
  while (step < (o.maxSteps ?? 200) && acc < target) {
    step++;
    tidy(() => {
      opt.zeroGrad();
      model.lossFn(model.forward(x, o.lengths ?? null), y).backward();
      opt.step();
    });
    if (step % 5 === 0) acc = accuracy(model, x, labels, o.lengths ?? null);
  }
  return { initial, accuracy: acc, steps: step };
}
