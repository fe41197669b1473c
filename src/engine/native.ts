/**
 * Loads the libtorch addon (native/). Internal: the rest of the toolkit uses the typed
 * {@link Tensor} API instead of these untyped bindings.
 */
import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../core/index.js';

/** The addon's tensor handle (see native/src/tensor.cc). */
export interface NativeTensor {
  shape(): number[];
  dtype(): string;
  numel(): number;
  dim(): number;
  toArray(): Float32Array | Float64Array | BigInt64Array | Int32Array | Uint8Array;
  item(): number | boolean;
  dispose(): void;
  disposed(): boolean;
  requiresGrad(): boolean;
  setRequiresGrad(flag: boolean): NativeTensor;
  grad(): NativeTensor | null;
  setGrad(g: NativeTensor | null): void;
  backward(grad?: NativeTensor | null, retainGraph?: boolean, createGraph?: boolean): void;
  isLeaf(): boolean;
  retainGrad(): void;
  nbytes(): number;
}

/** The addon's optimizer handle (see native/src/optim.cc). */
export interface NativeOptimizer {
  step(): void;
  zeroGrad(): void;
  setLr(lr: number): void;
  lr(): number;
  getState(): (null | { step: number; buffers: Record<string, NativeTensor> })[];
  setState(state: (null | { step: number; buffers: Record<string, NativeTensor> })[]): void;
}

// The op functions are many and uniform (tensors, numbers, arrays in; tensors out); their typed
// faces live in tensor.ts and functional.ts, so the raw table is typed loosely here.
// biome-ignore lint/suspicious/noExplicitAny: the untyped native op table (typed faces above)
type OpTable = Record<string, (...args: any[]) => any>;

export type NativeBinding = OpTable & {
  Optimizer: new (kind: string, params: NativeTensor[], opts: Record<string, number | boolean>) => NativeOptimizer;
};

function load(): NativeBinding {
  // OpenBLAS spawns its own thread pool unless told otherwise; with libtorch's OpenMP threads on
  // top, the two oversubscribe the cores (measured: LSTMs slow down). Must be set before dlopen.
  process.env.OPENBLAS_NUM_THREADS ??= '1';
  const path = join(packageRoot(), 'native', 'build', 'Release', 'trustser_torch.node');
  if (!existsSync(path)) {
    throw new Error(
      `trustser: the libtorch addon is not built (${path} missing); run 'npm run build:native' (needs 'apt-get install libtorch-dev' or LIBTORCH=/path/to/libtorch)`,
    );
  }
  const require = createRequire(import.meta.url);
  return require(path) as NativeBinding;
}

/** The loaded addon. */
export const native: NativeBinding = load();
