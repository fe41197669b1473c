/**
 * Optimizers (Adam, AdamW, SGD with momentum) run by libtorch's C++ implementations, and
 * learning-rate schedulers (cosine, step, reduce-on-plateau) written here in TypeScript.
 */
import { native, type NativeOptimizer } from './native.js';
import { Tensor } from './tensor.js';

/** One parameter's optimizer state (moments, momentum buffer) with its step count. */
export interface ParamState {
  step: number;
  buffers: Record<string, Tensor>;
}

/** What training loops, schedulers and checkpoints use of an optimizer. */
export interface OptimizerLike {
  readonly params: Tensor[];
  step(): void;
  zeroGrad(): void;
  /** The learning rate (of the first group, for {@link GroupedOptimizer}). */
  lr: number;
  getState(): (ParamState | null)[];
  setState(state: (ParamState | null)[]): void;
}

/** Base optimizer over a fixed list of parameters. */
export class Optimizer implements OptimizerLike {
  private readonly impl: NativeOptimizer;
  constructor(
    readonly kind: 'adam' | 'adamw' | 'sgd',
    readonly params: Tensor[],
    options: Record<string, number | boolean>,
  ) {
    if (params.length === 0) throw new Error(`${kind}: no parameters to optimize`);
    this.impl = new native.Optimizer(
      kind,
      params.map((p) => p.handle),
      options,
    );
  }
  /** Applies one update from the parameters' current gradients. */
  step(): void {
    this.impl.step();
  }
  /** Clears gradients (sets them to none). */
  zeroGrad(): void {
    this.impl.zeroGrad();
  }
  get lr(): number {
    return this.impl.lr();
  }
  set lr(v: number) {
    this.impl.setLr(v);
  }
  /** Copies of the per-parameter state (null before the first step), for checkpoints. */
  getState(): (ParamState | null)[] {
    return this.impl
      .getState()
      .map((s) =>
        s === null ? null : { step: s.step, buffers: Object.fromEntries(Object.entries(s.buffers).map(([k, h]) => [k, new Tensor(h)])) },
      );
  }
  /** Restores state saved by {@link getState} (shapes are checked). */
  setState(state: (ParamState | null)[]): void {
    this.impl.setState(
      state.map((s) =>
        s === null ? null : { step: s.step, buffers: Object.fromEntries(Object.entries(s.buffers).map(([k, t]) => [k, t.handle])) },
      ),
    );
  }
}

/**
 * Optimizers over groups of parameters with their own learning rates (e.g. a pretrained
 * backbone at a tenth of the head's), stepped together. The lr of the whole is the first
 * group's; setting it scales every group by the same factor, so a schedule moves them all.
 * Written here rather than as libtorch parameter groups so the addon keeps one optimizer type.
 */
export class GroupedOptimizer implements OptimizerLike {
  readonly params: Tensor[];
  private readonly ratios: number[];
  constructor(private readonly groups: Optimizer[]) {
    if (groups.length === 0) throw new Error('GroupedOptimizer: no groups');
    this.params = groups.flatMap((g) => g.params);
    this.ratios = groups.map((g) => g.lr / groups[0].lr);
  }
  step(): void {
    for (const g of this.groups) g.step();
  }
  zeroGrad(): void {
    for (const g of this.groups) g.zeroGrad();
  }
  get lr(): number {
    return this.groups[0].lr;
  }
  set lr(v: number) {
    this.groups.forEach((g, i) => (g.lr = v * this.ratios[i]));
  }
  /** The groups' states in parameter order (the groups' order). */
  getState(): (ParamState | null)[] {
    return this.groups.flatMap((g) => g.getState());
  }
  setState(state: (ParamState | null)[]): void {
    let at = 0;
    for (const g of this.groups) {
      g.setState(state.slice(at, at + g.params.length));
      at += g.params.length;
    }
  }
}

export interface AdamOptions {
  lr?: number;
  betas?: [number, number];
  eps?: number;
  weightDecay?: number;
  amsgrad?: boolean;
}
const adamOpts = (o: AdamOptions, wd: number) => ({
  lr: o.lr ?? 1e-3,
  beta1: o.betas?.[0] ?? 0.9,
  beta2: o.betas?.[1] ?? 0.999,
  eps: o.eps ?? 1e-8,
  weightDecay: o.weightDecay ?? wd,
  amsgrad: o.amsgrad ?? false,
});

/** Adam (L2 weight decay added to the gradient, as torch.optim.Adam). */
export class Adam extends Optimizer {
  constructor(params: Tensor[], o: AdamOptions = {}) {
    super('adam', params, adamOpts(o, 0));
  }
}
/** AdamW (decoupled weight decay, default 0.01, as torch.optim.AdamW). */
export class AdamW extends Optimizer {
  constructor(params: Tensor[], o: AdamOptions = {}) {
    super('adamw', params, adamOpts(o, 1e-2));
  }
}
export interface SgdOptions {
  lr: number;
  momentum?: number;
  dampening?: number;
  weightDecay?: number;
  nesterov?: boolean;
}
/** Stochastic gradient descent with optional (Nesterov) momentum. */
export class SGD extends Optimizer {
  constructor(params: Tensor[], o: SgdOptions) {
    super('sgd', params, {
      lr: o.lr,
      momentum: o.momentum ?? 0,
      dampening: o.dampening ?? 0,
      weightDecay: o.weightDecay ?? 0,
      nesterov: o.nesterov ?? false,
    });
  }
}

