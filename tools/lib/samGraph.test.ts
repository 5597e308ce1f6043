import { beforeAll, describe, expect, it } from 'vitest';
import { decodeModel, type OnnxValueInfo } from '../../src/models/onnx/onnxProto';
import { modelInputSize, preprocess } from '../../src/processing/normalize';
import { ort } from '../../src/models/runtime/ortRuntime';
import { bytesOf, f32, GOLDEN, i64, maxAbs } from '../../src/models/samclip/testFixtures.testing';
import { GraphWriter } from './graphWriter';
import { configureOrt, decodeImage } from './nodeSegmenter';
import { FixtureWeights } from './samFixtureWeights.testing';
import { buildSam, samModelBytes, type SamPart } from './samGraph';
import { SAM_TINY, SAM_VIT_B, SLIMSAM_77, samParameterCount, type SamSize } from './samSize';

/*
 * The benchmark's SAM graphs. The architecture is proven on the tiny config: built by the same code
 * with the fixture's own weights (its torch export's initializers, every one used), the graphs give
 * PyTorch's outputs (fixtures/sam-tiny, tools/sam-fixture/sam_tiny.py). The full sizes run the same
 * code with other widths and depths: their parameter counts are checked against the published ones.
 */
const DIR = 'fixtures/sam-tiny';
const FILES: Record<SamPart, string> = {
  encoder: `${DIR}/vision_encoder.onnx`,
  decoder: `${DIR}/prompt_encoder_mask_decoder.onnx`,
};
const session = (bytes: Uint8Array) => ort.InferenceSession.create(bytes);
const f = (data: Float32Array, dims: number[]) => new ort.Tensor('float32', data, dims);
const i = (data: number[], dims: number[]) => new ort.Tensor('int64', BigInt64Array.from(data, BigInt), dims);
const largest = (a: Float32Array) => a.reduce((m, v) => Math.max(m, Math.abs(v)), 0);

/** The fixture picture as SAM's processor feeds it: long side 1024, normalised, padded to 1024². */
function pixelValues(): Float32Array {
  const img = decodeImage(bytesOf('image.png'));
  const size = modelInputSize({ kind: 'dynamic', longSide: 1024, multiple: 1 }, img.width, img.height);
  const px = preprocess(img, { ...size, resample: 'bilinear' }, GOLDEN.sam_preprocess);
  const out = new Float32Array(3 * 1024 * 1024);
  for (let c = 0; c < 3; c++)
    for (let y = 0; y < px.height; y++)
      out.set(
        px.data.subarray((c * px.height + y) * px.width, (c * px.height + y + 1) * px.width),
        (c * 1024 + y) * 1024,
      );
  return out;
}

beforeAll(() => configureOrt());

