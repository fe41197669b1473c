/**
 * The typed tensor API over the libtorch addon. A {@link Tensor} owns one native tensor; it is
 * freed by {@link Tensor.dispose}, by the enclosing {@link tidy} scope, or (last resort) by GC.
 */
import { native, type NativeTensor } from './native.js';
import { track, type Disposable } from './scope.js';

/** Element types supported by the engine. */
export type DType = 'float32' | 'float64' | 'int64' | 'int32' | 'bool' | 'uint8';
/** Typed arrays that map onto engine dtypes. */
export type TypedArray = Float32Array | Float64Array | BigInt64Array | Int32Array | Uint8Array;
/** A second operand: another tensor or a JS number (promoted like a Python scalar). */
export type Operand = Tensor | number;

/** Dims argument of reductions: one dim, several, or all when omitted. */
export type Dims = number | number[];

function h(o: Operand): NativeTensor | number {
  return typeof o === 'number' ? o : o.handle;
}

/** A libtorch tensor (CPU). Methods return new tensors unless their name ends in `_`. */
export class Tensor implements Disposable {
  /** The native handle (internal). */
  readonly handle: NativeTensor;
  kept = false;
  private shapeCache: number[] | undefined;

  /** Wraps a native handle and registers it with the current scope (internal). */
  constructor(handle: NativeTensor) {
    this.handle = handle;
    track(this);
  }

  /** Sizes of every dimension. */
  get shape(): number[] {
    this.shapeCache ??= this.handle.shape();
    return this.shapeCache.slice();
  }
  get dtype(): DType {
    return this.handle.dtype() as DType;
  }
  get ndim(): number {
    return this.handle.dim();
  }
  get numel(): number {
    return this.handle.numel();
  }
  /** Always 'cpu': the engine is built against CPU libtorch. */
  get device(): 'cpu' {
    return 'cpu';
  }
  get isDisposed(): boolean {
    return this.handle.disposed();
  }
  /** Frees the native memory now. Further use throws "tensor was already disposed". */
  dispose(): void {
    this.handle.dispose();
  }

  /** Copies the data out (C-contiguous). */
  toArray(): TypedArray {
    return this.handle.toArray();
  }
  /** Copies the data out as float32 (converting if needed). */
  toFloat32(): Float32Array {
    if (this.dtype === 'float32') return this.handle.toArray() as Float32Array;
    const c = this.to('float32');
    try {
      return c.handle.toArray() as Float32Array;
    } finally {
      c.dispose();
    }
  }
  /** The value of a one-element tensor. */
  item(): number {
    return Number(this.handle.item());
  }
  /** Nested JS arrays, for debugging and tests. */
  toNested(): unknown {
    const data = Array.from(this.toArray() as ArrayLike<number | bigint>, Number);
    const shape = this.shape;
    const build = (dim: number, offset: number): unknown => {
      if (dim === shape.length) return data[offset];
      const stride = shape.slice(dim + 1).reduce((a, b) => a * b, 1);
      return Array.from({ length: shape[dim] }, (_, i) => build(dim + 1, offset + i * stride));
    };
    return build(0, 0);
  }

  // ---- autograd ----
  get requiresGrad(): boolean {
    return this.handle.requiresGrad();
  }
  /** Sets requires_grad in place and returns this tensor. */
  requiresGrad_(flag = true): this {
    this.handle.setRequiresGrad(flag);
    return this;
  }
  /** The accumulated gradient, or null. A new handle each call (dispose it or use a scope). */
  get grad(): Tensor | null {
    const g = this.handle.grad();
    return g === null ? null : new Tensor(g);
  }
  set grad(g: Tensor | null) {
    this.handle.setGrad(g === null ? null : g.handle);
  }
  get isLeaf(): boolean {
    return this.handle.isLeaf();
  }
  retainGrad(): void {
    this.handle.retainGrad();
  }
  /** Back-propagates from this tensor (scalar unless `grad` is given). */
  backward(grad?: Tensor, opts: { retainGraph?: boolean; createGraph?: boolean } = {}): void {
    this.handle.backward(grad?.handle ?? null, opts.retainGraph ?? false, opts.createGraph ?? false);
  }
  detach(): Tensor {
    return new Tensor(native.detach(this.handle));
  }
  clone(): Tensor {
    return new Tensor(native.clone(this.handle));
  }

