/** Neural-network modules on the libtorch engine. */
export { Module, StateDictError, type UnaryModule, type LoadableTensor } from './module.js';
export {
  Linear,
  Conv1d,
  Conv2d,
  BatchNorm1d,
  BatchNorm2d,
  LayerNorm,
  GroupNorm,
  Dropout,
  Sequential,
  ModuleList,
  Lambda,
  ReLU,
  Tanh,
  Sigmoid,
  GELU,
  SELU,
  LeakyReLU,
  Flatten,
  MaxPool1d,
  MaxPool2d,
  AvgPool2d,
  AdaptiveAvgPool2d,
  Identity,
  uniformParam,
  type ConvLayerOptions,
  type BatchNormOptions,
} from './layers.js';
export { LSTM, GRU, type RnnOptions } from './rnn.js';
export { MultiheadAttention, type MultiheadAttentionOptions, type AttentionCallOptions } from './attention.js';
