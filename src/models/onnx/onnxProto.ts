/**
 * ONNX protobuf codec (encode + decode), browser- and Node-safe.
 *
 * The codec in ./proto/onnx.js is generated ahead of time (`npm run gen:onnx-proto`)
 * from ONNX's own onnx-ml.proto, pinned in ./proto/onnx-ml.proto, so every message
 * and field of the format survives a decode/encode round trip (functions,
 * training_info, quantization_annotation included), and no code is generated at
 * run time (no `new Function`, so the worker's CSP needs no 'unsafe-eval' for it).
 *
 * Field names keep the snake_case spelling of onnx.proto, so the objects look like
 * the ones produced by the Python `onnx` package.
 */
import { onnx } from './proto/onnx';

/** TensorProto.DataType values (onnx.proto). */
export const DataType = onnx.TensorProto.DataType;

/** AttributeProto.AttributeType values (onnx.proto). */
export const AttributeType = onnx.AttributeProto.AttributeType;

/**
 * The plain-object view of a message, as `decodeModel` returns it: int64 fields are
 * plain numbers (values beyond 2^53 lose precision; INT64_MAX/MIN sentinels still
 * saturate back to themselves on re-encode), enums are numbers (so values newer than
 * the pinned proto survive), bytes are Uint8Array views.
 */
type Plain<T> = T extends number
  ? number
  : T extends string | boolean | Uint8Array
    ? T
    : T extends readonly (infer U)[]
      ? Plain<U>[]
      : T extends { low: number; high: number; unsigned: boolean }
        ? number
        : T extends object
          ? { [K in keyof T]?: Plain<NonNullable<T[K]>> }
          : T;

export type OnnxModel = Plain<onnx.IModelProto>;
export type OnnxGraph = Plain<onnx.IGraphProto>;
export type OnnxNode = Plain<onnx.INodeProto>;
export type OnnxAttribute = Plain<onnx.IAttributeProto>;
export type OnnxTensor = Plain<onnx.ITensorProto>;
export type OnnxValueInfo = Plain<onnx.IValueInfoProto>;
export type OnnxType = Plain<onnx.ITypeProto>;

const TO_OBJECT = { longs: Number, enums: Number, bytes: Uint8Array } as const;

/** Serialises a model. Output is deterministic for a given input object. */
export function encodeModel(model: OnnxModel): Uint8Array {
  return onnx.ModelProto.encode(onnx.ModelProto.fromObject(model)).finish();
}

/** Parses a model. `raw_data` fields are views into `bytes`, not copies. */
export function decodeModel(bytes: Uint8Array): OnnxModel {
  return onnx.ModelProto.toObject(onnx.ModelProto.decode(bytes), TO_OBJECT) as OnnxModel;
}