  // ---- element-wise ----
  add(o: Operand): Tensor {
    return new Tensor(native.add(this.handle, h(o)));
  }
  sub(o: Operand): Tensor {
    return new Tensor(native.sub(this.handle, h(o)));
  }
  mul(o: Operand): Tensor {
    return new Tensor(native.mul(this.handle, h(o)));
  }
  div(o: Operand): Tensor {
    return new Tensor(native.div(this.handle, h(o)));
  }
  pow(o: Operand): Tensor {
    return new Tensor(native.pow(this.handle, h(o)));
  }
  remainder(o: Operand): Tensor {
    return new Tensor(native.remainder(this.handle, h(o)));
  }
  maximum(o: Operand): Tensor {
    return new Tensor(native.maximum(this.handle, h(o)));
  }
  minimum(o: Operand): Tensor {
    return new Tensor(native.minimum(this.handle, h(o)));
  }
  eq(o: Operand): Tensor {
    return new Tensor(native.eq(this.handle, h(o)));
  }
  ne(o: Operand): Tensor {
    return new Tensor(native.ne(this.handle, h(o)));
  }
  lt(o: Operand): Tensor {
    return new Tensor(native.lt(this.handle, h(o)));
  }
  le(o: Operand): Tensor {
    return new Tensor(native.le(this.handle, h(o)));
  }
  gt(o: Operand): Tensor {
    return new Tensor(native.gt(this.handle, h(o)));
  }
  ge(o: Operand): Tensor {
    return new Tensor(native.ge(this.handle, h(o)));
  }
  logicalAnd(o: Tensor): Tensor {
    return new Tensor(native.logicalAnd(this.handle, o.handle));
  }
  logicalOr(o: Tensor): Tensor {
    return new Tensor(native.logicalOr(this.handle, o.handle));
  }
  clamp(min?: number, max?: number): Tensor {
    return new Tensor(native.clamp(this.handle, min ?? null, max ?? null));
  }
  maskedFill(mask: Tensor, value: number): Tensor {
    return new Tensor(native.maskedFill(this.handle, mask.handle, value));
  }
  neg(): Tensor {
    return this.unary('neg');
  }
  abs(): Tensor {
    return this.unary('abs');
  }
  exp(): Tensor {
    return this.unary('exp');
  }
  log(): Tensor {
    return this.unary('log');
  }
  log1p(): Tensor {
    return this.unary('log1p');
  }
  log10(): Tensor {
    return this.unary('log10');
  }
  sqrt(): Tensor {
    return this.unary('sqrt');
  }
  rsqrt(): Tensor {
    return this.unary('rsqrt');
  }
  square(): Tensor {
    return this.unary('square');
  }
  reciprocal(): Tensor {
    return this.unary('reciprocal');
  }
  sin(): Tensor {
    return this.unary('sin');
  }
  cos(): Tensor {
    return this.unary('cos');
  }
  tanh(): Tensor {
    return this.unary('tanh');
  }
  sigmoid(): Tensor {
    return this.unary('sigmoid');
  }
  relu(): Tensor {
    return this.unary('relu');
  }
  sign(): Tensor {
    return this.unary('sign');
  }
  floor(): Tensor {
    return this.unary('floor');
  }
  ceil(): Tensor {
    return this.unary('ceil');
  }
  round(): Tensor {
    return this.unary('round');
  }
  logicalNot(): Tensor {
    return this.unary('logicalNot');
  }
  isnan(): Tensor {
    return this.unary('isnan');
  }
  isfinite(): Tensor {
    return this.unary('isfinite');
  }
  softmax(dim = -1): Tensor {
    return new Tensor(native.softmax(this.handle, dim));
  }
  logSoftmax(dim = -1): Tensor {
    return new Tensor(native.logSoftmax(this.handle, dim));
  }
  private unary(op: string): Tensor {
    return new Tensor(native[op](this.handle));
  }

  // ---- in place (no autograd history wanted: use inside noGrad for parameters) ----
  add_(o: Operand, alpha = 1): this {
    native.add_(this.handle, h(o), alpha);
    return this;
  }
  mul_(o: Operand): this {
    native.mul_(this.handle, h(o));
    return this;
  }
  copy_(src: Tensor): this {
    native.copy_(this.handle, src.handle);
    return this;
  }
  fill_(value: number): this {
    native.fill_(this.handle, value);
    return this;
  }
  zero_(): this {
    native.zero_(this.handle);
    return this;
  }
  uniform_(low: number, high: number): this {
    native.uniform_(this.handle, low, high);
    return this;
  }
  normal_(mean = 0, std = 1): this {
    native.normal_(this.handle, mean, std);
    return this;
  }

