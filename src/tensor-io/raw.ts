/**
 * Engine-independent tensor records used by the checkpoint readers and writers
 * (`safetensors.ts`, `pth.ts`). A {@link RawTensor} is plain data: a dtype, a shape and
 * a C-contiguous (row-major) typed array holding `product(shape)` values.
 */

/** Element types supported by the serializers. */
export type DType = 'float32' | 'float64' | 'int64' | 'int32' | 'bool';

/** Backing array of a tensor; `bool` is stored as a `Uint8Array` holding 0 or 1. */
export type TypedData = Float32Array | Float64Array | BigInt64Array | Int32Array | Uint8Array;

/** A dense tensor: `data` is C-contiguous and `data.length === numel(shape)`. */
export interface RawTensor {
  dtype: DType;
  shape: number[];
  data: TypedData;
}

/** Named tensors; the `Map` keeps insertion order, which the writers preserve. */
export type StateDict = Map<string, RawTensor>;

/** All supported dtypes, in a fixed order. */
export const DTYPES: readonly DType[] = ['float32', 'float64', 'int64', 'int32', 'bool'];

const ITEM_SIZE: Record<DType, number> = { float32: 4, float64: 8, int64: 8, int32: 4, bool: 1 };

/** Bytes per element of `dtype`. */
export function itemSize(dtype: DType): number {
  return ITEM_SIZE[dtype];
}

/** Number of elements of a tensor of this shape (1 for a 0-dim shape `[]`). */
export function numel(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** True when `shape` is a list of non-negative safe integers whose product is a safe integer. */
export function isValidShape(shape: unknown): shape is number[] {
  if (!Array.isArray(shape)) return false;
  let n = 1;
  for (const d of shape) {
    if (typeof d !== 'number' || !Number.isSafeInteger(d) || d < 0) return false;
    n *= d;
  }
  return Number.isSafeInteger(n);
}

/** Allocates a zero-filled typed array of `length` elements for `dtype`. */
export function allocData(dtype: DType, length: number): TypedData {
  switch (dtype) {
    case 'float32':
      return new Float32Array(length);
    case 'float64':
      return new Float64Array(length);
    case 'int64':
      return new BigInt64Array(length);
    case 'int32':
      return new Int32Array(length);
    case 'bool':
      return new Uint8Array(length);
  }
}

/** True when `data` is the typed-array class used for `dtype`. */
export function dataMatchesDType(dtype: DType, data: unknown): data is TypedData {
  switch (dtype) {
    case 'float32':
      return data instanceof Float32Array;
    case 'float64':
      return data instanceof Float64Array;
    case 'int64':
      return data instanceof BigInt64Array;
    case 'int32':
      return data instanceof Int32Array;
    case 'bool':
      return data instanceof Uint8Array;
  }
}

/**
 * Copies `byteLength` bytes of little-endian element data into a fresh, properly aligned
 * typed array of `dtype` (the source may sit at any byte offset). Bool bytes are kept
 * as-is; callers validate them.
 */
export function typedFromBytes(dtype: DType, bytes: Uint8Array): TypedData {
  assertLittleEndianHost();
  const size = itemSize(dtype);
  if (bytes.byteLength % size !== 0) {
    throw new Error(`${bytes.byteLength} bytes is not a whole number of ${dtype} elements`);
  }
  const out = allocData(dtype, bytes.byteLength / size);
  new Uint8Array(out.buffer, out.byteOffset, out.byteLength).set(bytes);
  return out;
}

/** A byte view (no copy) of a typed array's elements, little-endian on supported hosts. */
export function bytesOf(data: TypedData): Uint8Array {
  assertLittleEndianHost();
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}

/** True for an object shaped like a {@link RawTensor} with consistent dtype, shape and data. */
export function isRawTensor(value: unknown): value is RawTensor {
  if (typeof value !== 'object' || value === null) return false;
  const t = value as Partial<RawTensor>;
  return (
    typeof t.dtype === 'string' &&
    (DTYPES as readonly string[]).includes(t.dtype) &&
    isValidShape(t.shape) &&
    dataMatchesDType(t.dtype, t.data) &&
    t.data.length === numel(t.shape)
  );
}

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

function assertLittleEndianHost(): void {
  if (!LITTLE_ENDIAN) throw new Error('tensor serialization requires a little-endian host');
}

/** 16-bit float encodings that checkpoints store and the readers widen to float32 (no precision is lost). */
export type HalfEncoding = 'float16' | 'bfloat16';
/** Bytes per element of a {@link HalfEncoding}. */
export const HALF_ITEM_SIZE = 2;

/**
 * Widens little-endian IEEE half (`float16`) or brain-float (`bfloat16`) elements to float32,
 * exactly (every 16-bit value has a float32 twin), so checkpoints published at half precision
 * load into the float32 engine.
 */
export function widenHalf(encoding: HalfEncoding, bytes: Uint8Array): Float32Array {
  if (bytes.byteLength % HALF_ITEM_SIZE !== 0) throw new Error(`${bytes.byteLength} bytes is not a whole number of ${encoding} elements`);
  const n = bytes.byteLength / HALF_ITEM_SIZE;
  const out = new Float32Array(n);
  if (encoding === 'bfloat16') {
    // The upper half of a float32.
    const bits = new Uint32Array(out.buffer);
    for (let i = 0; i < n; i++) bits[i] = (bytes[2 * i] | (bytes[2 * i + 1] << 8)) << 16;
    return out;
  }
  for (let i = 0; i < n; i++) {
    const h = bytes[2 * i] | (bytes[2 * i + 1] << 8);
    const sign = h & 0x8000 ? -1 : 1;
    const exp = (h >> 10) & 0x1f;
    const mant = h & 0x3ff;
    out[i] =
      exp === 0
        ? sign * mant * 2 ** -24
        : exp === 0x1f
          ? mant
            ? Number.NaN
            : sign * Infinity
          : sign * (1 + mant / 1024) * 2 ** (exp - 15);
  }
  return out;
}
