/**
 * Training of one fold of a dimensional run: epochs of shuffled mini-batches (or an order the
 * caller gives per epoch, for curricula), the regression loss on z-normalized targets, early
 * stopping on the dev set's mean CCC, one atomic checkpoint per epoch and exact resume after a kill.
 */
import { join } from 'node:path';
import { makeRng, shuffle, type Rng } from '../core/index.js';
import {
  AdamW,
  EpochSteps,
  finiteStep,
  loadModule,
  manualSeed,
  noGrad,
  saveModule,
  settle,
  tensor,
  tidy,
  type Optimizer,
  type Tensor,
  type nn,
} from '../engine/index.js';
import type { Features } from '../features/index.js';
import { ccc } from '../metrics/index.js';
import { batchTensors, type Example, type InputKind, type TrainableModel } from '../models/index.js';
import { BEST_FILE, CHECKPOINT_FILE, loadCheckpoint, saveCheckpoint } from '../run/index.js';
import type { FoldProgress } from '../train/index.js';
import type { DimensionalTraining } from './config.js';
import { regressionLoss } from './loss.js';

/** What prediction needs of a model: eval mode and a forward pass giving [N, targets]. */
export interface RegressionModel {
  eval(): unknown;
  forward(x: Tensor, lengths?: Tensor | null): Tensor;
}

/** One utterance's normalized features and z-normalized targets. */
export interface RegressionExample {
  features: Features;
  targets: Float32Array;
}

/** The fold's data: examples, the model's input kind and the frame crop of frame models. */
export interface RegressionData {
  train: RegressionExample[];
  dev: RegressionExample[];
  kind: InputKind;
  maxFrames: number;
}

/** One finished epoch (kept in the checkpoint and the fold's result). */
export interface DimensionalEpoch {
  epoch: number;
  trainLoss: number;
  /** Dev CCC per target, in the config's order. */
  devCcc: number[];
  /** Wall time of the epoch, s. */
  seconds: number;
}

interface LoopState {
  epoch: number;
  best: number;
  bestEpoch: number;
  badEpochs: number;
  stopped: boolean;
}

/** Batches of examples as the models take them (the label slot is unused: targets go beside it). */
export function batch(ex: readonly RegressionExample[], kind: InputKind, maxFrames: number, rng: Rng | null) {
  const asExamples: Example[] = ex.map((e, i) => ({ utterance: i, label: 0, features: e.features }));
  return batchTensors(asExamples, kind, maxFrames, rng);
}

/**
 * The model's outputs [N][A] for `ex` (in z-normalized target units), in eval mode, without
 * gradients; frame models see the centre crop of `maxFrames` frames.
 */
export function predictRegression(
  model: RegressionModel,
  ex: readonly { features: Features }[],
  kind: InputKind,
  maxFrames: number,
  batchSize: number,
): Float32Array[] {
  model.eval();
  return rowsOf(ex, kind, maxFrames, batchSize, (x, lengths) => model.forward(x, lengths));
}

/**
 * One output row per example of `fn` over mini-batches of `ex` (eval-time batching: centre crops,
 * no gradients); the caller sets the model's mode.
 */
export function rowsOf(
  ex: readonly { features: Features }[],
  kind: InputKind,
  maxFrames: number,
  batchSize: number,
  fn: (x: Tensor, lengths: Tensor | null) => Tensor,
): Float32Array[] {
  const out: Float32Array[] = [];
  for (let i = 0; i < ex.length; i += batchSize) {
    const part = ex.slice(i, i + batchSize).map((e) => ({ features: e.features, targets: new Float32Array(0) }));
    const flat = noGrad(() =>
      tidy(() => {
        const b = batch(part, kind, maxFrames, null);
        return fn(b.x, b.lengths).toArray() as Float32Array;
      }),
    );
    const a = flat.length / part.length;
    for (let j = 0; j < part.length; j++) out.push(flat.slice(j * a, (j + 1) * a));
  }
  return out;
}

/** Dev CCC per target of the model's predictions. */
export function devCcc(
  model: RegressionModel,
  dev: readonly RegressionExample[],
  kind: InputKind,
  maxFrames: number,
  batchSize: number,
): number[] {
  const pred = predictRegression(model, dev, kind, maxFrames, batchSize);
  const a = dev[0].targets.length;
  return Array.from({ length: a }, (_, t) =>
    ccc(
      dev.map((e) => e.targets[t]),
      pred.map((p) => p[t]),
    ),
  );
}

const meanOf = (xs: number[]) => xs.reduce((s, v) => s + v, 0) / xs.length;

/** What one epoch of a loop does: trains (returns the mean training loss) and measures dev CCC per target. */
export interface EpochBody {
  train(epoch: number, rng: Rng): Promise<number>;
  dev(): number[];
}

/**
 * The epoch loop shared by the dimensional trainers: seeds from (seed, fold, epoch), `body` per
 * epoch, the best mean dev CCC kept in `dir`/best.safetensors, early stopping after `patience`
 * epochs without improvement (counted only after epoch `patienceFrom`, e.g. once a curriculum
 * has reached the whole training set), and `dir`/checkpoint.safetensors (model + `opt` + loop
 * state + history) after every epoch, from which a killed fold resumes exactly. `model` holds
 * the best weights on return.
 */