  // ---- reductions ----
  sum(dims?: Dims, keepdim = false): Tensor {
    return new Tensor(native.sum(this.handle, dims ?? null, keepdim));
  }
  mean(dims?: Dims, keepdim = false): Tensor {
    return new Tensor(native.mean(this.handle, dims ?? null, keepdim));
  }
  amax(dims: Dims, keepdim = false): Tensor {
    return new Tensor(native.amax(this.handle, dims, keepdim));
  }
  amin(dims: Dims, keepdim = false): Tensor {
    return new Tensor(native.amin(this.handle, dims, keepdim));
  }
  /** Max over all elements. */
  max(): Tensor {
    return new Tensor(native.amax(this.handle, [], false));
  }
  /** Min over all elements. */
  min(): Tensor {
    return new Tensor(native.amin(this.handle, [], false));
  }
  /** Values and indices of the max along `dim`. */
  maxDim(dim: number, keepdim = false): [Tensor, Tensor] {
    const [v, i] = native.maxDim(this.handle, dim, keepdim) as NativeTensor[];
    return [new Tensor(v), new Tensor(i)];
  }
  logsumexp(dims: Dims, keepdim = false): Tensor {
    return new Tensor(native.logsumexp(this.handle, dims, keepdim));
  }
  /** Variance (unbiased by default, as torch). */
  var(dims?: Dims, unbiased = true, keepdim = false): Tensor {
    return new Tensor(native.var(this.handle, dims ?? null, unbiased, keepdim));
  }
  std(dims?: Dims, unbiased = true, keepdim = false): Tensor {
    return new Tensor(native.std(this.handle, dims ?? null, unbiased, keepdim));
  }
  argmax(dim?: number, keepdim = false): Tensor {
    return new Tensor(native.argmax(this.handle, dim ?? null, keepdim));
  }
  argmin(dim?: number, keepdim = false): Tensor {
    return new Tensor(native.argmin(this.handle, dim ?? null, keepdim));
  }
  norm(p = 2, dims?: Dims, keepdim = false): Tensor {
    return new Tensor(native.norm(this.handle, p, dims ?? null, keepdim));
  }
  cumsum(dim: number): Tensor {
    return new Tensor(native.cumsum(this.handle, dim));
  }
  all(): boolean {
    return this.reduceBool('all');
  }
  any(): boolean {
    return this.reduceBool('any');
  }
  private reduceBool(op: 'all' | 'any'): boolean {
    const r: NativeTensor = native[op](this.handle);
    try {
      return Boolean(r.item());
    } finally {
      r.dispose();
    }
  }

  // ---- linear algebra ----
  matmul(o: Tensor): Tensor {
    return new Tensor(native.matmul(this.handle, o.handle));
  }

  // ---- shape ----
  reshape(shape: number[]): Tensor {
    return new Tensor(native.reshape(this.handle, shape));
  }
  view(shape: number[]): Tensor {
    return new Tensor(native.view(this.handle, shape));
  }
  permute(dims: number[]): Tensor {
    return new Tensor(native.permute(this.handle, dims));
  }
  transpose(d0: number, d1: number): Tensor {
    return new Tensor(native.transpose(this.handle, d0, d1));
  }
  squeeze(dim?: number): Tensor {
    return new Tensor(native.squeeze(this.handle, dim ?? null));
  }
  unsqueeze(dim: number): Tensor {
    return new Tensor(native.unsqueeze(this.handle, dim));
  }
  flatten(startDim = 0, endDim = -1): Tensor {
    return new Tensor(native.flatten(this.handle, startDim, endDim));
  }
  expand(shape: number[]): Tensor {
    return new Tensor(native.expand(this.handle, shape));
  }
  repeat(times: number[]): Tensor {
    return new Tensor(native.repeat(this.handle, times));
  }
  narrow(dim: number, start: number, length: number): Tensor {
    return new Tensor(native.narrow(this.handle, dim, start, length));
  }
  /** Python-style `x[..., start:end:step, ...]` along `dim` (negative indices count from the end). */
  slice(dim: number, start?: number, end?: number, step = 1): Tensor {
    return new Tensor(native.slice(this.handle, dim, start ?? null, end ?? null, step));
  }
  /** Removes `dim` by taking element `index` of it. */
  select(dim: number, index: number): Tensor {
    return new Tensor(native.select(this.handle, dim, index));
  }
  indexSelect(dim: number, index: Tensor): Tensor {
    return new Tensor(native.indexSelect(this.handle, dim, index.handle));
  }
  gather(dim: number, index: Tensor): Tensor {
    return new Tensor(native.gather(this.handle, dim, index.handle));
  }
  /** Advanced indexing `x[i0, i1, ...]`; null keeps a dimension whole. */
  index(indices: (Tensor | null)[]): Tensor {
    return new Tensor(
      native.index(
        this.handle,
        indices.map((t) => (t === null ? null : t.handle)),
      ),
    );
  }
  flip(dims: number[]): Tensor {
    return new Tensor(native.flip(this.handle, dims));
  }
  contiguous(): Tensor {
    return new Tensor(native.contiguous(this.handle));
  }
  /** Converts to another dtype (a copy). */
  to(dtype: DType): Tensor {
    return new Tensor(native.to(this.handle, dtype));
  }
  /** Exact equality of shape and values. */
  equal(o: Tensor): boolean {
    return native.equal(this.handle, o.handle) as boolean;
  }
  allclose(o: Tensor, rtol = 1e-5, atol = 1e-8): boolean {
    return native.allclose(this.handle, o.handle, rtol, atol) as boolean;
  }
  toString(): string {
    return this.isDisposed ? 'Tensor(<disposed>)' : `Tensor(${this.dtype}[${this.shape.join(', ')}])`;
  }
}
