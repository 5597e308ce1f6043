import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { decodeModel, encodeModel, type OnnxNode, type OnnxTensor } from '../../src/models/onnx/onnxProto';
import { bytesOf } from '../../src/models/samclip/testFixtures.testing';
import { HUB_OPS, quantizeDynamic, quantizeWeightUint8 } from './quantizeDynamic';

/*
 * The TypeScript port against its Python original: quantising the fixture's fp32 graphs gives the
 * fixture's own `*_quantized.onnx` (tools/sam-fixture/quantize_dynamic.py): the same nodes in the
 * same order, the same initializers with the same values.
 */
const nodeKey = (n: OnnxNode) =>
  JSON.stringify([
    n.op_type,
    n.name,
    n.input,
    n.output,
    (n.attribute ?? []).map((a) => [a.name, a.type, a.i, a.ints, a.f]),
  ]);
/** A tensor's values as bytes, whichever field holds them (Python's make_tensor fills float_data / int32_data). */
const values = (t: OnnxTensor) => {
  if (t.raw_data?.length) return Buffer.from(t.raw_data).toString('hex');
  if (t.float_data?.length) return Buffer.from(Float32Array.from(t.float_data).buffer).toString('hex');
  if (t.int64_data?.length)
    return Buffer.from(BigInt64Array.from(t.int64_data, (x) => BigInt(String(x))).buffer).toString('hex');
  return Buffer.from(Uint8Array.from(t.int32_data ?? [])).toString('hex');
};
const init = (t: OnnxTensor) => JSON.stringify([t.name, t.dims?.map(Number), t.data_type, values(t)]);

describe('dynamic int8 quantisation', () => {
  it.each(['prompt_encoder_mask_decoder', 'vision_encoder'])(
    "gives the Python tool's %s_quantized.onnx",
    (base) => {
      const mine = decodeModel(encodeModel(quantizeDynamic(decodeModel(bytesOf(`${base}.onnx`))))).graph!;
      const ref = decodeModel(bytesOf(`${base}_quantized.onnx`)).graph!;
      expect(mine.node!.filter((n) => n.op_type === 'MatMulInteger').length).toBeGreaterThan(10);
      expect(mine.node!.map(nodeKey)).toEqual(ref.node!.map(nodeKey));
      expect(mine.initializer!.map(init)).toEqual(ref.initializer!.map(init));
    },
  );

  /*
   * The hub pattern against onnxruntime itself: the CLIPSeg and CLIP fixtures' `_quantized` files were
   * written by onnxruntime's quantize_dynamic (Gemm folded into MatMul + Add, ConvInteger with its
   * bias Reshape, quantised Gather + DequantizeLinear). Same nodes (in any order: both are
   * topological) and the same initializers, byte for byte.
   */
  it.each([
    ['clipseg-tiny', 'model'],
    ['clip-text-tiny', 'text_model'],
    ['clip-vision-tiny', 'vision_model'],
  ])("gives onnxruntime's own fixtures/%s/%s_quantized.onnx with HUB_OPS", (dir, base) => {
    const read = (f: string) => decodeModel(readFileSync(`fixtures/${dir}/${f}.onnx`));
    const mine = decodeModel(encodeModel(quantizeDynamic(read(base), HUB_OPS))).graph!;
    const ref = read(`${base}_quantized`).graph!;
    const ops = new Set(mine.node!.map((n) => n.op_type));
    expect(ops).toContain('MatMulInteger');
    if (dir !== 'clip-text-tiny') expect(ops).toContain('ConvInteger');
    if (dir !== 'clip-vision-tiny') expect(ops).toContain('DequantizeLinear');
    expect(mine.node!.map(nodeKey).sort()).toEqual(ref.node!.map(nodeKey).sort());
    expect(mine.initializer!.map(init).sort()).toEqual(ref.initializer!.map(init).sort());
  });

  it("rounds half to even and widens the range to 0, as onnxruntime's quantize_data", () => {
    // rmin = 0 (widened), rmax = 2.55: scale 0.01, zero point 0; 0.005 / 0.01 = 0.5 rounds to 0, 0.015 to 2.
    const { q, scale, zeroPoint } = quantizeWeightUint8(Float32Array.of(0.5, 2.55, 0.005, 0.015));
    expect(zeroPoint).toBe(0);
    expect(scale).toBe(Math.fround(Math.fround(2.55) / 255));
    expect(Array.from(q)).toEqual([50, 255, 0, 2]);
    // rmin = -127.5 / 256, rmax = 127.5 / 256: scale 1/256, zero point round(127.5) = 128 (even);
    // -127.5 rounds to -128 (q 0), 127.5 to 128 (q 256, clipped), 0.5 to 0, 1.5 to 2.
    const neg = quantizeWeightUint8(Float32Array.from([-127.5, 127.5, 0.5, 1.5], (v) => v / 256));
    expect([neg.scale, neg.zeroPoint]).toEqual([1 / 256, 128]);
    expect(Array.from(neg.q)).toEqual([0, 255, 128, 130]);
  });
});
