/**
 * The training engine: libtorch tensors with autograd (native addon), nn modules, optimizers,
 * schedulers, and state-dict serialization (safetensors, PyTorch .pth reading).
 */
export { Tensor, type DType, type TypedArray, type Operand, type Dims } from './tensor.js';
export * from './creation.js';
export { tidy, keep, dispose, scopeDepth, settle } from './scope.js';
export { noGrad, enableGrad, isGradEnabled, grad, clipGradNorm, clipGradValue } from './autograd.js';
export { finiteStep, EpochSteps } from './step.js';
export * as F from './functional.js';
export * as nn from './nn/index.js';
export {
  Optimizer,
  GroupedOptimizer,
  type OptimizerLike,
  Adam,
  AdamW,
  SGD,
  CosineAnnealingLR,
  StepLR,
  ReduceLROnPlateau,
  type ParamState,
  type AdamOptions,
  type SgdOptions,
  type PlateauOptions,
  type LrScheduler,
} from './optim.js';
export { toRaw, fromRaw, toRawDict, saveModule, loadModule, loadPthInto } from './serialize.js';
export { saveSafetensors, loadSafetensors, serializeSafetensors, parseSafetensors, type SafetensorsContents } from '../tensor-io/index.js';
export { readPth, readPthObject } from '../tensor-io/index.js';
export type { RawTensor, StateDict } from '../tensor-io/index.js';
