/** Models on the engine (front ends, SER models, anti-spoofing). */
export { LogMelFrontend, type LogMelFrontendOptions } from './frontend.js';
export {
  SerModelBase, crossEntropyLoss, IGNORE_INDEX, lossConfigShape,
  type InputKind, type SerModel, type LossOptions, type ModelDescription,
} from './ser/base.js';
export { AttentionPooling, MaskedLSTM, lengthMask, maskedMeanPool, lastValidStep, reverseByLength, zeroPadding, type MaskedLstmOptions } from './ser/sequence.js';
export { TrustSerCnn, trustSerCnnConfigSchema, type TrustSerCnnConfig } from './ser/trust-ser-cnn.js';
export { CnnLstm, CnnLstmAtt, CNN_LSTM_DEFAULTS, cnnLstmConfigSchema, type CnnLstmConfig, type SequencePooling } from './ser/cnn-lstm.js';
export {
  CnnLstmMultitask, multitaskLoss, multitaskConfigSchema, NUM_GENDERS, DEFAULT_NUM_RACES, DEFAULT_TASK_WEIGHTS,
  type MultitaskConfig, type MultitaskOutputs, type MultitaskTargets, type MultitaskLoss, type TaskWeights,
} from './ser/cnn-lstm-multitask.js';
export { LinearSvm, LogisticRegression, squaredHingeLoss, linearConfigSchema, logregConfigSchema, type LinearConfig, type SquaredHingeOptions } from './ser/linear.js';
export { Mlp, mlpConfigSchema, type MlpConfig } from './ser/mlp.js';
export {
  AlexNet, FcnGap, loadTorchvisionWeights, alexnetParamCount, alexnetFeatureSize, alexnetConfigSchema,
  ALEXNET_MIN_SIZE, ALEXNET_DEFAULT_WIDTH, type AlexNetConfig, type TorchvisionLoadReport,
} from './ser/alexnet.js';
export { aggregateSegments, type SegmentScores } from './ser/segments.js';
export {
  countParams, countMacs, macsPerSecond, linearMacs, conv1dMacs, conv2dMacs, lstmMacs, gruMacs, multiheadAttentionMacs, DEFAULT_FRAME_RATE_HZ,
} from './complexity.js';
export { createModel, listModels, modelInfo, modelConfigSchemas, type ModelName, type ModelTypes, type ModelInput } from './ser/registry.js';
export * as aasist from './aasist/index.js';
