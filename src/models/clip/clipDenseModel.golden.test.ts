import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_EP, setUpTestEp } from '../../../test-support/testEp';
import { prng } from '../../../test-support/prng';
import { cropChw, slidingWindows } from './maths/windows';
import { patchClassLogits } from '../gkc/patchLogits';
import { upsamplePlanes } from '../../processing/resize';
import { int64Tensor, node } from '../onnx/onnxBuilder';
import { decodeModel, encodeModel } from '../onnx/onnxProto';
import { ClipDenseModel, type ClassRows } from './clipDenseModel';
import { bytesOf, f32, maxAbs } from './testFixtures.testing';

/*
 * The image model on clip-vision-tiny fp32 (WASM, Node): every 224 window of a larger picture
 * reproduces the PyTorch golden (batch-independent), the window path and the single-pass path agree
 * with logits computed from the golden embeddings, and a larger single-pass grid loads and runs.
 */
const PIXELS = f32('pixel_values.bin');
const GOLDEN = f32('dense_clearclip.bin');
const S = 224;
const HOOK_TIMEOUT = 120_000;

/** Three unit class rows of dim 16 (the tiny model's projection), classes [0, 1, 1]. */
function classRows(): ClassRows {
  const r = prng(7);
  const names = Float32Array.from({ length: 3 * 16 }, () => r() * 2 - 1);
  for (let k = 0; k < 3; k++) {
    const row = names.subarray(k * 16, k * 16 + 16);
    const n = Math.hypot(...row);
    row.forEach((v, i) => (row[i] = v / n));
  }
  return { names, rowToClass: [0, 1, 1], numClasses: 2, logitScale: 100 };
}

beforeAll(() => setUpTestEp());

describe('ClipDenseModel at the tower own 224 grid', () => {
  let m: ClipDenseModel;
  beforeAll(async () => {
    m = await ClipDenseModel.create(bytesOf('vision_model.onnx'), TEST_EP, 'clip-vision-tiny');
  }, HOOK_TIMEOUT);
  afterAll(() => m.release());

  it('takes 224x224 and gives a 14x14 grid of 16-d embeddings', () => {
    expect(m.size).toEqual({ h: 224, w: 224 });
    expect(m.grid).toEqual({ h: 14, w: 14 });
    expect(m.info.dim).toBe(16);
  });

  it('reproduces the golden in the windows of a 448x597 picture, whatever their batch slot', async () => {
    // Noise everywhere, the golden input pasted into two (disjoint) windows of the 15.
    const H = 448;
    const W = 597;
    const r = prng(11);
    const canvas = Float32Array.from({ length: 3 * H * W }, () => r() * 4 - 2);
    const spots = [
      { y: 0, x: 373 }, // the last window of a row (not on a stride step)
      { y: 224, x: 112 },
    ];
    for (const s of spots)
      for (let c = 0; c < 3; c++)
        for (let y = 0; y < S; y++)
          canvas.set(PIXELS.subarray((c * S + y) * S, (c * S + y + 1) * S), c * H * W + (s.y + y) * W + s.x);
    const windows = slidingWindows(H, W);
    expect(windows).toHaveLength(15);
    const batch = new Float32Array(4 * 3 * S * S);
    const picked = [windows[0]!, spots[0]!, windows[3]!, spots[1]!];
    picked.forEach((p, j) => batch.set(cropChw(canvas, 3, H, W, p.y, p.x, S, S), j * 3 * S * S));
    const e = await m.embed(batch, 4);
    const n = GOLDEN.length;
    expect(maxAbs(e.subarray(n, 2 * n), GOLDEN)).toBeLessThanOrEqual(1e-4);
    expect(maxAbs(e.subarray(3 * n, 4 * n), GOLDEN)).toBeLessThanOrEqual(1e-4);
    expect(maxAbs(e.subarray(0, n), GOLDEN)).toBeGreaterThan(0.1); // a noise window is not the golden
  });

  it('window-averaged logits of a 224 picture = upsampled logits of the golden embeddings', async () => {
    const classes = classRows();
    const fromGolden = patchClassLogits(GOLDEN, classes.names, classes.rowToClass, 2, 16, 100);
    const expected = upsamplePlanes(fromGolden, 2, 14, 14, S, S);
    // Patch cells (224 and the stride are whole patches): the window's own 14x14 logits.
    const cells = await m.slidingLogits(PIXELS, S, S, classes);
    expect([cells.h, cells.w]).toEqual([14, 14]);
    // Logits are 100 x cosine: 1e-4 on unit vectors of dim 16 moves a cosine by at most 4e-4.
    expect(maxAbs(cells.logits, fromGolden)).toBeLessThanOrEqual(0.04);
    const pixels = await m.slidingLogits(PIXELS, S, S, classes, { cell: 1 });
    expect([pixels.h, pixels.w]).toEqual([S, S]);
    expect(maxAbs(pixels.logits, expected)).toBeLessThanOrEqual(0.04);
    const single = await m.singlePassLogits(PIXELS, classes);
    expect(maxAbs(single, fromGolden)).toBeLessThanOrEqual(0.04);
  });
});

