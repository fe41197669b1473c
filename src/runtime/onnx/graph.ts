/**
 * A small typed builder for ONNX graphs (opset 17), serialized with `onnx-proto`'s protobuf
 * schema. Written by hand because the training engine is libtorch's C++ API, which has no ONNX
 * exporter (`torch.onnx` is Python-only and traces Python modules): the exporters in
 * src/runtime/export describe each model's eval-mode forward pass with this builder instead.
 *
 * Values are referred to by name (strings). Every node gets a unique output name derived from its
 * op type unless one is given; weights become initializers stored as little-endian raw bytes.
 */
import onnxProto from 'onnx-proto';
import type { onnx as OnnxTypes } from 'onnx-proto';
import type { RawTensor } from '../../tensor-io/index.js';

const { onnx } = onnxProto;

/** The default-domain opset the builder targets. */
export const ONNX_OPSET = 17;
/** IR version matching opset 17 (ONNX 1.12). */
export const ONNX_IR_VERSION = 8;

/** Element types the builder emits. */
export type OnnxDType = 'float32' | 'int64' | 'int32' | 'bool';
/** A tensor dimension: a fixed size or a symbolic name (e.g. 'batch', 'time'). */
export type Dim = number | string;

const DTYPE_CODES: Record<OnnxDType, number> = {
  float32: onnx.TensorProto.DataType.FLOAT,
  int64: onnx.TensorProto.DataType.INT64,
  int32: onnx.TensorProto.DataType.INT32,
  bool: onnx.TensorProto.DataType.BOOL,
};

/** A float attribute (plain numbers are integer attributes). */
export class FloatAttr {
  constructor(readonly value: number | number[]) {}
}
/** Marks `v` as a float (or float list) attribute. */
export const float = (v: number | number[]): FloatAttr => new FloatAttr(v);
/** Attribute values: integers (number / number[]), floats ({@link float}), strings. */
export type AttrValue = number | number[] | string | FloatAttr;
export type Attrs = Record<string, AttrValue>;

/** Data of an initializer. */
export type InitData = Float32Array | BigInt64Array | Int32Array | Uint8Array;

function dtypeOf(data: InitData): OnnxDType {
  if (data instanceof Float32Array) return 'float32';
  if (data instanceof BigInt64Array) return 'int64';
  if (data instanceof Int32Array) return 'int32';
  return 'bool';
}

function valueInfo(name: string, dtype: OnnxDType, dims: readonly Dim[]): OnnxTypes.IValueInfoProto {
  return {
    name,
    type: {
      tensorType: {
        elemType: DTYPE_CODES[dtype],
        shape: { dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) },
      },
    },
  };
}

function attribute(name: string, v: AttrValue): OnnxTypes.IAttributeProto {
  const T = onnx.AttributeProto.AttributeType;
  if (v instanceof FloatAttr) {
    return Array.isArray(v.value) ? { name, type: T.FLOATS, floats: v.value } : { name, type: T.FLOAT, f: v.value };
  }
  if (typeof v === 'string') return { name, type: T.STRING, s: new TextEncoder().encode(v) };
  if (Array.isArray(v)) {
    if (v.some((x) => !Number.isInteger(x)))
      throw new Error(`onnx attribute '${name}': integer list expected (use float() for floats), got [${v.join(', ')}]`);
    return { name, type: T.INTS, ints: v };
  }
  if (!Number.isInteger(v)) throw new Error(`onnx attribute '${name}': integer expected (use float() for floats), got ${v}`);
  return { name, type: T.INT, i: v };
}

/** Metadata of the serialized model. */
export interface ModelMeta {
  producerName: string;
  producerVersion: string;
  docString?: string;
  /** String key/value pairs stored in the model's metadata_props. */
  metadata?: Record<string, string>;
}

/** Builds one ONNX graph; see the module notes. */
export class GraphBuilder {
  private readonly nodes: OnnxTypes.INodeProto[] = [];
  private readonly inits: OnnxTypes.ITensorProto[] = [];
  private readonly inputs: OnnxTypes.IValueInfoProto[] = [];
  private readonly outputs: OnnxTypes.IValueInfoProto[] = [];
  private readonly names = new Set<string>();
  private readonly counters = new Map<string, number>();
  private readonly constCache = new Map<string, string>();

  constructor(readonly name: string) {}

  /** A fresh value name starting with `base` (suffixed when taken). */
  fresh(base: string): string {
    let name = base;
    while (this.names.has(name)) {
      const n = (this.counters.get(base) ?? 0) + 1;
      this.counters.set(base, n);
      name = `${base}_${n}`;
    }
    this.names.add(name);
    return name;
  }

