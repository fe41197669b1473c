/**
 * Reader and writer for the safetensors format:
 *
 * ```text
 * [u64 little-endian N][N bytes of UTF-8 JSON header, space-padded][byte buffer]
 * ```
 *
 * The header maps each tensor name to `{"dtype", "shape", "data_offsets": [begin, end]}`
 * (offsets relative to the byte buffer) and may hold a `"__metadata__"` string→string map.
 * Tensors tile the byte buffer exactly: no gaps, no overlaps, no trailing bytes.
 * The dtypes of {@link DType} are read and written (`F32`, `F64`, `I64`, `I32`, `BOOL`); `F16` and
 * `BF16` are read, widened to float32.
 */
import { readFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { writeFileAtomic, writeFileAtomicSync } from '../core/index.js';
import {
  bytesOf,
  dataMatchesDType,
  isValidShape,
  itemSize,
  numel,
  typedFromBytes,
  HALF_ITEM_SIZE,
  widenHalf,
  type DType,
  type HalfEncoding,
  type RawTensor,
  type StateDict,
} from './raw.js';

/** Result of parsing a safetensors file. */
export interface SafetensorsContents {
  /** Tensors in the order their data is laid out in the file. */
  tensors: StateDict;
  /** The `__metadata__` map (empty when absent). */
  metadata: Record<string, string>;
}

const METADATA_KEY = '__metadata__';
const CODE_OF: Record<DType, string> = { float32: 'F32', float64: 'F64', int64: 'I64', int32: 'I32', bool: 'BOOL' };
const DTYPE_OF: Record<string, DType> = { F32: 'float32', F64: 'float64', I64: 'int64', I32: 'int32', BOOL: 'bool' };
/** 16-bit float codes, read widened to float32 (never written). */
const HALF_OF: Record<string, HalfEncoding> = { F16: 'float16', BF16: 'bfloat16' };

/**
 * Encodes tensors (in `dict` insertion order, back to back) and optional metadata as a
 * safetensors file image.
 *
 * @throws Error when a tensor's data does not match its dtype/shape, a name is
 *   `__metadata__`, or a metadata value is not a string.
 */
export function serializeSafetensors(dict: StateDict, metadata?: Record<string, string>): Uint8Array {
  // Null prototype: a tensor named `__proto__` must become a plain key, not a prototype.
  const header: Record<string, unknown> = Object.create(null);
  if (metadata !== undefined) {
    for (const [k, v] of Object.entries(metadata)) {
      if (typeof v !== 'string') throw new Error(`safetensors metadata '${k}' must be a string`);
    }
    header[METADATA_KEY] = { ...metadata };
  }
  let offset = 0;
  for (const [name, t] of dict) {
    if (name === METADATA_KEY) throw new Error(`tensor name '${METADATA_KEY}' is reserved in safetensors`);
    checkTensor(name, t);
    const size = t.data.byteLength;
    header[name] = { dtype: CODE_OF[t.dtype], shape: [...t.shape], data_offsets: [offset, offset + size] };
    offset += size;
  }
  const json = new TextEncoder().encode(JSON.stringify(header));
  const headerLen = Math.ceil(json.byteLength / 8) * 8;
  const out = new Uint8Array(8 + headerLen + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(headerLen), true);
  out.set(json, 8);
  out.fill(0x20, 8 + json.byteLength, 8 + headerLen);
  let pos = 8 + headerLen;
  for (const t of dict.values()) {
    out.set(bytesOf(t.data), pos);
    pos += t.data.byteLength;
  }
  return out;
}

function checkTensor(name: string, t: RawTensor): void {
  if (!(t.dtype in CODE_OF)) throw new Error(`tensor '${name}': unsupported dtype '${String(t.dtype)}'`);
  if (!isValidShape(t.shape)) throw new Error(`tensor '${name}': invalid shape ${JSON.stringify(t.shape)}`);
  if (!dataMatchesDType(t.dtype, t.data)) {
    throw new Error(`tensor '${name}': data is not the typed array for dtype ${t.dtype}`);
  }
  if (t.data.length !== numel(t.shape)) {
    throw new Error(`tensor '${name}': data has ${t.data.length} values, shape [${t.shape}] needs ${numel(t.shape)}`);
  }
}

/**
 * Parses and validates a safetensors file image, copying each tensor into its own
 * aligned typed array (the input buffer is not retained).
 *
 * @param bytes - the whole file.
 * @param fileLabel - file name used in error messages.
 * @throws Error `"<fileLabel>: <problem>"` for a short file, a header length beyond the
 *   file, invalid UTF-8/JSON, an unknown dtype, a bad shape, offsets that are out of range,
 *   overlapping, leave gaps or do not match shape × item size, non-0/1 bools, or
 *   truncated/trailing data.
 */
export function parseSafetensors(bytes: Uint8Array, fileLabel = '<safetensors buffer>'): SafetensorsContents {
  const fail = (msg: string): never => {
    throw new Error(`${fileLabel}: ${msg}`);
  };
  if (bytes.byteLength < 8) fail(`file is too short for a safetensors header (${bytes.byteLength} bytes)`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n = view.getBigUint64(0, true);
  if (n > BigInt(bytes.byteLength - 8)) {
    fail(`header length ${n} exceeds the file size (${bytes.byteLength} bytes); the file is truncated or not safetensors`);
  }
  const dataStart = 8 + Number(n);
  let header: unknown;
  try {
    const text = new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, dataStart));
    header = JSON.parse(text);
  } catch (err) {
    fail(`header is not valid UTF-8 JSON (${(err as Error).message})`);
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) fail('header is not a JSON object');
  const data = bytes.subarray(dataStart);
  const entries: { name: string; dtype: DType; half?: HalfEncoding; shape: number[]; begin: number; end: number }[] = [];
  let metadata: Record<string, string> = {};
  for (const [name, info] of Object.entries(header as Record<string, unknown>)) {
    if (name === METADATA_KEY) {
      metadata = parseMetadata(info, fail);
      continue;
    }
    if (typeof info !== 'object' || info === null) fail(`tensor '${name}': entry is not an object`);
    const { dtype: code, shape, data_offsets: offs } = info as Record<string, unknown>;
    const half = typeof code === 'string' && Object.hasOwn(HALF_OF, code) ? HALF_OF[code] : undefined;
    const dtype = half ? 'float32' : typeof code === 'string' && Object.hasOwn(DTYPE_OF, code) ? DTYPE_OF[code] : undefined;
    if (dtype === undefined) fail(`tensor '${name}': unknown or unsupported dtype ${JSON.stringify(code)}`);
    if (!isValidShape(shape)) fail(`tensor '${name}': invalid shape ${JSON.stringify(shape)}`);
    if (!Array.isArray(offs) || offs.length !== 2 || !offs.every((o) => Number.isSafeInteger(o) && o >= 0)) {
      fail(`tensor '${name}': invalid data_offsets ${JSON.stringify(offs)}`);
    }
    const [begin, end] = offs as [number, number];
    if (end < begin) fail(`tensor '${name}': data_offsets [${begin}, ${end}] end before they begin`);
    if (end > data.byteLength) {
      fail(`tensor '${name}': data_offsets [${begin}, ${end}] extend past the ${data.byteLength}-byte data buffer (truncated data)`);
    }
    const expected = numel(shape as number[]) * (half ? HALF_ITEM_SIZE : itemSize(dtype as DType));
    if (end - begin !== expected) {
      fail(`tensor '${name}': data_offsets [${begin}, ${end}] hold ${end - begin} bytes, but ${code} [${shape}] needs ${expected}`);
    }
    entries.push({ name, dtype: dtype as DType, half, shape: [...(shape as number[])], begin, end });
  }
  // Stable sort by position: recovers the layout (= writer's) order, zero-size tensors first on ties.
  entries.sort((a, b) => a.begin - b.begin || a.end - b.end);
  let cursor = 0;
  for (const e of entries) {
    if (e.begin < cursor)
      fail(`tensor '${e.name}': data_offsets [${e.begin}, ${e.end}] overlap the previous tensor (which ends at ${cursor})`);
    if (e.begin > cursor) fail(`tensor '${e.name}': gap in the data buffer before offset ${e.begin} (previous tensor ends at ${cursor})`);
    cursor = e.end;
  }
  if (cursor !== data.byteLength) fail(`data buffer has ${data.byteLength - cursor} trailing bytes not covered by any tensor`);
  const tensors: StateDict = new Map();
  for (const e of entries) {
    const bytesOfTensor = data.subarray(e.begin, e.end);
    const values = e.half ? widenHalf(e.half, bytesOfTensor) : typedFromBytes(e.dtype, bytesOfTensor);
    if (e.dtype === 'bool' && (values as Uint8Array).some((v) => v > 1))
      fail(`tensor '${e.name}': BOOL data holds a byte other than 0 or 1`);
    tensors.set(e.name, { dtype: e.dtype, shape: e.shape, data: values });
  }
  return { tensors, metadata };
}

