/** Tensor factories, joining, seeding and threading. */
import { native, type NativeTensor } from './native.js';
import { Tensor, type DType, type TypedArray } from './tensor.js';

function inferShape(data: unknown): number[] {
  const shape: number[] = [];
  let cur = data;
  while (Array.isArray(cur)) {
    shape.push(cur.length);
    cur = cur[0];
  }
  return shape;
}

function arrayFor(values: number[], dtype: DType): TypedArray {
  switch (dtype) {
    case 'float32':
      return Float32Array.from(values);
    case 'float64':
      return Float64Array.from(values);
    case 'int64':
      return BigInt64Array.from(values, (v) => BigInt(Math.trunc(v)));
    case 'int32':
      return Int32Array.from(values);
    case 'bool':
    case 'uint8':
      return Uint8Array.from(values, (v) => (dtype === 'bool' ? (v ? 1 : 0) : v));
  }
}

/**
 * Creates a tensor from a typed array (copied; dtype from the array type, Uint8Array as `bool`
 * when `dtype` says so) or from (nested) JS numbers (dtype default float32).
 * @param shape defaults to the nested-array shape, or `[length]` for flat data.
 */
export function tensor(data: TypedArray | number[] | number[][] | number[][][] | number, shape?: number[], dtype?: DType): Tensor {
  if (typeof data === 'number') return scalar(data, dtype ?? 'float32');
  if (Array.isArray(data)) {
    const s = shape ?? inferShape(data);
    const flat = (data as unknown[]).flat(Infinity as 1) as number[];
    const expected = s.reduce((a, b) => a * b, 1);
    if (flat.length !== expected) throw new Error(`tensor: ragged or mismatched data (${flat.length} values for shape [${s.join(', ')}])`);
    return new Tensor(native.fromArray(arrayFor(flat, dtype ?? 'float32'), s, dtype ?? 'float32'));
  }
  const s = shape ?? [data.length];
  const t = new Tensor(native.fromArray(data, s, dtype ?? (data instanceof Uint8Array ? 'uint8' : undefined)));
  if (dtype !== undefined && t.dtype !== dtype) {
    const c = t.to(dtype);
    t.dispose();
    return c;
  }
  return t;
}

