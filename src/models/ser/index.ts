/** SER models on the engine: the registry, every architecture, model construction for runs, and their inputs. */
export {
  SerModelBase,
  crossEntropyLoss,
  IGNORE_INDEX,
  lossConfigShape,
  type InputKind,
  type SerModel,
  type LossOptions,
  type ModelDescription,
} from './base.js';
export {
  AttentionPooling,
  MaskedLSTM,
  lengthMask,
  maskedMeanPool,
  lastValidStep,
  reverseByLength,
  zeroPadding,
  type MaskedLstmOptions,
} from './sequence.js';
export { TrustSerCnn, trustSerCnnConfigSchema, type TrustSerCnnConfig } from './trust-ser-cnn.js';
export { CnnLstm, CnnLstmAtt, CNN_LSTM_DEFAULTS, cnnLstmConfigSchema, type CnnLstmConfig, type SequencePooling } from './cnn-lstm.js';
export {
  CnnLstmMultitask,
  multitaskLoss,
  multitaskConfigSchema,
  NUM_GENDERS,
  DEFAULT_NUM_RACES,
  DEFAULT_TASK_WEIGHTS,
  type MultitaskConfig,
  type MultitaskOutputs,
  type MultitaskTargets,
  type MultitaskLoss,
  type TaskWeights,
} from './cnn-lstm-multitask.js';
export {
  LinearSvm,
  LogisticRegression,
  squaredHingeLoss,
  linearConfigSchema,
  logregConfigSchema,
  type LinearConfig,
  type SquaredHingeOptions,
} from './linear.js';
export { Mlp, mlpConfigSchema, type MlpConfig } from './mlp.js';
export {
  DEFAULT_GATE_QUANTILE,
  GATED_LOGREG,
  GatedLogisticRegression,
  gatedLogregConfigSchema,
  type GatedLogregConfig,
} from './gated.js';
export {
  AlexNet,
  FcnGap,
  loadTorchvisionWeights,
  alexnetParamCount,
  alexnetFeatureSize,
  alexnetConfigSchema,
  ALEXNET_MIN_SIZE,
  ALEXNET_DEFAULT_WIDTH,
  type AlexNetConfig,
  type TorchvisionLoadReport,
} from './alexnet.js';
export { aggregateSegments, type SegmentScores } from './segments.js';
export { createModel, listModels, modelInfo, modelConfigSchemas, type ModelName, type ModelTypes, type ModelInput } from './registry.js';
export { buildModel, inputGeometry, isMultitask, loadInitialWeights, type InputGeometry, type TrainableModel } from './build.js';
export { batchTensors, makeExamples, predictUtterances, type AuxTargets, type Example } from './inputs.js';
