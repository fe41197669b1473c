/** Model construction for training runs, from the run config and the features' geometry. */
import type { Features } from '../../features/pure.js';
import { AlexNet, FcnGap, loadTorchvisionWeights } from './alexnet.js';
import type { SerModel } from './base.js';
import { CnnLstmMultitask, type MultitaskOutputs, type MultitaskTargets } from './cnn-lstm-multitask.js';
import { createModel, modelInfo } from './registry.js';
import { loadModule, loadPthInto } from '../../engine/index.js';
import type { nn, Tensor } from '../../engine/index.js';
import type { InputKind } from './base.js';

/** What the trainer needs of a model (src/models' SER models satisfy it). */
export interface TrainableModel extends nn.Module {
  readonly inputKind: InputKind;
  readonly numClasses: number;
  /** Emotion logits [N, classes]. */
  forward(x: Tensor, lengths?: Tensor | null): Tensor;
  /** The model's loss on int64 targets (cross-entropy unless the model defines another). */
  lossFn(logits: Tensor, target: Tensor): Tensor;
  /** Multitask models: every head's output, and the weighted loss over emotion, gender, race. */
  forwardHeads?(x: Tensor, lengths?: Tensor | null): MultitaskOutputs;
  multitaskLoss?(out: MultitaskOutputs, targets: MultitaskTargets): { total: Tensor };
  /** Parameters that train at their own learning rates (the first group's is the run's `lr`); default: every parameter at `lr`. */
  paramGroups?(lr: number): { params: Tensor[]; lr: number }[];
  /** See {@link SerModel.fitOnDevInputs}. */
  fitOnDevInputs?(dev: Tensor, augmented: Tensor | null): void;
}

/** Input geometry recorded per fold (fold-K/model.json), enough to rebuild the model. */
export interface InputGeometry {
  /** frames / vector: [D]; backbone layers: [L, D]; image: [C, F, T]. */
  inputShape: number[];
}

/**
 * The model input shape for features [C, T, D]: frame and vector models take D; models of
 * backbone layers take [L = C, D]; image models take [C, F = D, T = segment length].
 */
export function inputGeometry(modelName: string, f: Features, features: { segmentFrames: number }): InputGeometry {
  const kinds = modelInfo(modelName).inputKinds;
  if (kinds.includes('image')) return { inputShape: [f.channels, f.dims, features.segmentFrames] };
  if (kinds.includes('vector') && f.channels === 1 && f.frames !== 1) {
    throw new Error(
      `model '${modelName}' takes one feature vector per utterance (a functional set such as egemaps-ts), but the features have ${f.frames} frames`,
    );
  }
  if (kinds.includes('layers') && f.channels > 1) return { inputShape: [f.channels, f.dims] };
  if (!kinds.includes('frames') && !kinds.includes('vector'))
    throw new Error(`model '${modelName}' needs ${kinds.join('/')} inputs, which no bundled feature set provides`);
  if (f.channels !== 1)
    throw new Error(
      `model '${modelName}' takes [T, D] frames, but the feature set gives ${f.channels}-channel images; use logmel/mfcc/mfcc-delta`,
    );
  return { inputShape: [f.dims] };
}

/** Builds the configured model for `numClasses` classes. */
export function buildModel(m: { name: string; options: Record<string, unknown> }, numClasses: number, g: InputGeometry): SerModel {
  return createModel(m.name, { ...m.options, inputShape: g.inputShape, numClasses });
}

/**
 * Loads user-supplied initial weights: a torchvision AlexNet .pth for alexnet / fcn-gap (all but
 * the class-specific last layer), else a trustser .safetensors or PyTorch .pth state dict.
 */
export async function loadInitialWeights(model: SerModel, path: string): Promise<void> {
  if (model instanceof AlexNet || model instanceof FcnGap) {
    if (path.endsWith('.pth')) {
      loadTorchvisionWeights(model, path);
      return;
    }
  }
  if (path.endsWith('.safetensors')) await loadModule(model, path);
  else loadPthInto(model, path);
}

/** True for models with speaker-attribute heads trained alongside emotion (the gender/race bias study of SER on CREMA-D). */
export function isMultitask(model: SerModel): model is CnnLstmMultitask {
  return model instanceof CnnLstmMultitask;
}
