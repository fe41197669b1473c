/**
 * Training of one fold: epochs of mini-batches (mixup, stability training, class balance,
 * bootstrap), early stopping on dev UA, one atomic checkpoint every epoch, exact resume after a kill.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { makeRng, type Rng } from '../core/index.js';
import { classificationMetrics } from '../metrics/index.js';
import {
  Adam,
  AdamW,
  CosineAnnealingLR,
  F,
  EpochSteps,
  finiteStep,
  randnLike,
  oneHot as oneHotOf,
  loadModule,
  manualSeed,
  saveModule,
  settle,
  tensor,
  tidy,
  GroupedOptimizer,
  type OptimizerLike,
  type Tensor,
} from '../engine/index.js';
import { BEST_FILE, CHECKPOINT_FILE, loadCheckpoint, saveCheckpoint } from '../run/index.js';
import type { TrainingConfig } from '../run/index.js';
import { specAugment } from '../features/index.js';
import { batchTensors, predictUtterances, type Example, type InputKind, type TrainableModel } from '../models/index.js';
import { argmax } from '../core/index.js';
import { beta, epochOrder } from './sampling.js';

export interface FoldData {
  train: Example[];
  dev: Example[];
  numClasses: number;
  kind: InputKind;
  maxFrames: number;
  /** Loss weights per class when `balance` is 'weights' (the mixup loss uses them; the model's own loss carries a copy). */
  classWeights: Float32Array | null;
}

export interface FoldProgress {
  epoch: number;
  epochs: number;
  batch: number;
  batches: number;
}

/** One finished epoch, as logged in log.jsonl. */
export interface EpochRecord {
  fold: number;
  epoch: number;
  trainLoss: number;
  devUa: number;
  devWa: number;
  lr: number;
  /** Wall time of the epoch (training, dev evaluation and checkpoint), s. */
  seconds: number;
}

/** What is kept between epochs (in the checkpoint) so a killed run resumes exactly. */
interface FoldState {
  epoch: number;
  bestUa: number;
  bestEpoch: number;
  badEpochs: number;
  lr: number;
  stopped: boolean;
}

/** UA/WA of utterance-level predictions. */
export function scoreUtterances(post: Map<number, number[]>, labelOf: (u: number) => number, numClasses: number) {
  const us = [...post.keys()];
  const pred = us.map((u) => argmax(post.get(u)!));
  return classificationMetrics(us.map(labelOf), pred, numClasses);
}

function lossOf(
  model: TrainableModel,
  x: Tensor,
  lengths: Tensor | null,
  y: Tensor,
  aux: { gender: Tensor; race: Tensor } | null,
  cfg: TrainingConfig,
  weights: Tensor | null,
  rng: Rng,
  numClasses: number,
): Tensor {
  let target: Tensor = y;
  let input = x;
  let lens = lengths;
  if (cfg.mixupAlpha !== null) {
    // Mixup: convex combination of the batch with a permutation of itself, labels mixed alike.
    const lambda = beta(cfg.mixupAlpha, cfg.mixupAlpha, rng);
    const n = x.shape[0];
    const perm = tensor(BigInt64Array.from(permutation(n, rng), BigInt), [n]);
    input = x.mul(lambda).add(x.indexSelect(0, perm).mul(1 - lambda));
    const oneHot = oneHotOf(y, numClasses).to('float32');
    target = oneHot.mul(lambda).add(oneHot.indexSelect(0, perm).mul(1 - lambda));
    if (lengths) lens = lengths.maximum(lengths.indexSelect(0, perm));
  }
  if (model.forwardHeads && model.multitaskLoss && aux) {
    // Multitask (the gender/race bias study of SER on CREMA-D): emotion plus speaker-attribute heads on one embedding.
    if (cfg.mixupAlpha !== null) throw new Error('training.mixupAlpha: mixup is not supported with multitask models');
    const out = model.forwardHeads(input, lens);
    return model.multitaskLoss(out, { emotion: y, gender: aux.gender, race: out.race ? aux.race : null }).total;
  }
  const logits = model.forward(input, lens);
  // Hard targets: the model's own loss (its lossOptions carry class weights and smoothing);
  // mixed (soft) targets: cross-entropy against the mixed label distribution.
  let loss =
    cfg.mixupAlpha === null
      ? model.lossFn(logits, target)
      : F.crossEntropy(logits, target, { weight: weights, labelSmoothing: cfg.labelSmoothing });
  if (cfg.stability !== null) {
    // Stability training: outputs on noisy inputs should match the clean ones, KL(p_clean ‖ p_noisy).
    const noisy = model.forward(input.add(randnLike(input).mul(cfg.stability.sigma)), lens);
    const pClean = logits.softmax(-1).detach();
    const kl = pClean
      .mul(pClean.add(1e-8).log().sub(noisy.logSoftmax(-1)))
      .sum(-1)
      .mean();
    loss = loss.add(kl.mul(cfg.stability.weight));
  }
  return loss;
}

function permutation(n: number, rng: Rng): number[] {
  const p = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [p[i], p[j]] = [p[j], p[i]];
  }
  return p;
}

