import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_EP, fp32OnlyOnGpu, setUpTestEp } from '../../../test-support/testEp';
import { decodeImage } from '../../../tools/lib/nodeSegmenter';
import { modelInputSize, preprocess } from '../../processing/normalize';
import { SAM_SIDE, SamModel } from './samModel';
import { bytesOf, f32, GOLDEN, i64, maxAbs } from './testFixtures.testing';

/*
 * The tiny SAM through the app's code (ORT WASM, Node): the picture prepared by the app's own
 * preprocessing equals the reference's pixel values bit for bit, the encoder reproduces PyTorch's
 * embeddings and the decoder its IoU scores and mask logits for single, multi-point and batched prompts.
 */
const HOOK_TIMEOUT = 120_000;
const part = (file: string) => ({ bytes: bytesOf(file), file });

/** The app's preprocessing of the fixture picture: long side 1024, ImageNet normalisation. */
function samPixels() {
  const img = decodeImage(bytesOf('image.png'));
  const size = modelInputSize({ kind: 'dynamic', longSide: SAM_SIDE, multiple: 1 }, img.width, img.height);
  const { mean, std } = GOLDEN.sam_preprocess;
  return preprocess(img, { ...size, resample: 'bilinear' }, { mean, std });
}

beforeAll(() => setUpTestEp());

describe('SamModel on sam-tiny (fp32)', () => {
  let m: SamModel;
  beforeAll(async () => {
    m = await SamModel.create(part('vision_encoder.onnx'), part('prompt_encoder_mask_decoder.onnx'), TEST_EP);
    const px = samPixels();
    await m.encode(px.data, px.width, px.height);
  }, HOOK_TIMEOUT);
  afterAll(() => m?.release());

  it("prepares the picture exactly as SAM's processor does (long side 1024, padded bottom-right)", () => {
    const px = samPixels();
    expect([px.width, px.height]).toEqual([1024, 768]);
    const padded = new Float32Array(3 * SAM_SIDE * SAM_SIDE);
    for (let c = 0; c < 3; c++)
      for (let y = 0; y < px.height; y++)
        padded.set(
          px.data.subarray((c * px.height + y) * px.width, (c * px.height + y + 1) * px.width),
          (c * SAM_SIDE + y) * SAM_SIDE,
        );
    const hash = createHash('sha256').update(new Uint8Array(padded.buffer)).digest('hex');
    expect(hash).toBe(GOLDEN.sam_preprocess.pixel_values.sha256);
  });

  it('encodes the picture as PyTorch does (within 1e-4)', async () => {
    const { image, positions } = await m.readEmbeddings();
    expect(maxAbs(image, f32('image_embeddings'))).toBeLessThan(1e-4);
    expect(maxAbs(positions, f32('image_positional_embeddings'))).toBeLessThan(1e-4);
  });

  it.each(['point1', 'points3', 'batch4'])(
    'decodes the %s prompt as PyTorch does (within 1e-4)',
    async (name) => {
      const c = GOLDEN.decoder_cases[name]!;
      const labels = i64(c.input_labels);
      const points = f32(c.input_points);
      const n = name === 'points3' ? 3 : 1;
      const P = labels.length / n;
      const out = await m.decode(points, labels, P, n);
      expect([out.h, out.w]).toEqual([256, 256]);
      expect(maxAbs(out.iou, f32(c.iou_scores))).toBeLessThan(1e-4);
      expect(maxAbs(out.masks, f32(c.pred_masks))).toBeLessThan(1e-4);
    },
  );
});

describe('SamModel refuses graphs that are not SAM', () => {
  it('names what it looked for', async () => {
    const clip = part('clip_vision_model.onnx');
    const err = await SamModel.create(clip, part('prompt_encoder_mask_decoder.onnx'), TEST_EP).catch(
      (e: Error) => e,
    );
    expect((err as Error).message).toMatch(
      /the SAM image encoder \(clip_vision_model\.onnx\) is not a SAM export .*no input "pixel_values"|no output "image_embeddings"/,
    );
    expect((err as Error).message).toContain(
      'looked for inputs pixel_values and outputs image_embeddings, image_positional_embeddings',
    );
  });
});

describe.skipIf(fp32OnlyOnGpu('sam-tiny fp16 and int8', false))(
  'SamModel variants (fp16, int8) load and stay near PyTorch',
  () => {
    // Measured when the fixture was made (tools/sam-fixture): decoder masks 0.14 (fp16), 0.76 (int8).
    it.each([
      ['_fp16', 0.2, 0.01],
      ['_quantized', 1.0, 0.05],
    ])(
      '%s: one point decodes near the reference (masks within %f, IoU within %f)',
      async (v, maskTol, iouTol) => {
        const m = await SamModel.create(
          part(`vision_encoder${v}.onnx`),
          part(`prompt_encoder_mask_decoder${v}.onnx`),
          TEST_EP,
        );
        try {
          const px = samPixels();
          await m.encode(px.data, px.width, px.height);
          const c = GOLDEN.decoder_cases.point1!;
          const out = await m.decode(f32(c.input_points), i64(c.input_labels), 1, 1);
          expect(maxAbs(out.masks, f32(c.pred_masks))).toBeLessThan(maskTol);
          expect(maxAbs(out.iou, f32(c.iou_scores))).toBeLessThan(iouTol);
        } finally {
          await m.release();
        }
      },
      120_000,
    );
  },
);
