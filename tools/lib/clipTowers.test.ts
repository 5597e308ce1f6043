import { beforeAll, describe, expect, it } from 'vitest';
import { ClipDenseModel } from '../../src/models/clip/clipDenseModel';
import { clearClipBlock } from '../../src/models/clip/reference';
import { clearClipSurgery, OUTPUT } from '../../src/models/clip/surgery';
import { maxAbs, runOnce } from '../../src/models/clip/testFixtures.testing';
import { decodeModel } from '../../src/models/onnx/onnxProto';
import { ort } from '../../src/models/runtime/ortRuntime';
import { clipTowerBytes } from './clipTowersBundle';
import { CLIP_TINY } from './clipTowersGraph';
import { configureOrt } from './nodeSegmenter';
import { prng } from '../../test-support/prng';

/*
 * The benchmark's CLIP towers (tools/make-clip-b16-full.ts) at toy size: the app's dense-CLIP
 * surgery must find their layers (the full-size bench model has the same structure, 12 layers), and
 * each tower must compute what CLIP computes at its outputs.
 */
beforeAll(() => configureOrt());

const vision = clipTowerBytes(CLIP_TINY, 3, 'vision').bytes;
const text = clipTowerBytes(CLIP_TINY, 4, 'text').bytes;

function weights(bytes: Uint8Array): Map<string, Float32Array> {
  const m = new Map<string, Float32Array>();
  for (const t of decodeModel(bytes).graph!.initializer!) {
    const r = t.raw_data!;
    m.set(t.name!, new Float32Array(r.buffer.slice(r.byteOffset, r.byteOffset + r.byteLength)));
  }
  return m;
}

function pixels(seed: number): Float32Array {
  const r = prng(seed);
  return Float32Array.from({ length: 3 * 224 * 224 }, () => r() * 4 - 2);
}

describe('CLIP vision tower of the bench (toy size)', () => {
  const C = CLIP_TINY.vision.hidden;
  const w = weights(vision);
  const get = (n: string) => w.get(n) ?? expect.fail(`no initializer ${n}`);

  it("passes the app's dense-CLIP surgery: ClearCLIP's last block on the last layer's input", async () => {
    const { bytes, info } = clearClipSurgery(vision, { exposeHidden: true });
    expect(info.layers).toBe(CLIP_TINY.vision.layers);
    expect(info.layerNormForm).toBe('node');
    expect(info.dim).toBe(CLIP_TINY.projection);
    expect(info.positions).toMatchObject({ patch: 16, baseGrid: { h: 14, w: 14 } });
    const out = await runOnce(bytes, { [info.pixelInput]: { data: pixels(1), dims: [1, 3, 224, 224] } });
    const L = `vision_model.encoder.layers.${CLIP_TINY.vision.layers - 1}`;
    const ln = (n: string) => ({ gamma: get(`${n}.weight`), beta: get(`${n}.bias`), eps: 1e-5 });
    const ref = clearClipBlock(out[info.lastLayerInput]!.data, 197, C, {
      ln1: ln(`${L}.layer_norm1`),
      wq: get(`${L}.self_attn.q_proj.weight_t`),
      bq: get(`${L}.self_attn.q_proj.bias`),
      wv: get(`${L}.self_attn.v_proj.weight_t`),
      bv: get(`${L}.self_attn.v_proj.bias`),
      wo: get(`${L}.self_attn.out_proj.weight_t`),
      bo: get(`${L}.self_attn.out_proj.bias`),
      post: ln('vision_model.post_layernorm'),
      proj: get('visual_projection.weight_t'),
      heads: CLIP_TINY.vision.heads,
    });
    expect(out[OUTPUT]!.dims).toEqual([1, 196, CLIP_TINY.projection]);
    expect(maxAbs(out[OUTPUT]!.data, ref)).toBeLessThanOrEqual(1e-4);
  });

  it('gives image_embeds = post-LayerNorm(class token of last_hidden_state) x projection', async () => {
    const out = await runOnce(vision, { pixel_values: { data: pixels(2), dims: [1, 3, 224, 224] } });
    expect(out.last_hidden_state!.dims).toEqual([1, 197, C]);
    const cls = out.last_hidden_state!.data.subarray(0, C);
    const mean = cls.reduce((a, b) => a + b, 0) / C;
    const sd = Math.sqrt(cls.reduce((a, b) => a + (b - mean) ** 2, 0) / C + 1e-5);
    const proj = get('visual_projection.weight_t');
    const P = CLIP_TINY.projection;
    const ref = Array.from({ length: P }, (_, j) => {
      let s = 0;
      for (let i = 0; i < C; i++) s += ((cls[i]! - mean) / sd) * proj[i * P + j]!;
      return s;
    });
    expect(maxAbs(out.image_embeds!.data, ref)).toBeLessThanOrEqual(1e-5);
  });

  it('loads as a ClipDenseModel and gives unit patch embeddings', async () => {
    const m = await ClipDenseModel.create(vision, 'wasm', 'bench tower');
    try {
      const e = await m.embed(pixels(3));
      expect(e.length).toBe(196 * CLIP_TINY.projection);
      for (const p of [0, 97, 195]) {
        const row = e.subarray(p * CLIP_TINY.projection, (p + 1) * CLIP_TINY.projection);
        expect(Math.hypot(...row)).toBeCloseTo(1, 5);
      }
    } finally {
      await m.release();
    }
  });
});

describe('CLIP text tower of the bench (toy size)', () => {
  async function embed(rows: number[][]): Promise<Float32Array> {
    const s = await ort.InferenceSession.create(text);
    try {
      const ids = BigInt64Array.from(rows.flat().map(BigInt));
      const out = await s.run({ input_ids: new ort.Tensor('int64', ids, [rows.length, rows[0]!.length]) });
      expect(s.inputNames).toEqual(['input_ids']);
      return out.text_embeds!.data as Float32Array;
    } finally {
      await s.release();
    }
  }

  it('pools at the end token under a causal mask: end-token padding changes nothing', async () => {
    const P = CLIP_TINY.projection;
    const [a, padded] = [
      await embed([[49406, 320, 1125, 49407]]),
      await embed([
        [49406, 320, 1125, 49407, 49407, 49407],
        [49406, 3306, 49407, 49407, 49407, 49407],
      ]),
    ];
    expect(maxAbs(a, padded.subarray(0, P))).toBeLessThanOrEqual(1e-5);
    // A different prompt is a different embedding (the pooling does not read a fixed position).
    expect(maxAbs(padded.subarray(0, P), padded.subarray(P))).toBeGreaterThan(1e-3);
  });
});
