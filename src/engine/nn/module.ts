/**
 * Module: a tree of named parameters, buffers and sub-modules with PyTorch's naming
 * (`block.0.conv.weight`), so state dicts interchange with PyTorch checkpoints.
 */
import { noGrad } from '../autograd.js';
import { keep } from '../scope.js';
import { Tensor } from '../tensor.js';
import { native } from '../native.js';
import type { RawTensor } from '../../tensor-io/index.js';

/** A module whose forward maps one tensor to one tensor (usable in {@link Sequential}). */
export interface UnaryModule extends Module {
  forward(x: Tensor): Tensor;
}

/** Error raised by {@link Module.loadStateDict} naming every problem key. */
export class StateDictError extends Error {
  override name = 'StateDictError';
}

/** A value loadable into a parameter or buffer: an engine tensor or a raw (deserialized) one. */
export type LoadableTensor = Tensor | RawTensor;

export abstract class Module {
  /** Training mode (dropout active, batch-norm uses batch statistics). */
  training = true;
  private readonly ownParams = new Map<string, Tensor>();
  private readonly ownBuffers = new Map<string, Tensor>();
  private readonly children = new Map<string, Module>();

  /** Registers a trainable tensor (kept alive, requires grad). */
  protected param(name: string, t: Tensor): Tensor {
    keep(t).requiresGrad_(true);
    this.ownParams.set(name, t);
    return t;
  }
  /** Registers a non-trainable state tensor (e.g. running statistics). */
  protected buffer(name: string, t: Tensor): Tensor {
    keep(t);
    this.ownBuffers.set(name, t);
    return t;
  }
  /** Registers a sub-module under `name`. */
  protected module<M extends Module>(name: string, m: M): M {
    this.children.set(name, m);
    return m;
  }

  /** Direct sub-modules with their names. */
  namedChildren(): [string, Module][] {
    return [...this.children];
  }
  /** All parameters with dotted names, depth-first in registration order. */
  namedParameters(prefix = ''): [string, Tensor][] {
    const out: [string, Tensor][] = [];
    for (const [n, p] of this.ownParams) out.push([prefix + n, p]);
    for (const [n, c] of this.children) out.push(...c.namedParameters(`${prefix}${n}.`));
    return out;
  }
  parameters(): Tensor[] {
    return this.namedParameters().map(([, p]) => p);
  }
  namedBuffers(prefix = ''): [string, Tensor][] {
    const out: [string, Tensor][] = [];
    for (const [n, b] of this.ownBuffers) out.push([prefix + n, b]);
    for (const [n, c] of this.children) out.push(...c.namedBuffers(`${prefix}${n}.`));
    return out;
  }
  /** Number of trainable scalars. */
  numParameters(): number {
    return this.parameters().reduce((s, p) => s + p.numel, 0);
  }
  /** Parameters and buffers by name (the tensors themselves, not copies). */
  stateDict(): Map<string, Tensor> {
    return new Map(this.namedState(''));
  }
  // PyTorch's state_dict order: own parameters, own buffers, then each child in turn.
  private namedState(prefix: string): [string, Tensor][] {
    const out: [string, Tensor][] = [];
    for (const [n, p] of this.ownParams) out.push([prefix + n, p]);
    for (const [n, b] of this.ownBuffers) out.push([prefix + n, b]);
    for (const [n, c] of this.children) out.push(...c.namedState(`${prefix}${n}.`));
    return out;
  }

  /**
   * Copies values into this module's parameters and buffers. With `strict`, missing and
   * unexpected keys are errors; a shape mismatch is always an error. Nothing is modified
   * unless every entry is valid.
   */
  loadStateDict(dict: Map<string, LoadableTensor>, strict = true): void {
    const own = new Map(this.namedState(''));
    const problems: string[] = [];
    for (const [name, t] of own) {
      const src = dict.get(name);
      if (src === undefined) {
        if (strict) problems.push(`missing key '${name}'`);
        continue;
      }
      const shape = src.shape;
      if (shape.join(',') !== t.shape.join(',')) problems.push(`'${name}': shape [${shape.join(', ')}] ≠ expected [${t.shape.join(', ')}]`);
    }
    if (strict) for (const name of dict.keys()) if (!own.has(name)) problems.push(`unexpected key '${name}'`);
    if (problems.length > 0) throw new StateDictError(`loadStateDict: ${problems.join('; ')}`);
    noGrad(() => {
      for (const [name, t] of own) {
        const src = dict.get(name);
        if (src === undefined) continue;
        if (src instanceof Tensor) {
          t.copy_(src);
        } else {
          const tmp = new Tensor(native.fromArray(src.data, src.shape, src.dtype));
          try {
            t.copy_(tmp);
          } finally {
            tmp.dispose();
          }
        }
      }
    });
  }

  /** Sets training mode on this module and all sub-modules. */
  train(mode = true): this {
    this.training = mode;
    for (const c of this.children.values()) c.train(mode);
    return this;
  }
  /** Evaluation mode (= train(false)). */
  eval(): this {
    return this.train(false);
  }
  /** Frees every parameter and buffer. */
  dispose(): void {
    for (const [, t] of [...this.namedParameters(), ...this.namedBuffers()]) t.dispose();
  }
}
