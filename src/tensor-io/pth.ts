/**
 * Reader for PyTorch `.pth` checkpoints in the zip format written by `torch.save` since
 * PyTorch 1.6: one top folder (any name) holding `data.pkl` (the object tree, pickled),
 * `data/<key>` (raw little-endian storages) and `version`; and in the legacy format before it
 * (many published 2019–2020 checkpoints): pickles one after another — a magic number, the
 * protocol version, the system info, the object tree, its storage keys — then each storage's
 * data (an int64 element count and the raw little-endian elements) in the keys' order.
 *
 * `data.pkl` is decoded by a small, closed pickle machine: it knows only the opcodes that
 * protocol-2 state dicts use and a fixed allow-list of globals (`OrderedDict`, tensor
 * rebuild functions, storage types). Nothing is ever executed; any other global or opcode
 * is rejected with an error naming the file, so a malicious checkpoint cannot run code.
 */
import { readFileSync } from 'node:fs';
import { unzipSync } from 'fflate';
import { OP, PyStorage, checkResult, describe, unpickle, unpickleAt, type Fail, type StorageLoader } from './pickle.js';
import {
  HALF_ITEM_SIZE,
  allocData,
  isRawTensor,
  itemSize,
  typedFromBytes,
  widenHalf,
  type DType,
  type HalfEncoding,
  type StateDict,
} from './raw.js';

/**
 * Decodes a `.pth` zip image into its object tree.
 *
 * @param bytes - the whole checkpoint file.
 * @param label - file name used in error messages.
 * @returns dicts as `Map`s (insertion order kept), lists as arrays, tuples as frozen
 *   arrays, ints as numbers (bigints beyond ±2^53), floats, strings, booleans, `null`,
 *   and tensors as {@link RawTensor}s (float → float32/64, Long → int64 `BigInt64Array`).
 * @throws Error `"<label>: <problem>"` for files in neither format, archives without a
 *   single `<folder>/data.pkl`, missing or short storages, and unsupported pickle
 *   opcodes or globals.
 */
export function parsePthObject(bytes: Uint8Array, label = '<pth buffer>'): unknown {
  const fail: Fail = (msg) => {
    throw new Error(`${label}: ${msg}`);
  };
  if (bytes[0] === OP.PROTO) return parseLegacy(bytes, fail);
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
    const storage = new PyStorage(key, dtype, storageValues(raw.subarray(0, need), dtype, half));
    storages.set(key, storage);
    return storage;
  };
  const result = unpickle(files[pkls[0]], fail, loadStorage);
  checkResult(result, fail);
  return result;
}

/** The first pickle of a legacy checkpoint, and the protocol version it declares. */
const LEGACY_MAGIC = 0x1950a86a20f9469cfc6cn;
const LEGACY_PROTOCOL = 1001;
/** Bytes of the element count before each legacy storage's data. */
const LEGACY_COUNT_BYTES = 8;

/** Storage values from raw little-endian bytes (16-bit floats widened; bools checked as 0/1). */
function storageValues(raw: Uint8Array, dtype: DType, half: HalfEncoding | undefined) {
  const values = half ? widenHalf(half, raw) : typedFromBytes(dtype, raw);
  if (dtype === 'bool') (values as Uint8Array).forEach((v, i, a) => (a[i] = v ? 1 : 0));
  return values;
}

/**
 * The legacy format. The object tree is unpickled twice: first on placeholder storages, to find
 * where it ends (the storage keys and data follow it), then on the storages read from there.
 */
function parseLegacy(bytes: Uint8Array, fail: Fail): unknown {
  const none: StorageLoader = () => fail('malformed legacy checkpoint: a storage outside the object tree');
  let pos = 0;
  const next = (load: StorageLoader): unknown => {
    const r = unpickleAt(bytes, pos, fail, load);
    pos = r.end;
    return r.value;
  };
  const magic = next(none);
  if (magic !== LEGACY_MAGIC) fail('not a PyTorch checkpoint (a pickle without the legacy magic number, and not a zip archive)');
  if (next(none) !== LEGACY_PROTOCOL) fail(`unsupported legacy protocol version (expected ${LEGACY_PROTOCOL})`);
  const info = next(none);
  if (info instanceof Map && info.get('little_endian') === false) fail('big-endian checkpoints are not supported');
  const treeStart = pos;
  const wanted = new Map<string, { dtype: DType; count: number; half?: HalfEncoding }>();
  next((key, dtype, count, half) => {
    wanted.set(key, { dtype, count, half });
    return new PyStorage(key, dtype, allocData(dtype, 0), true);
  });
  const keys = next(none);
  if (!Array.isArray(keys) || !keys.every((k) => typeof k === 'string')) fail('malformed legacy checkpoint: no list of storage keys');
  const storages = new Map<string, PyStorage>();
  for (const key of keys as string[]) {
    const want = wanted.get(key);
    if (!want) fail(`malformed legacy checkpoint: storage '${key}' is not used by the object tree`);
    if (pos + LEGACY_COUNT_BYTES > bytes.byteLength) fail(`storage '${key}' is missing (the file is truncated)`);
    const count = Number(new DataView(bytes.buffer, bytes.byteOffset + pos, LEGACY_COUNT_BYTES).getBigInt64(0, true));
    if (count !== want.count) fail(`storage '${key}' holds ${count} elements, but the object tree names ${want.count}`);
    const need = count * (want.half ? HALF_ITEM_SIZE : itemSize(want.dtype));
    const from = pos + LEGACY_COUNT_BYTES;
    if (from + need > bytes.byteLength)
      fail(`storage '${key}' holds ${bytes.byteLength - from} bytes, but ${count} ${want.half ?? want.dtype} elements need ${need}`);
    storages.set(key, new PyStorage(key, want.dtype, storageValues(bytes.subarray(from, from + need), want.dtype, want.half)));
    pos = from + need;
  }
  const missing = [...wanted.keys()].filter((k) => !storages.has(k));
  if (missing.length > 0) fail(`storage '${missing[0]}' is missing from the legacy checkpoint`);
  const result = unpickleAt(bytes, treeStart, fail, (key) => storages.get(key)!).value;
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