describe('the tiny config built with the fixture weights', () => {
  const embeddings = () => ({
    image_embeddings: f(f32('image_embeddings'), [1, 32, 64, 64]),
    image_positional_embeddings: f(f32('image_positional_embeddings'), [1, 32, 64, 64]),
  });

  it('encodes the picture as PyTorch does, with every fixture parameter used', async () => {
    const w = new FixtureWeights(FILES.encoder);
    const s = await session(samModelBytes(SAM_TINY, 0, 'encoder', w).bytes);
    expect(w.unused()).toEqual([]);
    const out = await s.run({ pixel_values: f(pixelValues(), [1, 3, 1024, 1024]) });
    await s.release();
    const ref = f32('image_embeddings');
    expect(largest(ref)).toBeGreaterThan(1); // not a near-zero output
    expect(maxAbs(out.image_embeddings!.data as Float32Array, ref)).toBeLessThan(1e-4);
    const pe = out.image_positional_embeddings!.data as Float32Array;
    expect(maxAbs(pe, f32('image_positional_embeddings'))).toBeLessThan(1e-5);
  });

  it("decodes the fixture's prompts as PyTorch does: one point, three points, a batch of 4, padding", async () => {
    const w = new FixtureWeights(FILES.decoder);
    const s = await session(samModelBytes(SAM_TINY, 0, 'decoder', w).bytes);
    expect(w.unused()).toEqual([]);
    const shapes: Record<string, [number, number]> = {
      point1: [1, 1],
      points3: [1, 3],
      batch4: [4, 1],
      padded: [2, 2],
    };
    for (const [name, [P, n]] of Object.entries(shapes)) {
      const c = GOLDEN.decoder_cases[name]! as Record<string, string>;
      const out = await s.run({
        input_points: f(f32(c.input_points!), [1, P, n, 2]),
        input_labels: i(i64(c.input_labels!), [1, P, n]),
        ...embeddings(),
      });
      expect(maxAbs(out.iou_scores!.data as Float32Array, f32(c.iou_scores!)), name).toBeLessThan(1e-4);
      let masks = out.pred_masks!.data as Float32Array;
      if (!c.pred_masks) {
        // The fixture keeps every 4th row and column of this case.
        masks = masks.filter((_, k) => (k % 256) % 4 === 0 && (Math.floor(k / 256) % 256) % 4 === 0);
      }
      expect(maxAbs(masks, f32(c.pred_masks ?? c.pred_masks_s4!)), name).toBeLessThan(1e-4);
    }
    await s.release();
  });
});

describe('the graphs as transformers.js exports them', () => {
  const sig = (v: OnnxValueInfo) => {
    const t = v.type!.tensor_type!;
    return [v.name, t.elem_type, t.shape!.dim!.map((d) => d.dim_param || d.dim_value)];
  };
  it.each(['encoder', 'decoder'] as const)(
    '%s: the same inputs and outputs as the fixture export',
    (part) => {
      const mine = decodeModel(samModelBytes(SAM_TINY, 5, part).bytes).graph!;
      const real = decodeModel(bytesOf(FILES[part].slice(DIR.length + 1))).graph!;
      expect([...mine.input!, ...mine.output!].map(sig)).toEqual([...real.input!, ...real.output!].map(sig));
    },
  );

  it.each([
    ['SAM ViT-B', SAM_VIT_B],
    ['SlimSAM-77', SLIMSAM_77],
  ] as [string, SamSize][])("%s: the fixture export's inputs and outputs at 256 channels", (_, s) => {
    for (const part of ['encoder', 'decoder'] as const) {
      const mine = decodeModel(samModelBytes(s, 1, part, new GraphWriter(1, true)).bytes).graph!;
      const real = decodeModel(bytesOf(FILES[part].slice(DIR.length + 1))).graph!;
      const wide = (v: OnnxValueInfo) =>
        sig(v).map((e) => (Array.isArray(e) ? e.map((d) => (d === 32 ? 256 : d)) : e));
      expect([...mine.input!, ...mine.output!].map(sig)).toEqual([...real.input!, ...real.output!].map(wide));
    }
  });

  it('gives [1, P, 3] and [1, P, 3, 256, 256] for any P and n, each prompt as if alone', async () => {
    const enc = await session(samModelBytes(SAM_TINY, 5, 'encoder').bytes);
    const dec = await session(samModelBytes(SAM_TINY, 5, 'decoder').bytes);
    const px = new Float32Array(3 * 1024 * 1024).map((_, k) => Math.sin(k * 0.37) * 2);
    const emb = await enc.run({ pixel_values: f(px, [1, 3, 1024, 1024]) });
    const run = (pts: number[], labels: number[], P: number, n: number) =>
      dec.run({
        input_points: f(Float32Array.from(pts), [1, P, n, 2]),
        input_labels: i(labels, [1, P, n]),
        image_embeddings: emb.image_embeddings!,
        image_positional_embeddings: emb.image_positional_embeddings!,
      });
    for (const [P, n] of [
      [1, 1],
      [3, 1],
      [2, 4],
    ] as const) {
      const pts = Array.from({ length: P * n * 2 }, (_, k) => (k * 389) % 1024);
      const labels = Array.from({ length: P * n }, (_, k) => [1, 0, 1, -10][k % 4]!);
      const out = await run(pts, labels, P, n);
      expect(out.iou_scores!.dims).toEqual([1, P, 3]);
      expect(out.pred_masks!.dims).toEqual([1, P, 3, 256, 256]);
      const all = out.pred_masks!.data as Float32Array;
      const plane = 3 * 256 * 256;
      for (let p = 0; p < P; p++) {
        const alone = await run(
          pts.slice(p * n * 2, (p + 1) * n * 2),
          labels.slice(p * n, (p + 1) * n),
          1,
          n,
        );
        const a = alone.pred_masks!.data as Float32Array;
        expect(maxAbs(a, all.subarray(p * plane, (p + 1) * plane))).toBeLessThan(1e-4);
        expect(largest(a)).toBeGreaterThan(0.01);
      }
    }
    await Promise.all([enc.release(), dec.release()]);
  });

  it('is deterministic from the seed', () => {
    const a = samModelBytes(SAM_TINY, 7, 'decoder').bytes;
    expect(Buffer.from(samModelBytes(SAM_TINY, 7, 'decoder').bytes).equals(Buffer.from(a))).toBe(true);
    expect(Buffer.from(samModelBytes(SAM_TINY, 8, 'decoder').bytes).equals(Buffer.from(a))).toBe(false);
  });
});

