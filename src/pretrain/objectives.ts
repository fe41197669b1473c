/**
 * The self-supervised objectives, as s3prl defines them (`pretrain/apc/pretrain_expert.py`;
 * `pretrain/mockingjay/task.py` + `pretrain_expert.py` for TERA), on padded batches:
 *
 * - APC: predict the frame `n_future` steps ahead from the GRU stack's output through the
 *   postnet; L1 loss. s3prl averages over the padded batch (padding included); here only valid
 *   frames count, which is the same when no item is padded.
 * - TERA: reconstruct the spectrogram from an altered copy — runs of frames zeroed, swapped for
 *   other frames or kept (80/10/10), one band of mel bins zeroed, and sometimes Gaussian noise
 *   on every frame; L1 loss over the altered elements only.
 */
import type { Rng } from '../core/index.js';
import { tensor, type Tensor } from '../engine/index.js';
import type { Apc, Tera } from '../backbones/index.js';

/** Share of TERA's time runs zeroed, and (up to the next bound) replaced by other frames; the rest kept. */
const ZERO_SHARE = 0.8;
const REPLACE_SHARE = 0.9;
/** Standard deviation of TERA's magnitude alteration (Gaussian noise on every frame). */
export const TERA_NOISE_STD = 0.2;

/** Zero-padded batch [B, T, D] of row-major [frames × D] matrices. */
export function padBatch(items: readonly Float32Array[], frames: readonly number[], dims: number): Float32Array {
  const t = Math.max(...frames);
  const out = new Float32Array(items.length * t * dims);
  items.forEach((x, b) => out.set(x.subarray(0, frames[b] * dims), b * t * dims));
  return out;
}

/**
 * APC's loss on features [B, T, D] with `lengths` valid frames each: the L1 distance between
 * the postnet's prediction from frames 0…T−k−1 and frames k…T−1, over valid targets.
 * @throws RangeError when no item is longer than `nFuture` frames.
 */
export function apcLoss(model: Apc, feats: Tensor, lengths: readonly number[], nFuture: number): Tensor {
  const [b, t, d] = feats.shape;
  const steps = t - nFuture;
  const valid = lengths.reduce((n, l) => n + Math.max(0, l - nFuture), 0);
  if (steps <= 0 || valid === 0) throw new RangeError(`apcLoss: no item is longer than n_future (${nFuture}) frames`);
  const { layers, state } = model.forwardFeatures(feats.narrow(1, 0, steps));
  for (const s of state) s.dispose();
  const pred = model.predict(layers[layers.length - 1]);
  const mask = new Float32Array(b * steps);
  lengths.forEach((l, i) => mask.fill(1, i * steps, i * steps + Math.max(0, l - nFuture)));
  const err = pred
    .sub(feats.narrow(1, nFuture, steps))
    .abs()
    .mul(tensor(mask, [b, steps, 1]));
  return err.sum().div(valid * d);
}

/** TERA's altered input and the elements the loss is taken over, for one padded batch. */
export interface TeraBatch {
  /** Altered features [B, T, D] (row-major). */
  inputs: Float32Array;
  /** 1 where the loss counts, 0 elsewhere [B, T, D]. */
  mask: Float32Array;
}

/** Alteration settings (the run config's `tera` block). */
export interface TeraAlteration {
  maskProportion: number;
  maskRun: number;
  maskFrequency: number;
  noiseProportion: number;
}

/** The first `n` of a random permutation of 0…m−1. */
function sample(m: number, n: number, rng: Rng): number[] {
  const idx = Array.from({ length: m }, (_, i) => i);
  for (let i = 0; i < Math.min(n, m); i++) {
    const j = i + rng.int(m - i);
    [idx[i], idx[j]] = [idx[j], idx[i]];
  }
  return idx.slice(0, n);
}

/**
 * Alters a padded batch `target` [B, T, D] as TERA's pre-training does (s3prl's
 * `generate_masked_acoustic_model_data`): per item, ⌊len·p / run⌉ runs of `maskRun` frames at
 * distinct random starts (overlaps allowed) are zeroed (80 %), replaced by the runs at other
 * random starts (10 %) or kept (10 %); a band of 0…⌊D·maskFrequency⌋ mel bins at a random
 * offset is zeroed; the loss covers both. Then, with probability `noiseProportion`, Gaussian
 * noise (σ {@link TERA_NOISE_STD}) is added to every valid frame of the batch.
 */
export function alterForTera(target: Float32Array, lengths: readonly number[], dims: number, a: TeraAlteration, rng: Rng): TeraBatch {
  const t = target.length / (lengths.length * dims);
  const inputs = target.slice();
  const mask = new Float32Array(target.length);
  lengths.forEach((len, b) => {
    const row = (f: number): number => (b * t + f) * dims;
    if (a.maskProportion > 0) {
      const run = a.maskRun;
      const maxStart = Math.max(len - run - 1, 0);
      const count = Math.round((len * a.maskProportion) / run);
      const starts = sample(maxStart + 1, count, rng);
      const dice = rng.next();
      const others = dice >= ZERO_SHARE && dice < REPLACE_SHARE ? sample(maxStart + 1, count, rng) : null;
      starts.forEach((s, r) => {
        for (let k = 0; k < run && s + k < t; k++) {
          const f = s + k;
          if (dice < ZERO_SHARE) inputs.fill(0, row(f), row(f) + dims);
          else if (others && others[r] + k < t) inputs.set(target.subarray(row(others[r] + k), row(others[r] + k) + dims), row(f));
          mask.fill(1, row(f), row(f) + dims);
        }
      });
    }
    if (a.maskFrequency > 0) {
      const width = rng.int(Math.floor(dims * a.maskFrequency) + 1);
      const start = rng.int(dims - width);
      for (let f = 0; f < t; f++) inputs.fill(0, row(f) + start, row(f) + start + width);
      for (let f = 0; f < len; f++) mask.fill(1, row(f) + start, row(f) + start + width);
    }
  });
  if (a.noiseProportion > 0 && rng.next() < a.noiseProportion)
    lengths.forEach((len, b) => {
      for (let i = b * t * dims; i < (b * t + len) * dims; i++) inputs[i] += TERA_NOISE_STD * rng.normal();
    });
  return { inputs, mask };
}

/**
 * TERA's loss: the SpecHead's reconstruction from the last hidden state of `inputs` [B, T, D]
 * (padded frames never attended to) against `target`, L1 over the elements `mask` marks.
 * @throws RangeError when the mask marks nothing.
 */
export function teraLoss(model: Tera, inputs: Tensor, target: Tensor, mask: Float32Array, lengths: readonly number[]): Tensor {
  let count = 0;
  for (const m of mask) count += m;
  if (count === 0) throw new RangeError('teraLoss: the mask marks no element');
  const hidden = model.forwardFrames(inputs, lengths);
  const pred = model.predict(hidden[hidden.length - 1]);
  return pred.sub(target).abs().mul(tensor(mask, target.shape)).sum().div(count);
}
