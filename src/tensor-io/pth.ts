/**
 * Reader for PyTorch `.pth` checkpoints in the zip format written by `torch.save` since
 * PyTorch 1.6: one top folder (any name) holding `data.pkl` (the object tree, pickled),
 * `data/<key>` (raw little-endian storages) and `version`.
 *
 * `data.pkl` is decoded by a small, closed pickle machine: it knows only the opcodes that
 * protocol-2 state dicts use and a fixed allow-list of globals (`OrderedDict`, tensor
 * rebuild functions, storage types). Nothing is ever executed; any other global or opcode
 * is rejected with an error naming the file, so a malicious checkpoint cannot run code.
 */
import { readFileSync } from 'node:fs';
import { unzipSync } from 'fflate';
import { OP, PyStorage, checkResult, describe, unpickle, type Fail, type StorageLoader } from './pickle.js';
import { HALF_ITEM_SIZE, isRawTensor, itemSize, typedFromBytes, widenHalf, type StateDict } from './raw.js';

/**
 * Decodes a `.pth` zip image into its object tree.
 *
 * @param bytes - the whole checkpoint file.
 * @param label - file name used in error messages.
 * @returns dicts as `Map`s (insertion order kept), lists as arrays, tuples as frozen
 *   arrays, ints as numbers (bigints beyond ±2^53), floats, strings, booleans, `null`,
 *   and tensors as {@link RawTensor}s (float → float32/64, Long → int64 `BigInt64Array`).
 * @throws Error `"<label>: <problem>"` for non-zip or legacy files, archives without a
 *   single `<folder>/data.pkl`, missing or short storages, and unsupported pickle
 *   opcodes or globals.
 */
export function parsePthObject(bytes: Uint8Array, label = '<pth buffer>'): unknown {
  const fail: Fail = (msg) => {
    throw new Error(`${label}: ${msg}`);
  };
  if (bytes[0] === OP.PROTO) {
    fail('legacy (pre-1.6, non-zip) torch.save format is not supported; re-save it with a newer PyTorch');
  }
  let files: Record<string, Uint8Array> = {};
  try {
    files = unzipSync(bytes);
  } catch (err) {
    fail(`not a readable zip archive, so not a PyTorch checkpoint (${(err as Error).message})`);
  }
  const pkls = Object.keys(files).filter((name) => /^[^/]+\/data\.pkl$/.test(name));
  if (pkls.length !== 1) fail(`expected exactly one '<folder>/data.pkl' in the archive, found ${pkls.length}`);
  const prefix = pkls[0].slice(0, -'data.pkl'.length);
  const byteorder = files[`${prefix}byteorder`];
  if (byteorder && new TextDecoder().decode(byteorder).trim() !== 'little') fail('big-endian checkpoints are not supported');
  const storages = new Map<string, PyStorage>();
  const loadStorage: StorageLoader = (key, dtype, count, half) => {
    const cached = storages.get(key);
    if (cached) {
      if (cached.dtype !== dtype) fail(`storage '${key}' is used as both ${cached.dtype} and ${dtype}`);
      return cached;
    }
    const raw = files[`${prefix}data/${key}`];
    if (!raw) return fail(`storage '${key}' (${prefix}data/${key}) is missing from the archive`);
    const need = count * (half ? HALF_ITEM_SIZE : itemSize(dtype));
    if (raw.byteLength < need) fail(`storage '${key}' holds ${raw.byteLength} bytes, but ${count} ${half ?? dtype} elements need ${need}`);
    const values = half ? widenHalf(half, raw.subarray(0, need)) : typedFromBytes(dtype, raw.subarray(0, need));
    if (dtype === 'bool') (values as Uint8Array).forEach((v, i, a) => (a[i] = v ? 1 : 0));
    const storage = new PyStorage(key, dtype, values);
    storages.set(key, storage);
    return storage;
  };
  const result = unpickle(files[pkls[0]], fail, loadStorage);
  checkResult(result, fail);
  return result;
}

/**
 * Converts an object tree from {@link parsePthObject} into a flat state dict.
 *
 * @throws Error `"<label>: ..."` unless `value` is a dict whose keys are strings and whose
 *   values are all tensors.
 */
export function toStateDict(value: unknown, label = '<pth buffer>'): StateDict {
  if (!(value instanceof Map)) throw new Error(`${label}: top-level object is not a dict of tensors (got ${describe(value)})`);
  const out: StateDict = new Map();
  for (const [k, v] of value) {
    if (typeof k !== 'string' || !isRawTensor(v)) {
      throw new Error(
        `${label}: top-level dict is not a dict of tensors (entry ${describe(k)} is ${isRawTensor(v) ? 'a tensor under a non-string key' : describe(v)}); use readPthObject() for checkpoints that wrap a state dict`,
      );
    }
    out.set(k, v);
  }
  return out;
}

function readBytes(path: string): Uint8Array {
  try {
    return readFileSync(path);
  } catch (err) {
    throw new Error(`${path}: cannot read file (${(err as Error).message})`, { cause: err });
  }
}

/**
 * Reads a `.pth` checkpoint and returns its raw object tree (see {@link parsePthObject}),
 * e.g. `Map { 'model' => Map { ...tensors }, 'epoch' => 3 }`. Errors name `path`.
 */
export function readPthObject(path: string): unknown {
  return parsePthObject(readBytes(path), path);
}

/**
 * Reads a `.pth` checkpoint whose top-level object is a state dict (a dict of tensors),
 * such as `torch.save(model.state_dict(), path)`. Errors name `path`.
 */
export function readPth(path: string): StateDict {
  return toStateDict(readPthObject(path), path);
}