for (const file of ['vision_model.onnx', '../clip-vision-opset14-tiny/vision_model.onnx'])
  describe(`ClipDenseModel built for a larger single-pass grid (position embeddings resized), ${file}`, () => {
    it(
      'loads for 28x37 patches (448x592 input) and gives unit embeddings for every patch',
      async () => {
        const m = await ClipDenseModel.create(bytesOf(file), TEST_EP, file, {
          grid: { h: 28, w: 37 },
        });
        try {
          expect(m.size).toEqual({ h: 448, w: 592 });
          expect(m.info.positions.baseGrid).toEqual({ h: 14, w: 14 });
          const r = prng(3);
          const e = await m.embed(Float32Array.from({ length: 3 * 448 * 592 }, () => r() * 2 - 1));
          expect(e).toHaveLength(28 * 37 * 16);
          for (let p = 0; p < 28 * 37; p += 97)
            expect(Math.hypot(...e.subarray(p * 16, p * 16 + 16))).toBeCloseTo(1, 5);
        } finally {
          await m.release();
        }
      },
      HOOK_TIMEOUT,
    );
  });

describe('single pass with resized position embeddings, against PyTorch (clip-vision-opset14-tiny)', () => {
  it(
    'reproduces interpolate_pos_encoding (bicubic) at an 18x24 grid within 1e-4',
    async () => {
      const dir = '../clip-vision-opset14-tiny/';
      const m = await ClipDenseModel.create(bytesOf(`${dir}vision_model.onnx`), TEST_EP, 'opset14', {
        grid: { h: 18, w: 24 },
      });
      try {
        expect(m.size).toEqual({ h: 288, w: 384 });
        // The generator's input formula (golden.json "large_input"), float64 then float32 as numpy does.
        const [H, W] = [288, 384];
        const px = new Float32Array(3 * H * W);
        for (let c = 0; c < 3; c++)
          for (let y = 0; y < H; y++)
            for (let x = 0; x < W; x++)
              px[(c * H + y) * W + x] = Math.sin(0.05 * (c + 1) * x) + Math.cos(0.07 * y + c);
        const e = await m.embed(px);
        expect(maxAbs(e, f32(`${dir}dense_clearclip_18x24.bin`))).toBeLessThanOrEqual(1e-4);
      } finally {
        await m.release();
      }
    },
    HOOK_TIMEOUT,
  );
});

describe('an export that fixes the token count', () => {
  it(
    'runs at its own grid, and says to use sliding windows when a larger grid cannot run',
    async () => {
      // Bake layer 0's [batch, tokens, width] reshape into a constant, as some exporters do.
      const model = decodeModel(bytesOf('vision_model.onnx'));
      const nodes = model.graph!.node!;
      const k = nodes.findIndex(
        (n) => n.output?.[0] === '/m/vision_model/encoder/layers.0/self_attn/Concat_3_output_0',
      );
      expect(k).toBeGreaterThan(0);
      const out = nodes[k]!.output![0]!;
      nodes[k] = node('Constant', [], [out], { value: int64Tensor('fixed', [3], [1, 197, 32]) });
      const bytes = encodeModel(model);
      const own = await ClipDenseModel.create(bytes, TEST_EP, 'fixed');
      expect(maxAbs(await own.embed(PIXELS), GOLDEN)).toBeLessThanOrEqual(1e-4);
      await own.release();
      await expect(
        ClipDenseModel.create(bytes, TEST_EP, 'fixed', { grid: { h: 18, w: 24 } }),
      ).rejects.toThrow(
        /could not run at a 24x18 patch grid \(its export may fix the number of tokens; use sliding windows/,
      );
    },
    HOOK_TIMEOUT,
  );
});
