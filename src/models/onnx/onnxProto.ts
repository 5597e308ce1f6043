/**
 * Minimal ONNX protobuf codec (encode + decode), browser- and Node-safe.
 *
 * The schema (onnxSchema.ts) is a hand-written subset of the public onnx.proto
 * (https://github.com/onnx/onnx/blob/main/onnx/onnx.proto) with the official
 * field numbers, so that files written here load in onnxruntime and files
 * exported by PyTorch/Optimum can be decoded (e.g. to split external data).
 * Fields outside the subset (FunctionProto, training info, quantisation
 * annotations) are DROPPED on decode; do not re-encode a model that uses them.
 *
 * Field names keep the snake_case spelling of onnx.proto (keepCase), so the
 * objects look like the ones produced by the Python `onnx` package.
 */
// protobufjs 7 is CommonJS: the default import is the only form that works in
// Node ESM (tsx, vitest) and under Vite; `import * as` yields no named exports
// in Node.
import protobuf from 'protobufjs';
import { ONNX_PROTO } from './onnxSchema';

/** TensorProto.DataType values (onnx.proto). */
export const DataType = {
  UNDEFINED: 0,
  FLOAT: 1,
  UINT8: 2,
  INT8: 3,
  UINT16: 4,
  INT16: 5,
  INT32: 6,
  INT64: 7,
  STRING: 8,
  BOOL: 9,
  FLOAT16: 10,
  DOUBLE: 11,
  UINT32: 12,
  UINT64: 13,
  BFLOAT16: 16,
} as const;

/** AttributeProto.AttributeType values (onnx.proto). */
export const AttributeType = {
  UNDEFINED: 0,
  FLOAT: 1,
  INT: 2,
  STRING: 3,
  TENSOR: 4,
  GRAPH: 5,
  FLOATS: 6,
  INTS: 7,
  STRINGS: 8,
  TENSORS: 9,
  GRAPHS: 10,
} as const;

/** TensorProto.DataLocation values. */
export const DataLocation = { DEFAULT: 0, EXTERNAL: 1 } as const;

/*
 * Plain-object views of the messages. int64 fields are plain numbers: decode
 * converts them (values beyond 2^53 lose precision; INT64_MAX/MIN sentinels
 * still saturate back to themselves on re-encode).
 */
export interface StringStringEntry {
  key?: string;
  value?: string;
}
export interface OnnxTensor {
  name?: string;
  dims?: number[];
  data_type?: number;
  segment?: { begin?: number; end?: number };
  raw_data?: Uint8Array;
  float_data?: number[];
  int32_data?: number[];
  string_data?: Uint8Array[];
  int64_data?: number[];
  double_data?: number[];
  uint64_data?: number[];
  external_data?: StringStringEntry[];
  data_location?: number;
  doc_string?: string;
  metadata_props?: StringStringEntry[];
}
export interface OnnxSparseTensor {
  values?: OnnxTensor;
  indices?: OnnxTensor;
  dims?: number[];
}
export interface OnnxDimension {
  dim_value?: number;
  dim_param?: string;
  denotation?: string;
}
export interface OnnxTensorShape {
  dim?: OnnxDimension[];
}
export interface OnnxType {
  tensor_type?: { elem_type?: number; shape?: OnnxTensorShape };
  sequence_type?: { elem_type?: OnnxType };
  map_type?: { key_type?: number; value_type?: OnnxType };
  optional_type?: { elem_type?: OnnxType };
  sparse_tensor_type?: { elem_type?: number; shape?: OnnxTensorShape };
  denotation?: string;
}
export interface OnnxValueInfo {
  name?: string;
  type?: OnnxType;
  doc_string?: string;
  metadata_props?: StringStringEntry[];
}
export interface OnnxAttribute {
  name?: string;
  ref_attr_name?: string;
  doc_string?: string;
  type?: number;
  f?: number;
  i?: number;
  s?: Uint8Array;
  t?: OnnxTensor;
  g?: OnnxGraph;
  sparse_tensor?: OnnxSparseTensor;
  tp?: OnnxType;
  floats?: number[];
  ints?: number[];
  strings?: Uint8Array[];
  tensors?: OnnxTensor[];
  graphs?: OnnxGraph[];
  sparse_tensors?: OnnxSparseTensor[];
  type_protos?: OnnxType[];
}
export interface OnnxNode {
  input?: string[];
  output?: string[];
  name?: string;
  op_type?: string;
  domain?: string;
  overload?: string;
  attribute?: OnnxAttribute[];
  doc_string?: string;
  metadata_props?: StringStringEntry[];
}
export interface OnnxGraph {
  node?: OnnxNode[];
  name?: string;
  initializer?: OnnxTensor[];
  sparse_initializer?: OnnxSparseTensor[];
  doc_string?: string;
  input?: OnnxValueInfo[];
  output?: OnnxValueInfo[];
  value_info?: OnnxValueInfo[];
  metadata_props?: StringStringEntry[];
}
export interface OnnxOpsetId {
  domain?: string;
  version?: number;
}
export interface OnnxModel {
  ir_version?: number;
  opset_import?: OnnxOpsetId[];
  producer_name?: string;
  producer_version?: string;
  domain?: string;
  model_version?: number;
  doc_string?: string;
  graph?: OnnxGraph;
  metadata_props?: StringStringEntry[];
}

let cachedRoot: protobuf.Root | undefined;

/** Parses the schema once, lazily (keeps module import cheap). */
function root(): protobuf.Root {
  if (!cachedRoot) {
    cachedRoot = protobuf.parse(ONNX_PROTO, { keepCase: true }).root;
    // resolveAll() is required for proto2 `[packed = true]` to take effect.
    cachedRoot.resolveAll();
  }
  return cachedRoot;
}

/** Looks up a message type of the subset, e.g. `onnxType('TensorProto')`. */
export function onnxType(name: string): protobuf.Type {
  return root().lookupType(`onnx.${name}`);
}

const TO_OBJECT: protobuf.IConversionOptions = { longs: Number, enums: Number, bytes: Uint8Array };

/** Serialises a model. Output is deterministic for a given input object. */
export function encodeModel(model: OnnxModel): Uint8Array {
  const type = onnxType('ModelProto');
  return type.encode(type.fromObject(model as Record<string, unknown>)).finish();
}

/** Parses a model. `raw_data` fields are views into `bytes`, not copies. */
export function decodeModel(bytes: Uint8Array): OnnxModel {
  const type = onnxType('ModelProto');
  return type.toObject(type.decode(bytes), TO_OBJECT) as OnnxModel;
}

/** Serialises a single tensor (e.g. for tests or external-data tooling). */
export function encodeTensor(tensor: OnnxTensor): Uint8Array {
  const type = onnxType('TensorProto');
  return type.encode(type.fromObject(tensor as Record<string, unknown>)).finish();
}

/** Parses a single TensorProto. */
export function decodeTensor(bytes: Uint8Array): OnnxTensor {
  const type = onnxType('TensorProto');
  return type.toObject(type.decode(bytes), TO_OBJECT) as OnnxTensor;
}