export async function runEpochs(
  model: nn.Module,
  opt: Optimizer,
  cfg: DimensionalTraining,
  dir: string,
  fold: number,
  body: EpochBody,
  patienceFrom = 0,
): Promise<{ bestEpoch: number; devCcc: number[]; history: DimensionalEpoch[] }> {
  const checkpoint = join(dir, CHECKPOINT_FILE);
  let st: LoopState = { epoch: 0, best: -Infinity, bestEpoch: 0, badEpochs: 0, stopped: false };
  let history: DimensionalEpoch[] = [];
  const saved = await loadCheckpoint<LoopState, DimensionalEpoch>(checkpoint, model, opt);
  if (saved) ({ state: st, history } = saved);
  while (!st.stopped && st.epoch < cfg.epochs) {
    const epoch = st.epoch + 1;
    // Seeds derive from (seed, fold, epoch), so a resumed run repeats what it would have done.
    const seed = cfg.seed * 1_000_003 + fold * 10_007 + epoch;
    manualSeed(seed);
    const t0 = performance.now();
    const trainLoss = await body.train(epoch, makeRng(seed));
    const dev = body.dev();
    const score = meanOf(dev.map((c) => (Number.isFinite(c) ? c : 0)));
    const improved = score > st.best;
    const counted = epoch > patienceFrom;
    st = {
      epoch,
      best: improved ? score : st.best,
      bestEpoch: improved ? epoch : st.bestEpoch,
      badEpochs: improved || !counted ? 0 : st.badEpochs + 1,
      stopped: false,
    };
    st.stopped = st.badEpochs >= cfg.patience;
    // best first: a kill before the checkpoint repeats this epoch, which rewrites the same best weights.
    if (improved) await saveModule(model, join(dir, BEST_FILE), { epoch: String(epoch), devCcc: String(score) });
    history = [...history, { epoch, trainLoss, devCcc: dev, seconds: (performance.now() - t0) / 1000 }];
    await saveCheckpoint(checkpoint, model, opt, { state: st, history });
  }
  await loadModule(model, join(dir, BEST_FILE));
  return { bestEpoch: st.bestEpoch, devCcc: history[st.bestEpoch - 1]?.devCcc ?? [], history };
}

/** Checks a fold has training data and a dev set a CCC can be measured on. */
export function checkFoldData(fold: number, train: readonly unknown[], dev: readonly unknown[]): void {
  if (train.length === 0) throw new Error(`fold ${fold}: no training utterances`);
  if (dev.length < 2) throw new Error(`fold ${fold}: the dev set needs at least 2 utterances to measure a CCC (has ${dev.length})`);
}

/** Targets [N, A] of examples as one tensor. */
export function targetTensor(part: readonly RegressionExample[]): Tensor {
  return tensor(Float32Array.from(part.flatMap((e) => Array.from(e.targets))), [part.length, part[0].targets.length]);
}

/**
 * Trains a regressor (one output per target) on a fold with {@link runEpochs}. `order` gives the
 * training examples of an epoch (default: a seeded shuffle of all of them; a curriculum gives a
 * growing subset), `patienceFrom` the first epoch early stopping may count.
 */
export async function trainRegressionFold(
  model: TrainableModel,
  data: RegressionData,
  cfg: DimensionalTraining,
  dir: string,
  fold: number,
  o: { order?: (epoch: number, rng: Rng) => number[]; patienceFrom?: number; onProgress?: (p: FoldProgress) => void } = {},
): Promise<{ bestEpoch: number; devCcc: number[]; history: DimensionalEpoch[] }> {
  checkFoldData(fold, data.train, data.dev);
  const opt = new AdamW(model.parameters(), { lr: cfg.lr, weightDecay: cfg.weightDecay });
  const body: EpochBody = {
    train: async (epoch, rng) => {
      const order = o.order ? o.order(epoch, rng) : shuffle([...data.train.keys()], rng);
      const batches = Math.ceil(order.length / cfg.batchSize);
      const steps = new EpochSteps();
      model.train();
      for (let b = 0; b < batches; b++) {
        const part = order.slice(b * cfg.batchSize, (b + 1) * cfg.batchSize).map((i) => data.train[i]);
        // A CCC needs spread: a last batch of one example would give a meaningless loss.
        if (part.length < 2) continue;
        const value = tidy(() => {
          const x = batch(part, data.kind, data.maxFrames, rng);
          opt.zeroGrad();
          const loss = regressionLoss(cfg.loss, model.forward(x.x, x.lengths), targetTensor(part));
          loss.backward();
          return finiteStep(opt, model.parameters(), loss, cfg.gradClip);
        });
        steps.add(value);
        o.onProgress?.({ epoch, epochs: cfg.epochs, batch: b + 1, batches });
        await settle();
      }
      steps.checkConverging(`fold ${fold}`, epoch);
      return steps.meanLoss;
    },
    dev: () => devCcc(model, data.dev, data.kind, data.maxFrames, cfg.batchSize),
  };
  return runEpochs(model, opt, cfg, dir, fold, body, o.patienceFrom);
}
