/**
 * Training checkpoints that resume bit-exactly: the model's weights, the optimizer's state
 * (Adam moments, step counts), the loop's own state and the epoch history go into ONE
 * safetensors file, written atomically (temp + rename). A kill at any instant leaves either the
 * previous epoch's checkpoint or the new one, never weights of one epoch with the state of
 * another, and the history (from which log.jsonl is rebuilt) never loses an epoch.
 */
import { existsSync } from 'node:fs';
import { fromRaw, toRaw, type nn, type OptimizerLike, type ParamState, type Tensor } from '../engine/index.js';
import type { RawTensor } from '../tensor-io/index.js';
import { loadSafetensors, saveSafetensors } from '../tensor-io/index.js';

/** Metadata tag of a checkpoint file. */
const CHECKPOINT_FORMAT = 'trustser-checkpoint/1';
const MODEL_PREFIX = 'model/';
const OPTIM_PREFIX = 'optim/';

/** What a checkpoint restores besides the tensors. */
export interface CheckpointContents<S, H> {
  state: S;
  /** One record per finished epoch, in order. */
  history: H[];
}

/** Writes weights, optimizer state, `state` and `history` to `path` as one atomic step. */
export async function saveCheckpoint<S, H>(
  path: string,
  module: nn.Module,
  opt: OptimizerLike,
  c: CheckpointContents<S, H>,
): Promise<void> {
  const dict = new Map<string, RawTensor>();
  for (const [k, t] of module.stateDict()) dict.set(MODEL_PREFIX + k, toRaw(t));
  const steps: Record<string, number> = {};
  opt.getState().forEach((s, i) => {
    if (s === null) return;
    steps[i] = s.step;
    for (const [k, t] of Object.entries(s.buffers)) {
      dict.set(`${OPTIM_PREFIX}${i}/${k}`, toRaw(t));
      t.dispose();
    }
  });
  await saveSafetensors(path, dict, {
    format: CHECKPOINT_FORMAT,
    steps: JSON.stringify(steps),
    state: JSON.stringify(c.state),
    history: JSON.stringify(c.history),
  });
}

/**
 * Restores a checkpoint written by {@link saveCheckpoint} into `module` and `opt` (same
 * architecture and parameter list); returns its state and history, or null when `path` does not
 * exist. Errors name the file.
 */
export async function loadCheckpoint<S, H>(path: string, module: nn.Module, opt: OptimizerLike): Promise<CheckpointContents<S, H> | null> {
  if (!existsSync(path)) return null;
  const { tensors, metadata } = await loadSafetensors(path);
  if (metadata.format !== CHECKPOINT_FORMAT)
    throw new Error(`${path}: not a trustser training checkpoint (format '${metadata.format ?? 'none'}')`);
  const weights = new Map<string, RawTensor>();
  for (const [k, t] of tensors) if (k.startsWith(MODEL_PREFIX)) weights.set(k.slice(MODEL_PREFIX.length), t);
  try {
    module.loadStateDict(weights, true);
  } catch (e) {
    throw new Error(`${path}: ${(e as Error).message}`);
  }
  const steps = JSON.parse(metadata.steps ?? '{}') as Record<string, number>;
  const state: (ParamState | null)[] = opt.params.map((_, i) => {
    if (!(i in steps)) return null;
    const prefix = `${OPTIM_PREFIX}${i}/`;
    const buffers: Record<string, Tensor> = {};
    for (const [k, r] of tensors) if (k.startsWith(prefix)) buffers[k.slice(prefix.length)] = fromRaw(r);
    return { step: steps[i], buffers };
  });
  opt.setState(state);
  for (const s of state) if (s) for (const t of Object.values(s.buffers)) t.dispose();
  return { state: JSON.parse(metadata.state) as S, history: JSON.parse(metadata.history) as H[] };
}
