/**
 * Bridges engine tensors and modules to the file formats: safetensors for the project's own
 * checkpoints (atomic writes), PyTorch .pth for importing published weights.
 */
import { native } from './native.js';
import { Tensor } from './tensor.js';
import type { Module } from './nn/module.js';
import type { RawTensor, StateDict } from '../tensor-io/index.js';
import { loadSafetensors, saveSafetensors } from '../tensor-io/index.js';
import { readPth } from '../tensor-io/index.js';

/** Copies an engine tensor out into a raw record (uint8 tensors are not serializable). */
export function toRaw(t: Tensor): RawTensor {
  const dtype = t.dtype;
  if (dtype === 'uint8') throw new Error('toRaw: uint8 tensors have no serialized dtype; convert to int32 or bool');
  return { dtype, shape: t.shape, data: t.toArray() };
}

/** Creates an engine tensor from a raw record (copies the data). */
export function fromRaw(r: RawTensor): Tensor {
  return new Tensor(native.fromArray(r.data, r.shape, r.dtype));
}

/** Raw copies of every tensor in a name → tensor map. */
export function toRawDict(dict: Map<string, Tensor>): StateDict {
  return new Map([...dict].map(([k, t]) => [k, toRaw(t)]));
}

/** Saves a module's parameters and buffers as safetensors (temp file + rename). */
export async function saveModule(module: Module, path: string, metadata: Record<string, string> = {}): Promise<void> {
  await saveSafetensors(path, toRawDict(module.stateDict()), metadata);
}

/**
 * Loads a safetensors checkpoint into `module` (strict: same keys and shapes). Errors name the
 * file; the module is untouched when the file does not fit. Returns the file's metadata.
 */
export async function loadModule(module: Module, path: string, strict = true): Promise<Record<string, string>> {
  const { tensors, metadata } = await loadSafetensors(path);
  try {
    module.loadStateDict(tensors, strict);
  } catch (e) {
    throw new Error(`${path}: ${(e as Error).message}`);
  }
  return metadata;
}

/**
 * Loads a PyTorch .pth state dict into `module`; `rename` maps checkpoint keys to module keys
 * (return null to drop a key).
 */
export function loadPthInto(module: Module, path: string, o: { strict?: boolean; rename?: (key: string) => string | null } = {}): void {
  const raw = readPth(path);
  const dict = new Map<string, RawTensor>();
  for (const [k, v] of raw) {
    const name = o.rename ? o.rename(k) : k;
    if (name !== null) dict.set(name, v);
  }
  try {
    module.loadStateDict(dict, o.strict ?? true);
  } catch (e) {
    throw new Error(`${path}: ${(e as Error).message}`);
  }
}
