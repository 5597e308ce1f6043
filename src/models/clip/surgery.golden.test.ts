import { beforeAll, describe, expect, it } from 'vitest';
import { TEST_EP, TEST_EP_NAME, setUpTestEp } from '../../../test-support/testEp';
import { decodeModel } from '../onnx/onnxProto';
import { decomposeLayerNorms } from './decomposeLayerNorm';
import { clearClipSurgery, OUTPUT } from './surgery';
import { bytesOf, f32, maxAbs, runOnce } from './testFixtures.testing';

const OPSET14 = '../clip-vision-opset14-tiny/';

/*
 * clip-vision-tiny (see fixtures/clip-vision-tiny/golden.json): CLIPVisionModelWithProjection, 224,
 * patch 16, 3 layers, width 32, projection 16. `dense_clearclip` [1, 196, 16] is PyTorch's ClearCLIP
 * last block from `hidden_before_last_block` [1, 197, 32]. ORT vs PyTorch on the whole tower: 4.2e-7.
 * clip-vision-opset14-tiny (tools/gen-clip-vision-opset14.py) has the same sizes and its own goldens.
 */
const TOL = 1e-4;

beforeAll(() => setUpTestEp());

const FORMS = [
  { what: 'LayerNormalization nodes (opset 17)', make: () => bytesOf('vision_model.onnx'), form: 'node' },
  {
    what: 'LayerNorms decomposed into primitive ops, opset 16',
    make: () => decomposeLayerNorms(bytesOf('vision_model.onnx'), 16),
    form: 'decomposed',
  },
  {
    // PyTorch's own opset-14 export (decomposed LayerNorms, queries scaled before the head reshape,
    // position embeddings folded into one initializer, random LayerNorm gains and biases).
    what: 'a PyTorch opset-14 export (clip-vision-opset14-tiny)',
    make: () => bytesOf(`${OPSET14}vision_model.onnx`),
    form: 'decomposed',
    dir: OPSET14,
  },
] as const;

for (const f of FORMS)
  describe(`dense-CLIP surgery on clip-vision-tiny fp32, ${f.what} (${TEST_EP_NAME}, Node)`, () => {
    it('reproduces the dense_clearclip golden within 1e-4, and finds the last layer input', async () => {
      const dir = 'dir' in f ? f.dir : '';
      const [PIXELS, GOLDEN, HIDDEN] = ['pixel_values', 'dense_clearclip', 'hidden_before_last_block'].map(
        (k) => f32(`${dir}${k}.bin`),
      );
      const src = f.make();
      const { bytes, info } = clearClipSurgery(src, { exposeHidden: true });
      expect(info.layers).toBe(3);
      expect(info.layerNormForm).toBe(f.form);
      expect(info.dim).toBe(16);
      expect(info.positions).toMatchObject({
        patch: 16,
        baseGrid: { h: 14, w: 14 },
        size: { h: 224, w: 224 },
      });
      const ops = new Set(decodeModel(bytes).graph!.node!.map((n) => n.op_type));
      expect(ops.has('LayerNormalization')).toBe(f.form === 'node');
      const out = await runOnce(
        bytes,
        { [info.pixelInput]: { data: PIXELS, dims: [1, 3, 224, 224] } },
        TEST_EP,
      );
      expect(out[OUTPUT]!.dims).toEqual([1, 196, 16]);
      expect(maxAbs(out[OUTPUT]!.data, GOLDEN)).toBeLessThanOrEqual(TOL);
      expect(maxAbs(out[info.lastLayerInput]!.data, HIDDEN)).toBeLessThanOrEqual(TOL);
    });
  });