describe('the published sizes', () => {
  it("SAM ViT-B's torch parameters are upstream's (89,670,912 + 6,220 + 4,058,340)", () => {
    expect(samParameterCount(SAM_VIT_B)).toEqual({
      encoder: 89_670_912,
      promptEncoder: 6_220,
      maskDecoder: 4_058_340,
    });
  });

  it("SAM_TINY is the fixture's sam_config", () => {
    const c = (GOLDEN as unknown as { sam_config: Record<string, number | number[]> }).sam_config;
    const e = SAM_TINY.encoder;
    expect([e.hidden, e.layers, e.heads, e.mlp / e.hidden, e.global, e.window, e.out]).toEqual([
      c.encoder_embed_dim,
      c.encoder_depth,
      c.encoder_num_heads,
      c.mlp_ratio,
      c.global_attn_indexes,
      c.window_size,
      c.out_chans,
    ]);
    const m = SAM_TINY.decoder;
    expect([SAM_TINY.prompt.dim, m.depth, m.heads, m.mlp, m.downsample, m.iouHidden, m.iouDepth]).toEqual([
      c.prompt_embed_dim,
      c.transformer_depth,
      c.transformer_num_heads,
      c.transformer_mlp_dim,
      c.attention_downsample_rate,
      c.iou_head_hidden_dim,
      c.iou_head_depth,
    ]);
  });

  /** The graphs hold the torch parameters less what a points-only export leaves out, plus the Gaussian matrix. */
  it.each([
    ['SAM ViT-B', SAM_VIT_B],
    ['SlimSAM-77', SLIMSAM_77],
    ['tiny', SAM_TINY],
  ] as [string, SamSize][])('%s: the graphs hold exactly the parameters they need', (_, s) => {
    const count = (part: SamPart) => {
      const w = new GraphWriter(1, true);
      buildSam(w, s, part, 1);
      return w.floats;
    };
    const t = samParameterCount(s);
    const d = s.prompt.dim;
    const gaussian = d; // [2, d / 2], a buffer in torch
    const maskDownscaling = t.promptEncoder - 6 * d; // the mask input branch
    const boxCorners = 2 * d; // point_embeddings 2 and 3
    expect(count('encoder')).toBe(t.encoder + gaussian);
    expect(count('decoder')).toBe(t.promptEncoder - maskDownscaling - boxCorners + t.maskDecoder + gaussian);
  });
});