  /** Declares a graph input; symbolic dims (strings) stay free at run time. */
  input(name: string, dtype: OnnxDType, dims: readonly Dim[]): string {
    if (this.names.has(name)) throw new Error(`onnx graph '${this.name}': the name '${name}' is taken`);
    this.names.add(name);
    this.inputs.push(valueInfo(name, dtype, dims));
    return name;
  }

  /** Declares the value `value` as a graph output named `name` (an Identity node renames it when needed). */
  output(value: string, name: string, dtype: OnnxDType, dims: readonly Dim[]): void {
    let v = value;
    if (v !== name) {
      if (this.names.has(name)) throw new Error(`onnx graph '${this.name}': the output name '${name}' is taken`);
      this.names.add(name);
      this.nodes.push({ opType: 'Identity', input: [value], output: [name], name: this.fresh('Identity') });
      v = name;
    }
    this.outputs.push(valueInfo(v, dtype, dims));
  }

  /** Adds a weight; returns its (possibly suffixed) name. */
  initializer(name: string, data: InitData, dims: readonly number[]): string {
    const count = dims.reduce((a, b) => a * b, 1);
    if (count !== data.length) throw new Error(`onnx initializer '${name}': ${data.length} values do not fill shape [${dims.join(', ')}]`);
    const unique = this.fresh(name);
    const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength).slice();
    this.inits.push({ name: unique, dataType: DTYPE_CODES[dtypeOf(data)], dims: [...dims], rawData: bytes });
    return unique;
  }

  /** An engine/raw tensor as a float32 initializer. */
  weight(name: string, t: RawTensor): string {
    if (t.dtype !== 'float32') throw new Error(`onnx initializer '${name}': expected float32 weights, got ${t.dtype}`);
    return this.initializer(name, t.data as Float32Array, t.shape);
  }

  /** A small constant (shared between uses): float32 or int64 values of shape `dims` (default: a vector). */
  constant(values: readonly number[], dtype: 'float32' | 'int64' = 'int64', dims?: readonly number[]): string {
    const shape = dims ?? [values.length];
    const key = `${dtype}:${shape.join('x')}:${values.join(',')}`;
    const hit = this.constCache.get(key);
    if (hit !== undefined) return hit;
    const data = dtype === 'int64' ? BigInt64Array.from(values, (v) => BigInt(v)) : Float32Array.from(values);
    const name = this.initializer(dtype === 'int64' ? 'const_i64' : 'const_f32', data, shape);
    this.constCache.set(key, name);
    return name;
  }

  /** A scalar constant (shape []). */
  scalar(value: number, dtype: 'float32' | 'int64' = 'float32'): string {
    return this.constant([value], dtype, []);
  }

  /** Adds a node with `outputs` results; returns their names. Empty strings in `inputs` mark omitted optional inputs. */
  nodeN(opType: string, inputs: readonly string[], outputs: number, attrs: Attrs = {}): string[] {
    const out = Array.from({ length: outputs }, (_, i) => this.fresh(outputs === 1 ? opType : `${opType}_out${i}`));
    this.nodes.push({
      opType,
      input: [...inputs],
      output: out,
      name: this.fresh(`${opType}_node`),
      attribute: Object.entries(attrs).map(([k, v]) => attribute(k, v)),
    });
    return out;
  }

  /** Adds a single-output node; returns the output's name. */
  node(opType: string, inputs: readonly string[], attrs: Attrs = {}): string {
    return this.nodeN(opType, inputs, 1, attrs)[0];
  }

  /** Counts of nodes and initializers (for tests and logs). */
  stats(): { nodes: number; initializers: number; ops: Set<string> } {
    return { nodes: this.nodes.length, initializers: this.inits.length, ops: new Set(this.nodes.map((n) => n.opType ?? '')) };
  }

  /** The serialized ModelProto (ONNX protobuf bytes). */
  serialize(meta: ModelMeta): Uint8Array {
    if (this.outputs.length === 0) throw new Error(`onnx graph '${this.name}': no outputs declared`);
    const model = onnx.ModelProto.create({
      irVersion: ONNX_IR_VERSION,
      opsetImport: [{ domain: '', version: ONNX_OPSET }],
      producerName: meta.producerName,
      producerVersion: meta.producerVersion,
      docString: meta.docString ?? '',
      metadataProps: Object.entries(meta.metadata ?? {}).map(([key, value]) => ({ key, value })),
      graph: { name: this.name, node: this.nodes, initializer: this.inits, input: this.inputs, output: this.outputs },
    });
    return onnx.ModelProto.encode(model).finish();
  }
}

/** Decodes ONNX bytes back into a ModelProto (for inspection and tests). */
export function decodeModel(bytes: Uint8Array): OnnxTypes.ModelProto {
  return onnx.ModelProto.decode(bytes);
}
