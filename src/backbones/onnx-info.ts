/** Facts read from a serialized ONNX model without running it, and exposing its inner values. */
import onnxProto from 'onnx-proto';
import type { OrtTensorLike } from './types.js';

type Model = ReturnType<typeof onnxProto.onnx.ModelProto.decode>;

function decode(bytes: Uint8Array, label: string): Model {
  let model: Model;
  try {
    model = onnxProto.onnx.ModelProto.decode(bytes);
  } catch (e) {
    throw new Error(`${label}: not an ONNX model (${(e as Error).message})`);
  }
  if (!model.graph) throw new Error(`${label}: not an ONNX model (no graph)`);
  return model;
}

/**
 * The model with the outputs of its `opType` nodes (in graph order) added as graph outputs
 * (float32, shape left to the runtime), and their names.
 * @throws Error naming `label` when the model has no such node.
 */
export function withInnerOutputs(bytes: Uint8Array, opType: string, label: string): { bytes: Uint8Array; names: string[] } {
  const model = decode(bytes, label);
  const graph = model.graph!;
  const names = (graph.node ?? []).filter((n) => n.opType === opType).map((n) => n.output![0]);
  if (names.length === 0) throw new Error(`${label}: the model has no ${opType} node`);
  for (const name of names)
    graph.output!.push(
      onnxProto.onnx.ValueInfoProto.create({ name, type: { tensorType: { elemType: onnxProto.onnx.TensorProto.DataType.FLOAT } } }),
    );
  return { bytes: onnxProto.onnx.ModelProto.encode(model).finish(), names };
}

/**
 * Number of parameters (initializer elements) of a serialized ONNX model.
 * @throws Error naming `label` when the bytes are not an ONNX model.
 */
export function onnxParameterCount(bytes: Uint8Array, label: string): number {
  const model = decode(bytes, label);
  let n = 0;
  for (const t of model.graph!.initializer ?? []) n += (t.dims ?? []).reduce((p: number, d) => p * Number(d), 1);
  return n;
}

/**
 * The metadata (`metadata_props`) of a serialized ONNX model, by key.
 * @throws Error naming `label` when the bytes are not an ONNX model.
 */
export function onnxMetadata(bytes: Uint8Array, label: string): Record<string, string> {
  const model = decode(bytes, label);
  return Object.fromEntries((model.metadataProps ?? []).map((p) => [p.key ?? '', p.value ?? '']));
}

/**
 * The per-layer [T, D] arrays of an exported backbone graph's output [layers, 1, T, D].
 * @throws Error naming `label` for an output of another shape or type.
 */
export function splitLayerOutput(out: OrtTensorLike, layers: number, d: number, label: string): Float32Array[] {
  const [l, , frames, width] = out.dims;
  if (!(out.data instanceof Float32Array) || out.dims.length !== 4 || l !== layers || width !== d)
    throw new Error(`${label}: unexpected output [${out.dims.join(', ')}] (expected [${layers}, 1, frames, ${d}] float32)`);
  const size = frames * d;
  const data = out.data;
  return Array.from({ length: layers }, (_, i) => data.slice(i * size, (i + 1) * size));
}
