import { beforeAll, describe, expect, it } from 'vitest';
import { configureOrt } from '../../../tools/lib/nodeSegmenter';
import { valueInfo } from '../onnx/onnxBuilder';
import { DataType, decodeModel, encodeModel } from '../onnx/onnxProto';
import { GraphIndex } from './graphIndex';
import { clearClipBlock, type ClearClipWeights } from './reference';
import { clearClipSurgery, OUTPUT } from './surgery';
import { bytesOf, f32, maxAbs, runOnce } from './testFixtures.testing';

/*
 * fp16 and dynamic-int8 variants of clip-vision-tiny. There is no ONNX Runtime (python) reference for
 * dense embeddings of the variants, so each surgered variant is compared with a reference computed by
 * another route: the ORIGINAL variant graph is run (ORT WASM) with its last layer's input exposed by
 * name, and the ClearCLIP block is computed from that in float64 (./reference.ts) with the variant's
 * own weights, read by their export names (fp16 widened, uint8 dequantised). For int8 the float64
 * route also applies ONNX DynamicQuantizeLinear to the activations entering the q/v/out/projection
 * MatMuls (one scale per tensor, as the export does); for fp16 the difference left is fp16 rounding.
 */
const PIXELS = f32('pixel_values.bin');
const GOLDEN = f32('dense_clearclip.bin');
const HIDDEN = f32('hidden_before_last_block.bin');
const LAST_INPUT = '/m/vision_model/encoder/layers.1/Add_1_output_0';
const L = 'm.vision_model.encoder.layers.2.';
const N = 197;
const C = 32;

function weights(bytes: Uint8Array): ClearClipWeights {
  const g = new GraphIndex(decodeModel(bytes).graph!);
  const get = (name: string): Float64Array => {
    const v = g.constValue(name);
    if (v) return v.data;
    const [q, s, z] = ['_quantized', '_scale', '_zero_point'].map((x) => g.constValue(name + x));
    if (!q || !s || !z) throw new Error(`no weight ${name}`);
    return q.data.map((x) => (x - z.data[0]!) * s.data[0]!);
  };
  const ln = (p: string) => ({ gamma: get(`${p}.weight`), beta: get(`${p}.bias`), eps: 1e-5 });
  return {
    ln1: ln(`${L}layer_norm1`),
    wq: get('onnx::MatMul_386'),
    bq: get(`${L}self_attn.q_proj.bias`),
    wv: get('onnx::MatMul_388'),
    bv: get(`${L}self_attn.v_proj.bias`),
    wo: get('onnx::MatMul_400'),
    bo: get(`${L}self_attn.out_proj.bias`),
    post: ln('m.vision_model.post_layernorm'),
    proj: get('onnx::MatMul_403'),
    heads: 2,
  };
}

/** The original graph with the last layer's input as an extra output. */
function withHidden(bytes: Uint8Array, type: number): Uint8Array {
  const m = decodeModel(bytes);
  m.graph!.output!.push(valueInfo(LAST_INPUT, type, ['batch', 'tokens', 'hidden']));
  return encodeModel(m);
}

const INPUT = { pixel_values: { data: PIXELS, dims: [1, 3, 224, 224] } };

const VARIANTS = [
  // Measured (ORT-web 1.30 WASM, Node; embeddings are unit vectors): fp16 1.2e-4 (fp16 rounding in
  // every op, not emulated); int8 6.7e-8 with DynamicQuantizeLinear emulated (4.2e-3 without).
  { file: 'vision_model_fp16.onnx', type: DataType.FLOAT16, tol: 1e-3, quant: false },
  { file: 'vision_model_quantized.onnx', type: DataType.FLOAT, tol: 1e-4, quant: true },
] as const;

beforeAll(() => configureOrt());

describe('the float64 reference route itself', () => {
  it('reproduces the PyTorch golden from the golden hidden state and fp32 weights', () => {
    const ref = clearClipBlock(HIDDEN, N, C, weights(bytesOf('vision_model.onnx')));
    expect(maxAbs(ref, GOLDEN)).toBeLessThanOrEqual(1e-5);
  });
  it('tells q·q from q·k attention by far more than the variant tolerances', () => {
    const w = weights(bytesOf('vision_model.onnx'));
    const g = new GraphIndex(decodeModel(bytesOf('vision_model.onnx')).graph!);
    // Keys in place of the second query: the usual attention, not ClearCLIP's.
    const qk = clearClipBlock(HIDDEN, N, C, w, g.constValue('onnx::MatMul_387')!.data);
    expect(maxAbs(qk, GOLDEN)).toBeGreaterThan(5 * Math.max(...VARIANTS.map((v) => v.tol)));
  });
});

for (const v of VARIANTS)
  describe(`dense-CLIP surgery on ${v.file} (WASM, Node)`, () => {
    it('matches the float64 ClearCLIP block on its own hidden state and weights', async () => {
      const src = bytesOf(v.file);
      const hidden = (await runOnce(withHidden(src, v.type), INPUT))[LAST_INPUT]!.data;
      const ref = clearClipBlock(hidden, N, C, { ...weights(src), dynamicQuant: v.quant });
      const { bytes } = clearClipSurgery(src);
      const out = (await runOnce(bytes, INPUT))[OUTPUT]!;
      expect(out.dims).toEqual([1, 196, 16]);
      const diff = maxAbs(out.data, ref);
      console.log(
        `${v.file}: vs own float64 reference ${diff.toExponential(2)}, vs fp32 golden ${maxAbs(out.data, GOLDEN).toExponential(2)}`,
      );
      expect(diff).toBeLessThanOrEqual(v.tol);
    });
  });