/** A 0-dim tensor. */
export function scalar(value: number, dtype: DType = 'float32'): Tensor {
  return new Tensor(native.scalarTensor(value, dtype));
}
export function zeros(shape: number[], dtype: DType = 'float32'): Tensor {
  return new Tensor(native.zeros(shape, dtype));
}
export function ones(shape: number[], dtype: DType = 'float32'): Tensor {
  return new Tensor(native.ones(shape, dtype));
}
export function full(shape: number[], value: number, dtype: DType = 'float32'): Tensor {
  return new Tensor(native.full(shape, value, dtype));
}
export function zerosLike(t: Tensor): Tensor {
  return new Tensor(native.zerosLike(t.handle));
}
export function onesLike(t: Tensor): Tensor {
  return new Tensor(native.onesLike(t.handle));
}
export function randnLike(t: Tensor): Tensor {
  return new Tensor(native.randnLike(t.handle));
}
/** Values start, start+step, … below end (default dtype int64 as torch for integers, else float32). */
export function arange(start: number, end: number, step = 1, dtype?: DType): Tensor {
  const dt = dtype ?? (Number.isInteger(start) && Number.isInteger(end) && Number.isInteger(step) ? 'int64' : 'float32');
  return new Tensor(native.arange(start, end, step, dt));
}
export function linspace(start: number, end: number, steps: number, dtype: DType = 'float32'): Tensor {
  return new Tensor(native.linspace(start, end, steps, dtype));
}
export function eye(n: number, dtype: DType = 'float32'): Tensor {
  return new Tensor(native.eye(n, dtype));
}
/** Uniform [0, 1) samples from the engine's seeded generator. */
export function rand(shape: number[], dtype: DType = 'float32'): Tensor {
  return new Tensor(native.rand(shape, dtype));
}
/** Standard normal samples from the engine's seeded generator. */
export function randn(shape: number[], dtype: DType = 'float32'): Tensor {
  return new Tensor(native.randn(shape, dtype));
}
/** Integers in [low, high), int64. */
export function randint(low: number, high: number, shape: number[]): Tensor {
  return new Tensor(native.randint(low, high, shape));
}
/** A random permutation of 0..n-1, int64. */
export function randperm(n: number): Tensor {
  return new Tensor(native.randperm(n));
}
/** Bernoulli samples with per-element probabilities `p`. */
export function bernoulli(p: Tensor): Tensor {
  return new Tensor(native.bernoulli(p.handle));
}
export function cat(ts: Tensor[], dim = 0): Tensor {
  return new Tensor(
    native.cat(
      ts.map((t) => t.handle),
      dim,
    ),
  );
}
export function stack(ts: Tensor[], dim = 0): Tensor {
  return new Tensor(
    native.stack(
      ts.map((t) => t.handle),
      dim,
    ),
  );
}
function wrapList(hs: NativeTensor[]): Tensor[] {
  return hs.map((x) => new Tensor(x));
}
/** Splits into pieces of `size` along `dim` (the last may be smaller). */
export function split(t: Tensor, size: number, dim = 0): Tensor[] {
  return wrapList(native.split(t.handle, size, dim));
}
/** Splits into `chunks` nearly equal pieces along `dim`. */
export function chunk(t: Tensor, chunks: number, dim = 0): Tensor[] {
  return wrapList(native.chunk(t.handle, chunks, dim));
}
export function unbind(t: Tensor, dim = 0): Tensor[] {
  return wrapList(native.unbind(t.handle, dim));
}
/** Element-wise choice: `cond ? a : b`. */
export function where(cond: Tensor, a: Tensor | number, b: Tensor | number): Tensor {
  const hv = (x: Tensor | number) => (typeof x === 'number' ? x : x.handle);
  return new Tensor(native.where(cond.handle, hv(a), hv(b)));
}
/** `torch.einsum`. */
export function einsum(equation: string, ...ts: Tensor[]): Tensor {
  return new Tensor(
    native.einsum(
      equation,
      ts.map((t) => t.handle),
    ),
  );
}
export function outer(a: Tensor, b: Tensor): Tensor {
  return new Tensor(native.outer(a.handle, b.handle));
}
/** One-hot encoding of int64 class indices. */
export function oneHot(indices: Tensor, numClasses = -1): Tensor {
  return new Tensor(native.oneHot(indices.handle, numClasses));
}
export function tril(t: Tensor, diagonal = 0): Tensor {
  return new Tensor(native.tril(t.handle, diagonal));
}
export function triu(t: Tensor, diagonal = 0): Tensor {
  return new Tensor(native.triu(t.handle, diagonal));
}
export function scatter(t: Tensor, dim: number, index: Tensor, src: Tensor): Tensor {
  return new Tensor(native.scatter(t.handle, dim, index.handle, src.handle));
}
export function topk(t: Tensor, k: number, dim = -1, largest = true): [Tensor, Tensor] {
  const [v, i] = native.topk(t.handle, k, dim, largest, true) as NativeTensor[];
  return [new Tensor(v), new Tensor(i)];
}
export function sort(t: Tensor, dim = -1, descending = false): [Tensor, Tensor] {
  const [v, i] = native.sort(t.handle, dim, descending) as NativeTensor[];
  return [new Tensor(v), new Tensor(i)];
}

/** Seeds the engine's random generator (weights init, dropout, rand/randn). */
export function manualSeed(seed: number): void {
  native.manualSeed(seed);
}
/** Sets libtorch's intra-op thread count. */
export function setNumThreads(n: number): void {
  native.setNumThreads(n);
}
export function getNumThreads(): number {
  return native.getNumThreads() as number;
}
/** libtorch version and parallel backend description. */
export function engineInfo(): { torch: string; parallel: string } {
  return native.version() as { torch: string; parallel: string };
}
