/**
 * Tensor file formats in pure TypeScript (no engine): safetensors (read and write, atomic) for
 * the project's checkpoints and feature files, PyTorch `.pth` (read) for published weights, and
 * the raw tensor record both produce.
 */
export {
  DTYPES,
  allocData,
  bytesOf,
  dataMatchesDType,
  isRawTensor,
  isValidShape,
  itemSize,
  numel,
  typedFromBytes,
  type DType,
  type RawTensor,
  type StateDict,
  type TypedData,
} from './raw.js';
export {
  loadSafetensors,
  loadSafetensorsSync,
  parseSafetensors,
  saveSafetensors,
  saveSafetensorsSync,
  serializeSafetensors,
  type SafetensorsContents,
} from './safetensors.js';
export { parsePthObject, readPth, readPthObject, toStateDict } from './pth.js';
export { readTensorFile, type TensorFile } from './checkpoint.js';