function parseMetadata(info: unknown, fail: (msg: string) => never): Record<string, string> {
  if (typeof info !== 'object' || info === null || Array.isArray(info)) fail(`${METADATA_KEY} is not an object`);
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(info as Record<string, unknown>)) {
    if (typeof v !== 'string') fail(`${METADATA_KEY} value for '${k}' is not a string`);
    Object.defineProperty(out, k, { value: v, enumerable: true, writable: true, configurable: true });
  }
  return out;
}

/**
 * Serializes `dict` and writes it to `path` atomically (temporary file + rename), so a
 * failure never leaves a partial file behind.
 */
export async function saveSafetensors(path: string, dict: StateDict, metadata?: Record<string, string>): Promise<void> {
  await writeFileAtomic(path, serializeSafetensors(dict, metadata));
}

/** Synchronous variant of {@link saveSafetensors}. */
export function saveSafetensorsSync(path: string, dict: StateDict, metadata?: Record<string, string>): void {
  writeFileAtomicSync(path, serializeSafetensors(dict, metadata));
}

/**
 * Reads and parses a safetensors file; errors name `path`.
 *
 * @throws Error `"<path>: cannot read file (...)"` or any {@link parseSafetensors} error.
 */
export async function loadSafetensors(path: string): Promise<SafetensorsContents> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (err) {
    throw new Error(`${path}: cannot read file (${(err as Error).message})`, { cause: err });
  }
  return parseSafetensors(bytes, path);
}

/** Synchronous variant of {@link loadSafetensors}. */
export function loadSafetensorsSync(path: string): SafetensorsContents {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (err) {
    throw new Error(`${path}: cannot read file (${(err as Error).message})`, { cause: err });
  }
  return parseSafetensors(bytes, path);
}
