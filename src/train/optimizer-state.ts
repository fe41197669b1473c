/**
 * Optimizer state checkpoints (Adam moments, step counts) in safetensors, so that a resumed
 * training run continues exactly where it stopped.
 */
import { fromRaw, toRaw, type Optimizer, type ParamState, type Tensor } from '../torch/index.js';
import { loadSafetensors, saveSafetensors } from '../torch/safetensors.js';
import type { RawTensor } from '../torch/raw.js';

/** Writes the optimizer's per-parameter state to `path` (atomically, as safetensors). */
export async function saveOptimizer(path: string, opt: Optimizer): Promise<void> {
  const dict = new Map<string, RawTensor>();
  const steps: Record<string, number> = {};
  opt.getState().forEach((s, i) => {
    if (s === null) return;
    steps[i] = s.step;
    for (const [k, t] of Object.entries(s.buffers)) {
      dict.set(`${i}.${k}`, toRaw(t));
      t.dispose();
    }
  });
  await saveSafetensors(path, dict, { steps: JSON.stringify(steps) });
}

/** Restores state written by {@link saveOptimizer} into `opt` (same parameter list). */
export async function loadOptimizer(path: string, opt: Optimizer): Promise<void> {
  const { tensors, metadata } = await loadSafetensors(path);
  const steps = JSON.parse(metadata.steps ?? '{}') as Record<string, number>;
  const state: (ParamState | null)[] = opt.params.map((_, i) => {
    if (!(i in steps)) return null;
    const buffers: Record<string, Tensor> = {};
    for (const [k, r] of tensors) if (k.startsWith(`${i}.`)) buffers[k.slice(String(i).length + 1)] = fromRaw(r);
    return { step: steps[i], buffers };
  });
  opt.setState(state);
  for (const s of state) if (s) for (const t of Object.values(s.buffers)) t.dispose();
}