/** A learning-rate schedule. Call step() once per epoch (after the optimizer's steps). */
export interface LrScheduler {
  step(metric?: number): void;
  /** Serializable progress, for resuming. */
  state(): Record<string, number>;
  restore(s: Record<string, number>): void;
}

/**
 * Cosine annealing from the initial lr to `etaMin` over `tMax` epochs (torch's closed form);
 * it then stays at `etaMin` (torch's formula would rise again after tMax).
 */
export class CosineAnnealingLR implements LrScheduler {
  private epoch = 0;
  private readonly baseLr: number;
  constructor(
    private readonly opt: OptimizerLike,
    private readonly tMax: number,
    private readonly etaMin = 0,
  ) {
    if (!(tMax > 0)) throw new Error(`CosineAnnealingLR: tMax must be > 0, got ${tMax}`);
    this.baseLr = opt.lr;
  }
  step(): void {
    this.epoch++;
    const t = Math.min(this.epoch, this.tMax);
    this.opt.lr = this.etaMin + ((this.baseLr - this.etaMin) * (1 + Math.cos((Math.PI * t) / this.tMax))) / 2;
  }
  state(): Record<string, number> {
    return { epoch: this.epoch };
  }
  restore(s: Record<string, number>): void {
    this.epoch = s.epoch - 1;
    this.step();
  }
}

/** Multiplies the lr by `gamma` every `stepSize` epochs. */
export class StepLR implements LrScheduler {
  private epoch = 0;
  private readonly baseLr: number;
  constructor(
    private readonly opt: OptimizerLike,
    private readonly stepSize: number,
    private readonly gamma = 0.1,
  ) {
    if (!(stepSize >= 1)) throw new Error(`StepLR: stepSize must be ≥ 1, got ${stepSize}`);
    this.baseLr = opt.lr;
  }
  step(): void {
    this.epoch++;
    this.opt.lr = this.baseLr * this.gamma ** Math.floor(this.epoch / this.stepSize);
  }
  state(): Record<string, number> {
    return { epoch: this.epoch };
  }
  restore(s: Record<string, number>): void {
    this.epoch = s.epoch - 1;
    this.step();
  }
}

export interface PlateauOptions {
  /** 'max' for metrics that should rise (accuracy), 'min' for losses. */
  mode?: 'min' | 'max';
  factor?: number;
  patience?: number;
  /** Relative improvement needed to count as better. */
  threshold?: number;
  cooldown?: number;
  minLr?: number;
}

/** Reduces the lr by `factor` when the metric has not improved for `patience` epochs. */
export class ReduceLROnPlateau implements LrScheduler {
  private best: number;
  private badEpochs = 0;
  private cooldownLeft = 0;
  private readonly o: Required<PlateauOptions>;
  constructor(
    private readonly opt: OptimizerLike,
    o: PlateauOptions = {},
  ) {
    this.o = { mode: 'min', factor: 0.1, patience: 10, threshold: 1e-4, cooldown: 0, minLr: 0, ...o };
    if (!(this.o.factor > 0 && this.o.factor < 1)) throw new Error(`ReduceLROnPlateau: factor must be in (0, 1), got ${this.o.factor}`);
    this.best = this.o.mode === 'min' ? Infinity : -Infinity;
  }
  step(metric?: number): void {
    if (metric === undefined || !Number.isFinite(metric)) throw new Error('ReduceLROnPlateau.step: a finite metric value is required');
    const better = this.o.mode === 'min' ? metric < this.best * (1 - this.o.threshold) : metric > this.best * (1 + this.o.threshold);
    if (better) {
      this.best = metric;
      this.badEpochs = 0;
    } else {
      this.badEpochs++;
    }
    if (this.cooldownLeft > 0) {
      this.cooldownLeft--;
      this.badEpochs = 0;
    }
    if (this.badEpochs > this.o.patience) {
      this.opt.lr = Math.max(this.opt.lr * this.o.factor, this.o.minLr);
      this.cooldownLeft = this.o.cooldown;
      this.badEpochs = 0;
    }
  }
  state(): Record<string, number> {
    return { best: this.best, badEpochs: this.badEpochs, cooldownLeft: this.cooldownLeft, lr: this.opt.lr };
  }
  restore(s: Record<string, number>): void {
    this.best = s.best;
    this.badEpochs = s.badEpochs;
    this.cooldownLeft = s.cooldownLeft;
    this.opt.lr = s.lr;
  }
}
