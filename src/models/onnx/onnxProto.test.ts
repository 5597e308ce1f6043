import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as ort from 'onnxruntime-web';
import { describe, expect, it } from 'vitest';
import { buildModelBytes, floatTensor, int64Tensor, node, valueInfo } from './onnxBuilder';
import { DataType, decodeModel, decodeTensor, encodeModel, encodeTensor, onnxType } from './onnxProto';

const modelPath = (name: string): string =>
  fileURLToPath(new URL(`../../../public/models/colours/${name}`, import.meta.url));

describe('onnxProto', () => {
  it('round-trips a model byte for byte', () => {
    const bytes = new Uint8Array(readFileSync(modelPath('image_model.onnx')));
    const model = decodeModel(bytes);
    expect(model.ir_version).toBe(8);
    expect(model.opset_import).toEqual([{ domain: '', version: 17 }]);
    expect(model.graph?.input?.[0]?.type?.tensor_type?.shape?.dim?.[2]).toEqual({ dim_param: 'height' });
    expect(Buffer.from(encodeModel(model)).equals(bytes)).toBe(true);
  });

  it('keeps int64 sentinels and float32 raw data intact', () => {
    const t = decodeTensor(encodeTensor(int64Tensor('x', [2], [-1, 2 ** 40])));
    expect(t.dims).toEqual([2]);
    const view = new DataView(t.raw_data!.buffer, t.raw_data!.byteOffset, t.raw_data!.byteLength);
    expect([view.getBigInt64(0, true), view.getBigInt64(8, true)]).toEqual([-1n, 2n ** 40n]);
    const max = decodeTensor(encodeTensor({ dims: [1], data_type: DataType.INT64, int64_data: [2 ** 63] }));
    // 2^63 is not representable: the codec saturates to INT64_MAX, as ONNX sentinels expect.
    const reader = onnxType('TensorProto').decode(encodeTensor(max)) as unknown as { int64_data: unknown[] };
    expect(String(reader.int64_data[0])).toBe('9223372036854775807');
  });

  it('writes packed repeated fields where onnx.proto says so', () => {
    // float_data (field 4) packed: tag 0x22 = (4 << 3) | 2.
    const bytes = encodeTensor({ dims: [1], data_type: DataType.FLOAT, float_data: [1] });
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
