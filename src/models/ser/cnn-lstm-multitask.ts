/**
 * `cnn-lstm-att-multitask`: the attention CNN-LSTM with extra gender and race heads on the shared
 * embedding (hard parameter sharing), trained with a weighted sum of cross-entropies in which
 * missing labels (target −100) are ignored.
 */
import { z } from 'zod';
import { F, nn, type Tensor } from '../../engine/index.js';
import { crossEntropyLoss, fail, type LossOptions } from './base.js';
import { CnnLstm, cnnLstmShape, type CnnLstmConfig } from './cnn-lstm.js';
import { linearMacs } from '../complexity.js';

/** Gender classes of the gender head. */
export const NUM_GENDERS = 2;
/** Default race classes (CREMA-D: African American, Asian, Caucasian, Unspecified). */
export const DEFAULT_NUM_RACES = 4;
/** Default task weights of {@link multitaskLoss}. */
export const DEFAULT_TASK_WEIGHTS = { emotion: 1, gender: 0.5, race: 0.5 } as const;

export interface TaskWeights {
  emotion?: number;
  gender?: number;
  race?: number;
}

export interface MultitaskConfig extends CnnLstmConfig {
  /** Classes of the race head (default 4; 0 = no race head). */
  numRaces?: number;
  /** Loss weight per task (default emotion 1, gender 0.5, race 0.5). */
  taskWeights?: TaskWeights;
}

const weight = z.number().nonnegative().optional();
export const multitaskConfigSchema: z.ZodType<MultitaskConfig> = z.strictObject({
  ...cnnLstmShape,
  numRaces: z.number().int().nonnegative().optional(),
  taskWeights: z.strictObject({ emotion: weight, gender: weight, race: weight }).optional(),
});

/** Logits of every head. */
export interface MultitaskOutputs {
  /** [N, numClasses] */
  emotion: Tensor;
  /** [N, 2] */
  gender: Tensor;
  /** [N, numRaces] (absent when numRaces = 0). */
  race?: Tensor;
}

/** Int64 targets [N] per task; −100 (or an absent tensor) marks a missing label. */
export interface MultitaskTargets {
  emotion: Tensor;
  gender?: Tensor | null;
  race?: Tensor | null;
}

/** The weighted total and each task's loss (0 for a task without any valid label in the batch). */
export interface MultitaskLoss {
  total: Tensor;
  emotion: Tensor;
  gender: Tensor | null;
  race: Tensor | null;
}

/**
 * total = w_e·CE(emotion) + w_g·CE(gender) + w_r·CE(race); each CE averages over the examples whose
 * label is not −100 (class weights and label smoothing apply to the emotion task only).
 */
export function multitaskLoss(
  out: MultitaskOutputs,
  targets: MultitaskTargets,
  weights: TaskWeights = {},
  emotionLoss: LossOptions = {},
): MultitaskLoss {
  const w = { ...DEFAULT_TASK_WEIGHTS, ...weights };
  const emotion = crossEntropyLoss(out.emotion, targets.emotion, emotionLoss);
  let total = emotion.mul(w.emotion);
  const gender = targets.gender ? crossEntropyLoss(out.gender, targets.gender) : null;
  if (gender) total = total.add(gender.mul(w.gender));
  let race: Tensor | null = null;
  if (targets.race) {
    if (!out.race) throw new Error('multitaskLoss: race targets given but the model has no race head (numRaces = 0)');
    race = crossEntropyLoss(out.race, targets.race);
    total = total.add(race.mul(w.race));
  }
  return { total, emotion, gender, race };
}

/**
 * Parameters as {@link CnnLstm} (pooling default 'att') plus `gender_head.*` and `race_head.*`,
 * both Linear layers on the shared embedding.
 */
export class CnnLstmMultitask extends CnnLstm {
  readonly genderHead: nn.Linear;
  readonly raceHead: nn.Linear | null;
  readonly numRaces: number;
  readonly taskWeights: Required<TaskWeights>;

  constructor(inputDim: number, numClasses: number, c: MultitaskConfig = {}) {
    const { numRaces, taskWeights, ...base } = c;
    super(inputDim, numClasses, { pooling: 'att', ...base }, 'cnn-lstm-att-multitask');
    this.numRaces = numRaces ?? DEFAULT_NUM_RACES;
    if (!Number.isInteger(this.numRaces) || this.numRaces < 0)
      fail(this.modelName, `numRaces must be a non-negative integer, got ${numRaces}`);
    this.taskWeights = { ...DEFAULT_TASK_WEIGHTS, ...taskWeights };
    this.genderHead = this.module('gender_head', new nn.Linear(this.embedDim, NUM_GENDERS));
    this.raceHead = this.numRaces > 0 ? this.module('race_head', new nn.Linear(this.embedDim, this.numRaces)) : null;
  }

  /** Logits of the emotion, gender and (optionally) race heads from one shared pass. */
  forwardHeads(x: Tensor, lengths?: Tensor | null): MultitaskOutputs {
    const e = F.dropout(this.embed(x, lengths), this.cfg.dropout, this.training);
    const out: MultitaskOutputs = { emotion: this.head.forward(e), gender: this.genderHead.forward(e) };
    if (this.raceHead) out.race = this.raceHead.forward(e);
    return out;
  }

  /** {@link multitaskLoss} with this model's task weights and emotion loss options. */
  multitaskLoss(out: MultitaskOutputs, targets: MultitaskTargets): MultitaskLoss {
    return multitaskLoss(out, targets, this.taskWeights, this.lossOptions);
  }

  override macs(shape: readonly number[]): number {
    return super.macs(shape) + linearMacs(this.genderHead) + (this.raceHead ? linearMacs(this.raceHead) : 0);
  }

  protected override config(): Record<string, unknown> {
    return { ...super.config(), numRaces: this.numRaces, taskWeights: { ...this.taskWeights } };
  }
}