function makeOptimizer(model: TrainableModel, cfg: TrainingConfig): OptimizerLike {
  const make = (params: Tensor[], lr: number) => {
    const o = { lr, weightDecay: cfg.weightDecay };
    return cfg.optimizer === 'adamw' ? new AdamW(params, o) : new Adam(params, o);
  };
  const groups = model.paramGroups?.(cfg.lr);
  return groups ? new GroupedOptimizer(groups.map((g) => make(g.params, g.lr))) : make(model.parameters(), cfg.lr);
}

/**
 * Trains `model` on one fold, writing `dir`/`bestFile` (default best.safetensors) and `dir`/checkpoint.safetensors
 * (weights, optimizer, loop state and epoch history as one atomic file) after every epoch, and
 * calling `onEpoch` with the fold's whole history (also once on start, so a resumed fold's log is
 * in sync). Resumes from the checkpoint when a previous run was interrupted: the result is bit
 * for bit that of an uninterrupted run. Returns the best dev UA and its epoch; `model` holds the
 * best weights on return.
 */
export async function trainFold(
  model: TrainableModel,
  data: FoldData,
  cfg: TrainingConfig,
  dir: string,
  fold: number,
  onProgress?: (p: FoldProgress) => void,
  onEpoch?: (history: EpochRecord[]) => void,
  bestFile: string = BEST_FILE,
): Promise<{ bestUa: number; bestEpoch: number; epochsRun: number }> {
  const opt = makeOptimizer(model, cfg);
  const sched = cfg.cosine ? new CosineAnnealingLR(opt, cfg.epochs, cfg.lr * cfg.minLrFactor) : null;
  const checkpoint = join(dir, CHECKPOINT_FILE);
  if (existsSync(join(dir, 'state.json')) && !existsSync(checkpoint)) {
    throw new Error(
      `${dir}: this fold was interrupted under an older trustser whose checkpoints did not resume exactly; delete the folder to train the fold again`,
    );
  }
  let st: FoldState = { epoch: 0, bestUa: -1, bestEpoch: 0, badEpochs: 0, lr: cfg.lr, stopped: false };
  let history: EpochRecord[] = [];
  const saved = await loadCheckpoint<FoldState, EpochRecord>(checkpoint, model, opt);
  if (saved) {
    ({ state: st, history } = saved);
    opt.lr = st.lr;
    sched?.restore({ epoch: st.epoch });
  }
  onEpoch?.(history);
  const labels = data.train.map((e) => e.label);
  const weights = data.classWeights ? tensor(data.classWeights) : null;
  const batches = Math.ceil(data.train.length / cfg.batchSize);
  const devLabels = new Map(data.dev.map((e) => [e.utterance, e.label]));
  while (!st.stopped && st.epoch < cfg.epochs) {
    const epoch = st.epoch + 1;
    // Seeds derive from (seed, fold, epoch), so a resumed run repeats exactly what it would have done.
    const rng = makeRng(cfg.seed * 1_000_003 + fold * 10_007 + epoch);
    manualSeed(cfg.seed * 1_000_003 + fold * 10_007 + epoch);
    const order = epochOrder(labels, rng, { oversample: cfg.balance === 'oversample', bootstrap: cfg.bootstrap });
    const t0 = performance.now();
    const steps = new EpochSteps();
    model.train();
    for (let b = 0; b < batches; b++) {
      const spec = cfg.specAugment;
      const part = order
        .slice(b * cfg.batchSize, (b + 1) * cfg.batchSize)
        .map((i) => data.train[i])
        .map((e) => (spec && data.kind !== 'vector' ? { ...e, features: specAugment(e.features, spec, rng) } : e));
      if (part.length === 0) continue;
      const value = tidy(() => {
        const t = batchTensors(part, data.kind, data.maxFrames, rng);
        opt.zeroGrad();
        const loss = lossOf(model, t.x, t.lengths, t.y, t.aux, cfg, weights, rng, data.numClasses);
        loss.backward();
        return finiteStep(opt, model.parameters(), loss, cfg.gradClip);
      });
      steps.add(value);
      onProgress?.({ epoch, epochs: cfg.epochs, batch: b + 1, batches });
      await settle();
    }
    steps.checkConverging(`fold ${fold}`, epoch);
    sched?.step();
    const dev = scoreUtterances(
      predictUtterances(model, data.dev, data.kind, data.maxFrames, cfg.batchSize),
      (u) => devLabels.get(u)!,
      data.numClasses,
    );
    const improved = dev.ua > st.bestUa;
    st = {
      epoch,
      lr: opt.lr,
      bestUa: improved ? dev.ua : st.bestUa,
      bestEpoch: improved ? epoch : st.bestEpoch,
      badEpochs: improved ? 0 : st.badEpochs + 1,
      stopped: false,
    };
    st.stopped = st.badEpochs >= cfg.patience;
    // best first: a kill before the checkpoint repeats this epoch, which rewrites the same best weights.
    if (improved) await saveModule(model, join(dir, bestFile), { epoch: String(epoch), devUa: String(dev.ua) });
    history = [
      ...history,
      {
        fold,
        epoch,
        trainLoss: steps.meanLoss,
        devUa: dev.ua,
        devWa: dev.wa,
        lr: opt.lr,
        seconds: (performance.now() - t0) / 1000,
      },
    ];
    await saveCheckpoint(checkpoint, model, opt, { state: st, history });
    onEpoch?.(history);
  }
  await loadModule(model, join(dir, bestFile));
  weights?.dispose();
  return { bestUa: st.bestUa, bestEpoch: st.bestEpoch, epochsRun: st.epoch };
}
