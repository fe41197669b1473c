/**
 * Training of one fold of a dimensional run: epochs of shuffled mini-batches (or an order the
 * caller gives per epoch, for curricula), the regression loss on z-normalized targets, early
 * stopping on the dev set's mean CCC, one atomic checkpoint per epoch and exact resume after a kill.
 */
import { join } from 'node:path';
import { makeRng, shuffle } from '../core/index.js';
import { AdamW, clipGradNorm, loadModule, manualSeed, noGrad, saveModule, settle, tensor, tidy } from '../engine/index.js';
import type { Features } from '../features/index.js';
import { ccc } from '../metrics/index.js';
import { batchTensors, type Example, type InputKind, type TrainableModel } from '../models/index.js';
import { BEST_FILE, CHECKPOINT_FILE, loadCheckpoint, saveCheckpoint } from '../run/index.js';
import type { FoldProgress } from '../train/index.js';
import type { DimensionalTraining } from './config.js';
import { regressionLoss } from './loss.js';

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
function batch(ex: RegressionExample[], kind: InputKind, maxFrames: number, rng: ReturnType<typeof makeRng> | null) {
  const asExamples: Example[] = ex.map((e, i) => ({ utterance: i, label: 0, features: e.features }));
  return batchTensors(asExamples, kind, maxFrames, rng);
}

/**
 * The model's outputs [N][A] for `ex` (in z-normalized target units), in eval mode, without
 * gradients; frame models see the centre crop of `maxFrames` frames.
 */
export function predictRegression(
  model: TrainableModel,
  ex: readonly { features: Features }[],
  kind: InputKind,
  maxFrames: number,
  batchSize: number,
): Float32Array[] {
  model.eval();
  const out: Float32Array[] = [];
  for (let i = 0; i < ex.length; i += batchSize) {
    const part = ex.slice(i, i + batchSize).map((e) => ({ features: e.features, targets: new Float32Array(0) }));
    const flat = noGrad(() =>
      tidy(() => {
        const b = batch(part, kind, maxFrames, null);
        return model.forward(b.x, b.lengths).toArray() as Float32Array;
      }),
    );
    const a = flat.length / part.length;
    for (let j = 0; j < part.length; j++) out.push(flat.slice(j * a, (j + 1) * a));
  }
  return out;
}

/** Dev CCC per target of the model's predictions. */
function devCcc(model: TrainableModel, data: RegressionData, batchSize: number): number[] {
  const pred = predictRegression(model, data.dev, data.kind, data.maxFrames, batchSize);
  const a = data.dev[0].targets.length;
  return Array.from({ length: a }, (_, t) =>
    ccc(
      data.dev.map((e) => e.targets[t]),
      pred.map((p) => p[t]),
    ),
  );
}

const meanOf = (xs: number[]) => xs.reduce((s, v) => s + v, 0) / xs.length;

/**
 * Trains `model` (one output per target) on a fold, writing `dir`/best.safetensors and
 * `dir`/checkpoint.safetensors after every epoch; resumes exactly from the checkpoint. `order`
 * gives the training examples of an epoch (default: a seeded shuffle of all of them). Returns
 * the best epoch, its dev CCC per target and the history; `model` holds the best weights.
 */
export async function trainRegressionFold(
  model: TrainableModel,
  data: RegressionData,
  cfg: DimensionalTraining,
  dir: string,
  fold: number,
  o: { order?: (epoch: number, rng: ReturnType<typeof makeRng>) => number[]; onProgress?: (p: FoldProgress) => void } = {},
): Promise<{ bestEpoch: number; devCcc: number[]; history: DimensionalEpoch[] }> {
  if (data.train.length === 0) throw new Error(`fold ${fold}: no training utterances`);
  if (data.dev.length < 2)
    throw new Error(`fold ${fold}: the dev set needs at least 2 utterances to measure a CCC (has ${data.dev.length})`);
  const opt = new AdamW(model.parameters(), { lr: cfg.lr, weightDecay: cfg.weightDecay });
  const checkpoint = join(dir, CHECKPOINT_FILE);
  let st: LoopState = { epoch: 0, best: -Infinity, bestEpoch: 0, badEpochs: 0, stopped: false };
  let history: DimensionalEpoch[] = [];
  const saved = await loadCheckpoint<LoopState, DimensionalEpoch>(checkpoint, model, opt);
  if (saved) ({ state: st, history } = saved);
  while (!st.stopped && st.epoch < cfg.epochs) {
    const epoch = st.epoch + 1;
    // Seeds derive from (seed, fold, epoch), so a resumed run repeats what it would have done.
    const seed = cfg.seed * 1_000_003 + fold * 10_007 + epoch;
    const rng = makeRng(seed);
    manualSeed(seed);
    const order = o.order ? o.order(epoch, rng) : shuffle([...data.train.keys()], rng);
    const batches = Math.ceil(order.length / cfg.batchSize);
    const t0 = performance.now();
    let lossSum = 0;
    let counted = 0;
    model.train();
    for (let b = 0; b < batches; b++) {
      const part = order.slice(b * cfg.batchSize, (b + 1) * cfg.batchSize).map((i) => data.train[i]);
      // A CCC needs spread: a last batch of one example would give a meaningless loss.
      if (part.length < 2) continue;
      lossSum += tidy(() => {
        const x = batch(part, data.kind, data.maxFrames, rng);
        const a = part[0].targets.length;
        const y = tensor(Float32Array.from(part.flatMap((e) => Array.from(e.targets))), [part.length, a]);
        opt.zeroGrad();
        const loss = regressionLoss(cfg.loss, model.forward(x.x, x.lengths), y);
        loss.backward();
        if (cfg.gradClip !== null) clipGradNorm(model.parameters(), cfg.gradClip);
        opt.step();
        return loss.item();
      });
      counted++;
      o.onProgress?.({ epoch, epochs: cfg.epochs, batch: b + 1, batches });
      await settle();
    }
    const dev = devCcc(model, data, cfg.batchSize);
    const score = meanOf(dev.map((c) => (Number.isFinite(c) ? c : 0)));
    const improved = score > st.best;
    st = {
      epoch,
      best: improved ? score : st.best,
      bestEpoch: improved ? epoch : st.bestEpoch,
      badEpochs: improved ? 0 : st.badEpochs + 1,
      stopped: false,
    };
    st.stopped = st.badEpochs >= cfg.patience;
    // best first: a kill before the checkpoint repeats this epoch, which rewrites the same best weights.
    if (improved) await saveModule(model, join(dir, BEST_FILE), { epoch: String(epoch), devCcc: String(score) });
    history = [
      ...history,
      { epoch, trainLoss: counted > 0 ? lossSum / counted : Number.NaN, devCcc: dev, seconds: (performance.now() - t0) / 1000 },
    ];
    await saveCheckpoint(checkpoint, model, opt, { state: st, history });
  }
  await loadModule(model, join(dir, BEST_FILE));
  return { bestEpoch: st.bestEpoch, devCcc: history[st.bestEpoch - 1]?.devCcc ?? [], history };
}
