/** The ONNX graph writer: a typed opset-17 graph builder and eval-mode layer helpers. */
export { GraphBuilder, FloatAttr, float, decodeModel, ONNX_OPSET, ONNX_IR_VERSION, type OnnxDType, type Dim, type Attrs, type AttrValue, type InitData, type ModelMeta } from './graph.js';
export {
  weightSource, transpose2d, reduceSum, reduceMean, unsqueeze, squeeze, reshape, transpose, dimOf, linear, conv, batchNorm, batchNormLastAxis, maxPool,
  activation, softmax, reduceMax, topkRows, lengthMask, maskFor, zeroWhere, maskedMeanPool, attentionPool, lstmLayer,
  type WeightSource, type ConvOptions, type Activation,
} from './layers.js';
