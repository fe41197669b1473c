/**
 * The common contract of the SER models ({@link SerModel}), their base class, input validation and
 * the default training loss. Every model is an `nn.Module` with PyTorch-style parameter names.
 */
import { z } from 'zod';
import { F, nn, tensor, type Tensor } from '../../engine/index.js';

/**
 * What a model consumes (batch dim first):
 * - `frames`: [N, T, D] frame features (log-mel, MFCC), T frames of D dims; optional int64 `lengths` [N]
 *   (valid frames per example; padding is masked out of every pooling).
 * - `image`: [N, C, F, T] spectrogram segments (C channels, F frequency bins, T frames).
 * - `vector`: [N, D] utterance functionals (eGeMAPS and the like).
 * - `layers`: [N, L, T, D] hidden states of L backbone layers (Trust-SER); optional `lengths` as `frames`.
 */
export type InputKind = 'frames' | 'image' | 'vector' | 'layers';

/** Options of the default cross-entropy loss. */
export interface LossOptions {
  /** Per-class weights [numClasses] (default: all 1). */
  classWeights?: number[];
  /** Label smoothing ε in [0, 1) (default 0). */
  labelSmoothing?: number;
}

/** Summary of a model for logs and reports. */
export interface ModelDescription {
  name: string;
  /** Number of trainable scalars. */
  params: number;
  inputKind: InputKind;
  /** The resolved configuration (defaults filled in) and input geometry. */
  config: Record<string, unknown>;
}

/** A speech-emotion classifier. */
export interface SerModel extends nn.Module {
  readonly inputKind: InputKind;
  readonly numClasses: number;
  /**
   * Per-example input geometry without batch and time: frames [D], layers [L, D], vector [D],
   * image [C, F, T] (T = the nominal segment length in frames).
   */
  readonly inputShape: readonly number[];
  /** Emotion logits [N, numClasses]. */
  forward(x: Tensor, lengths?: Tensor | null): Tensor;
  /** Utterance embedding [N, embedDim] (the penultimate layer; used by privacy probes and emotion-aware AASIST). */
  embed(x: Tensor, lengths?: Tensor | null): Tensor;
  readonly embedDim: number;
  /** The training loss for this model's logits and int64 class targets [N] (target −100 = ignored). */
  lossFn(logits: Tensor, targets: Tensor): Tensor;
  /**
   * Multiply-accumulates for one example of the given shape (no batch dim: frames [T, D],
   * layers [L, T, D], image [C, F, T], vector [D]); see `countMacs` for the counting rules.
   */
  macs(exampleShape: readonly number[]): number;
  describe(): ModelDescription;
  /**
   * Fits, before training, what the model takes from standardized inputs `[N, D]` of speakers it does
   * not train on (dev) and, when the run augments, of the augmented training copies (the channels it trains on).
   */
  fitOnDevInputs?(dev: Tensor, augmented: Tensor | null): void;
}

/** The target value that every loss ignores (as PyTorch's `ignore_index`). */
export const IGNORE_INDEX = -100;

/** zod fields shared by every model config (the loss options). */
export const lossConfigShape = {
  classWeights: z.array(z.number().nonnegative()).min(1).optional(),
  labelSmoothing: z.number().min(0).lt(1).optional(),
};

/**
 * Cross-entropy over logits [N, C] and int64 targets [N]; targets equal to −100 are ignored and a
 * batch with no valid target gives 0 (not NaN).
 */
export function crossEntropyLoss(logits: Tensor, targets: Tensor, o: LossOptions = {}): Tensor {
  const valid = targets.ne(IGNORE_INDEX).sum().item();
  if (valid === 0) return logits.sum().mul(0).abs(); // a graph-connected +0
  const weight = o.classWeights ? tensor(Float32Array.from(o.classWeights)) : null;
  return F.crossEntropy(logits, targets, { weight, labelSmoothing: o.labelSmoothing ?? 0, ignoreIndex: IGNORE_INDEX });
}

/** Throws `${model}: ${message}`. */
export function fail(model: string, message: string): never {
  throw new Error(`${model}: ${message}`);
}

