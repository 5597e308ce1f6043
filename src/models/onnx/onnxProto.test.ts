import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as ort from 'onnxruntime-web';
import { describe, expect, it } from 'vitest';
import { buildModelBytes, floatTensor, int64Tensor, node, valueInfo } from './onnxBuilder';
import { DataType, decodeModel, encodeModel, type OnnxModel, type OnnxTensor } from './onnxProto';
import { onnx } from './proto/onnx';

const modelPath = (name: string): string =>
  fileURLToPath(new URL(`../../../public/models/colours/${name}`, import.meta.url));
// Written by the Python `onnx` package (tools/gen-onnx-fields-fixture.py).
const fieldsPath = fileURLToPath(new URL('../../../fixtures/onnx-fields/fields.onnx', import.meta.url));

/** A model holding one tensor as an initializer, through the public model codec. */
const tensorRoundTrip = (t: OnnxTensor): OnnxTensor =>
  decodeModel(encodeModel({ graph: { initializer: [t] } })).graph!.initializer![0]!;

describe('onnxProto', () => {
  it('round-trips a model byte for byte', () => {
    const bytes = new Uint8Array(readFileSync(modelPath('image_model.onnx')));
    const model = decodeModel(bytes);
    expect(model.ir_version).toBe(8);
    expect(model.opset_import).toEqual([{ domain: '', version: 17 }]);
    expect(model.graph?.input?.[0]?.type?.tensor_type?.shape?.dim?.[2]).toEqual({ dim_param: 'height' });
    expect(Buffer.from(encodeModel(model)).equals(bytes)).toBe(true);
  });

  it('keeps functions, training_info, quantization_annotation and the rest of onnx.proto', () => {
    const bytes = new Uint8Array(readFileSync(fieldsPath));
    const model = decodeModel(bytes);
    // Python's serialiser wrote these bytes: equal bytes after decode + encode mean no field was dropped.
    expect(Buffer.from(encodeModel(model)).equals(Buffer.from(bytes))).toBe(true);
    expect(model.functions?.map((f) => [f.domain, f.name, f.node?.length])).toEqual([
      ['local.fn', 'AddOne', 2],
    ]);
    const train = model.training_info?.[0];
    expect(train?.initialization_binding).toEqual([{ key: 'w', value: 'w_init' }]);
    expect(train?.update_binding).toEqual([{ key: 'w', value: 'w_new' }]);
    expect(train?.algorithm?.node?.[0]?.op_type).toBe('Mul');
    const ann = model.graph?.quantization_annotation;
    expect(ann?.[0]?.tensor_name).toBe('w');
    expect(ann?.[0]?.quant_parameter_tensor_names?.map((e) => e.key)).toEqual([
      'SCALE_TENSOR',
      'ZERO_POINT_TENSOR',
    ]);
    expect(model.graph?.sparse_initializer?.[0]?.dims).toEqual([4]);
    expect(model.graph?.value_info?.[0]?.type?.opaque_type).toEqual({ domain: 'ai.onnx.ml', name: 'thing' });
    // The split re-encodes `{ ...model, graph }`: model-level fields travel with every part.
    const part = decodeModel(encodeModel({ ...model, graph: { name: 'part' } }));
    const modelLevel = (m: OnnxModel) => Buffer.from(encodeModel({ ...m, graph: undefined }));
    expect(modelLevel(part).equals(modelLevel(model))).toBe(true);
    expect(part.functions?.length).toBe(1);
  });

  it('keeps fields newer than the pinned proto (IR 10) and enum values it does not name', () => {
    const meta = [{ key: 'k', value: 'v' }];
    const model: OnnxModel = {
      graph: {
        node: [
          {
            op_type: 'Relu',
            overload: 'o',
            metadata_props: meta,
            attribute: [{ name: 'a', type: 99, i: 1 }],
          },
        ],
        input: [{ name: 'x', metadata_props: meta }],
        initializer: [{ name: 't', data_type: 23, dims: [1], metadata_props: meta }],
        metadata_props: meta,
      },
      functions: [
        { name: 'F', overload: 'o', attribute_proto: [{ name: 'alpha', f: 1 }], metadata_props: meta },
      ],
    };
    expect(decodeModel(encodeModel(model))).toEqual(model);
  });

  it('decodes raw_data as views into the source bytes', () => {
    const bytes = encodeModel({ graph: { initializer: [floatTensor('w', [4], [1, 2, 3, 4])] } });
    const raw = decodeModel(bytes).graph!.initializer![0]!.raw_data!;
    expect(raw.buffer).toBe(bytes.buffer);
    expect(Array.from(new Float32Array(Uint8Array.from(raw).buffer))).toEqual([1, 2, 3, 4]);
  });

  it('keeps int64 sentinels and float32 raw data intact', () => {
    const t = tensorRoundTrip(int64Tensor('x', [2], [-1, 2 ** 40]));
    expect(t.dims).toEqual([2]);
    const view = new DataView(t.raw_data!.buffer, t.raw_data!.byteOffset, t.raw_data!.byteLength);
    expect([view.getBigInt64(0, true), view.getBigInt64(8, true)]).toEqual([-1n, 2n ** 40n]);
    const max = tensorRoundTrip({ dims: [1], data_type: DataType.INT64, int64_data: [2 ** 63] });
    // 2^63 is not representable: the codec saturates to INT64_MAX, as ONNX sentinels expect.
    const wire = encodeModel({ graph: { initializer: [max] } });
    const reader = onnx.ModelProto.decode(wire).graph!.initializer![0]!;
    expect(String(reader.int64_data![0])).toBe('9223372036854775807');
  });

  it('writes packed repeated fields where onnx.proto says so', () => {
    // float_data (field 4) packed: tag 0x22 = (4 << 3) | 2.
    const bytes = onnx.TensorProto.encode({ dims: [1], data_type: DataType.FLOAT, float_data: [1] }).finish();
    expect(Array.from(bytes)).toContain(0x22);
  });

  it('builds graphs that onnxruntime runs', async () => {
    ort.env.wasm.numThreads = 1;
    const bytes = buildModelBytes({
      graph: {
        name: 'axpy',
        node: [node('Mul', ['x', 'a'], ['ax']), node('Add', ['ax', 'b'], ['y'])],
        initializer: [floatTensor('a', [1], [2]), floatTensor('b', [3], [1, 2, 3])],
        input: [valueInfo('x', DataType.FLOAT, ['n', 3])],
        output: [valueInfo('y', DataType.FLOAT, ['n', 3])],
      },
    });
    const session = await ort.InferenceSession.create(bytes);
    const out = await session.run({ x: new ort.Tensor('float32', Float32Array.from([1, 1, 1]), [1, 3]) });
    expect(Array.from(out.y!.data as Float32Array)).toEqual([3, 4, 5]);
    await session.release();
  });
});
