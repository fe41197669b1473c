/** Facts read from a serialized ONNX model without running it. */
import onnxProto from 'onnx-proto';

/**
 * Number of parameters (initializer elements) of a serialized ONNX model.
 * @throws Error naming `label` when the bytes are not an ONNX model.
 */
export function onnxParameterCount(bytes: Uint8Array, label: string): number {
  let model: ReturnType<typeof onnxProto.onnx.ModelProto.decode>;
  try {
    model = onnxProto.onnx.ModelProto.decode(bytes);
  } catch (e) {
    throw new Error(`${label}: not an ONNX model (${(e as Error).message})`);
  }
  if (!model.graph) throw new Error(`${label}: not an ONNX model (no graph)`);
  let n = 0;
  for (const t of model.graph.initializer ?? []) n += (t.dims ?? []).reduce((p: number, d) => p * Number(d), 1);
  return n;
}