/** Checks that `v` is a positive integer (named `field` in the error). */
export function positiveInt(model: string, field: string, v: number): number {
  if (!Number.isInteger(v) || v < 1) fail(model, `${field} must be a positive integer, got ${v}`);
  return v;
}

/** Base class: input checks, the default loss, `describe()`. */
export abstract class SerModelBase extends nn.Module implements SerModel {
  abstract readonly inputKind: InputKind;
  abstract readonly embedDim: number;
  /** Options of {@link lossFn}; the trainer may set class weights here after construction. */
  lossOptions: LossOptions;

  /**
   * @param modelName registry name (e.g. 'cnn-lstm'), used in errors and `describe()`
   */
  constructor(
    readonly modelName: string,
    readonly numClasses: number,
    readonly inputShape: readonly number[],
    loss: LossOptions = {},
  ) {
    super();
    this.lossOptions = { ...loss };
    const name = modelName;
    // One output is a regression of one attribute (dimensional runs); classifiers have ≥ 2.
    positiveInt(name, 'numClasses', numClasses);
    if (loss.classWeights && loss.classWeights.length !== numClasses) {
      fail(name, `classWeights has ${loss.classWeights.length} entries, expected numClasses = ${numClasses}`);
    }
  }

  abstract forward(x: Tensor, lengths?: Tensor | null): Tensor;
  abstract embed(x: Tensor, lengths?: Tensor | null): Tensor;
  abstract macs(exampleShape: readonly number[]): number;
  /** The model-specific part of the resolved configuration. */
  protected abstract config(): Record<string, unknown>;

  lossFn(logits: Tensor, targets: Tensor): Tensor {
    return crossEntropyLoss(logits, targets, this.lossOptions);
  }

  describe(): ModelDescription {
    return {
      name: this.modelName,
      params: this.numParameters(),
      inputKind: this.inputKind,
      config: { inputShape: [...this.inputShape], numClasses: this.numClasses, ...this.config(), ...this.lossOptions },
    };
  }

  /**
   * Validates `x` against this model's input kind and geometry and returns the valid lengths as
   * numbers (null when `lengths` is absent or the kind has no time axis).
   */
  protected checkInput(x: Tensor, lengths?: Tensor | null): number[] | null {
    const expect = EXPECTED_DIMS[this.inputKind];
    const fixed = this.inputKind === 'image' ? this.inputShape.slice(0, 1) : this.inputShape;
    const got = x.shape;
    const tail = this.inputKind === 'layers' ? [got[1], got[3]] : this.inputKind === 'image' ? [got[1]] : got.slice(-1);
    if (x.ndim !== expect.ndim || tail.join(',') !== fixed.join(',')) {
      fail(
        this.modelName,
        `expected ${this.inputKind} input ${expect.layout} with ${describeFixed(this.inputKind, fixed)}, got [${got.join(', ')}]`,
      );
    }
    if (lengths === undefined || lengths === null || expect.timeDim === null) return null;
    const t = got[expect.timeDim];
    if (lengths.ndim !== 1 || lengths.shape[0] !== got[0])
      fail(this.modelName, `lengths must be [N] = [${got[0]}], got [${lengths.shape.join(', ')}]`);
    const lens = Array.from(lengths.toArray() as ArrayLike<number | bigint>, Number);
    for (const l of lens)
      if (!Number.isInteger(l) || l < 1 || l > t) fail(this.modelName, `lengths must lie in [1, ${t}] frames, got ${l}`);
    return lens;
  }
}

const EXPECTED_DIMS: Record<InputKind, { ndim: number; layout: string; timeDim: number | null }> = {
  frames: { ndim: 3, layout: '[N, T, D]', timeDim: 1 },
  layers: { ndim: 4, layout: '[N, L, T, D]', timeDim: 2 },
  image: { ndim: 4, layout: '[N, C, F, T]', timeDim: null },
  vector: { ndim: 2, layout: '[N, D]', timeDim: null },
};

function describeFixed(kind: InputKind, fixed: readonly number[]): string {
  if (kind === 'layers') return `L = ${fixed[0]}, D = ${fixed[1]}`;
  if (kind === 'image') return `C = ${fixed[0]}`;
  return `D = ${fixed[0]}`;
}
