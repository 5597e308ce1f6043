/**
 * Small helpers to build ONNX graphs by hand (used by the model generators in
 * tools/). Pure: no Node APIs, so it can also run in the browser.
 */
import {
  AttributeType,
  DataType,
  encodeModel,
  type OnnxAttribute,
  type OnnxGraph,
  type OnnxModel,
  type OnnxNode,
  type OnnxTensor,
  type OnnxValueInfo,
} from './onnxProto';

/** Attribute values accepted by `node()`; the ONNX type is inferred. */
export type AttrValue = number | string | number[] | OnnxTensor;
/** Use to force an integer-valued number to be stored as a FLOAT attribute. */
export class FloatAttr {
  constructor(readonly value: number) {}
}

function attribute(name: string, value: AttrValue | FloatAttr): OnnxAttribute {
  if (value instanceof FloatAttr) return { name, type: AttributeType.FLOAT, f: value.value };
  if (typeof value === 'string') {
    return { name, type: AttributeType.STRING, s: new TextEncoder().encode(value) };
  }
  if (typeof value === 'number') {
    return Number.isInteger(value)
      ? { name, type: AttributeType.INT, i: value }
      : { name, type: AttributeType.FLOAT, f: value };
  }
  if (Array.isArray(value)) {
    // Lists of integers are by far the common case (kernel_shape, axes, ...).
    return value.every(Number.isInteger)
      ? { name, type: AttributeType.INTS, ints: value }
      : { name, type: AttributeType.FLOATS, floats: value };
  }
  return { name, type: AttributeType.TENSOR, t: value };
}

/** One graph node. Attribute keys are emitted in sorted order (determinism). */
export function node(
  opType: string,
  inputs: string[],
  outputs: string[],
  attrs: Record<string, AttrValue | FloatAttr> = {},
  name?: string,
): OnnxNode {
  const attribute_ = Object.keys(attrs)
    .sort()
    .map((k) => attribute(k, attrs[k] as AttrValue | FloatAttr));
  return {
    op_type: opType,
    input: inputs,
    output: outputs,
    name: name ?? `${opType}_${outputs[0] ?? ''}`,
    ...(attribute_.length ? { attribute: attribute_ } : {}),
  };
}

/** Little-endian bytes of a typed array (ONNX raw_data is always LE). */
function leBytes(data: Float32Array | BigInt64Array | Int32Array | Uint8Array): Uint8Array {
  const out = new Uint8Array(data.byteLength);
  const view = new DataView(out.buffer);
  if (data instanceof Float32Array) data.forEach((v, i) => view.setFloat32(i * 4, v, true));
  else if (data instanceof BigInt64Array) data.forEach((v, i) => view.setBigInt64(i * 8, v, true));
  else if (data instanceof Int32Array) data.forEach((v, i) => view.setInt32(i * 4, v, true));
  else out.set(data);
  return out;
}

function checkSize(name: string, dims: number[], length: number): void {
  const n = dims.reduce((a, b) => a * b, 1);
  if (n !== length) throw new Error(`tensor ${name}: dims ${dims} need ${n} values, got ${length}`);
}

/** A float32 initializer/constant tensor. */
export function floatTensor(name: string, dims: number[], data: ArrayLike<number>): OnnxTensor {
  checkSize(name, dims, data.length);
  return { name, dims, data_type: DataType.FLOAT, raw_data: leBytes(Float32Array.from(data)) };
}

/** An int64 initializer/constant tensor (numbers must be safe integers). */
export function int64Tensor(name: string, dims: number[], data: ArrayLike<number>): OnnxTensor {
  checkSize(name, dims, data.length);
  const big = BigInt64Array.from(Array.from(data, (v) => BigInt(v)));
  return { name, dims, data_type: DataType.INT64, raw_data: leBytes(big) };
}

/** Shape entries: a number is a fixed size, a string a symbolic (dynamic) one. */
export type Dim = number | string;

/** A typed, shaped graph input/output declaration. */
export function valueInfo(name: string, elemType: number, shape: Dim[]): OnnxValueInfo {
  const dim = shape.map((d) => (typeof d === 'number' ? { dim_value: d } : { dim_param: d }));
  return { name, type: { tensor_type: { elem_type: elemType, shape: { dim } } } };
}

export interface ModelSpec {
  graph: OnnxGraph;
  opset?: number;
  irVersion?: number;
  producer?: string;
  docString?: string;
  metadata?: Record<string, string>;
}

/** Wraps a graph into a ModelProto (defaults: opset 17, IR version 8). */
function makeModel(spec: ModelSpec): OnnxModel {
  const metadata = Object.entries(spec.metadata ?? {}).map(([key, value]) => ({ key, value }));
  return {
    ir_version: spec.irVersion ?? 8,
    opset_import: [{ domain: '', version: spec.opset ?? 17 }],
    producer_name: spec.producer ?? 'ovseg-web',
    ...(spec.docString ? { doc_string: spec.docString } : {}),
    graph: spec.graph,
    ...(metadata.length ? { metadata_props: metadata } : {}),
  };
}

/** makeModel + encode. */
export function buildModelBytes(spec: ModelSpec): Uint8Array {
  return encodeModel(makeModel(spec));
}
