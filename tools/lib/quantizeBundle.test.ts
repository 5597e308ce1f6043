import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DenseModel } from '../../src/models/dense/denseModel';
import { decodeModel } from '../../src/models/onnx/onnxProto';
import { ort } from '../../src/models/runtime/ortRuntime';
import { writeClipSegBundle } from './clipsegBundle';
import { writeClipTowersBundle } from './clipTowersBundle';
import { configureOrt } from './nodeSegmenter';

/*
 * The bundle makers' q8 variants (make:clipseg-full, make:clip-b16-full) at toy size: each
 * `_quantized` file is written beside its fp32 file, named in the manifest, has the hub's dynamic
 * int8 ops, loads in the project's onnxruntime and computes what the fp32 graph computes, to int8
 * precision.
 *
 * Tolerance: every quantised MatMul/Conv/Gather rounds its weight and its activation to 1/255 of
 * their range (per tensor), about 0.2 % each; through the toy models' layers that adds up to about
 * 1.5 % of the output's range at the worst element (measured: CLIPSeg logits 1.5 %, tower outputs
 * 0.3-0.7 %), with a cosine above 0.9999. The bounds (5 % of the range, cosine >= 0.999) leave room
 * for other seeds, while a weight scale 10 % off already fails (12 % on the logits). (A shifted zero
 * point moves every weight by the same amount, which the LayerNorms after mean-free activations
 * largely absorb: quantizeDynamic.test.ts checks zero points byte for byte against onnxruntime.)
 * A lower bound proves the file really is quantised (not a copy of the fp32 one).
 */
const root = mkdtempSync(path.join(tmpdir(), 'ovseg-q8-'));
const clipseg = path.join(root, 'clipseg');
const towers = path.join(root, 'towers');
beforeAll(async () => {
  configureOrt();
  await writeClipSegBundle(clipseg, { seed: 7, size: 'tiny' });
  await writeClipTowersBundle(towers, { seed: 3, size: 'tiny' });
}, 60_000);
afterAll(() => rmSync(root, { recursive: true, force: true }));

const bytesOf = (dir: string, rel: string) => new Uint8Array(readFileSync(path.join(dir, rel)));
const manifest = (dir: string) =>
  JSON.parse(readFileSync(path.join(dir, 'ovseg.json'), 'utf8')) as Record<
    string,
    { files?: Record<string, string> }
  >;
const int64 = (rows: number[][]) =>
  new ort.Tensor('int64', BigInt64Array.from(rows.flat(), BigInt), [rows.length, rows[0]!.length]);
const wave = (n: number) => Float32Array.from({ length: n }, (_, i) => Math.sin(i * 0.01));
const IDS = [
  [49406, 320, 1929, 49407],
  [49406, 3000, 49407, 49407],
];

async function outputs(bytes: Uint8Array, feeds: Record<string, ort.Tensor>) {
  const s = await ort.InferenceSession.create(bytes);
  try {
    const out = await s.run(feeds);
    return Object.fromEntries(Object.entries(out).map(([k, t]) => [k, t.data as Float32Array]));
  } finally {
    await s.release();
  }
}

/** The worst element's error relative to the output's range, and the cosine of the two outputs. */
function closeness(fp32: Float32Array, q8: Float32Array) {
  expect(q8.length).toBe(fp32.length);
  let range = 0;
  let diff = 0;
  let dot = 0;
  let a2 = 0;
  let b2 = 0;
  for (let i = 0; i < fp32.length; i++) {
    const [a, b] = [fp32[i]!, q8[i]!];
    range = Math.max(range, Math.abs(a));
    diff = Math.max(diff, Math.abs(a - b));
    [dot, a2, b2] = [dot + a * b, a2 + a * a, b2 + b * b];
  }
  return { relative: diff / range, cosine: dot / Math.sqrt(a2 * b2) };
}

async function expectClose(dir: string, rel: string, feeds: Record<string, ort.Tensor>, names: string[]) {
  const q8File = rel.replace(/\.onnx$/, '_quantized.onnx');
  const q8 = bytesOf(dir, q8File);
  const ops = new Set(decodeModel(q8).graph!.node!.map((n) => n.op_type));
  for (const op of ['DynamicQuantizeLinear', 'MatMulInteger'])
    expect(ops, `${q8File} has ${op}`).toContain(op);
  const [a, b] = [await outputs(bytesOf(dir, rel), feeds), await outputs(q8, feeds)];
  for (const name of names) {
    const c = closeness(a[name]!, b[name]!);
    expect(c.relative, `${q8File} ${name}`).toBeLessThanOrEqual(0.05);
    expect(c.relative, `${q8File} ${name} is quantised`).toBeGreaterThan(1e-4);
    expect(c.cosine, `${q8File} ${name}`).toBeGreaterThanOrEqual(0.999);
  }
}

describe('q8 variants of the bench bundles (toy size)', () => {
  it('CLIPSeg: onnx/model_quantized.onnx, in the manifest, gives the fp32 logits to int8 precision', async () => {
    expect(manifest(clipseg).model!.files).toEqual({
      fp32: 'onnx/model.onnx',
      q8: 'onnx/model_quantized.onnx',
    });
    const feeds = {
      input_ids: int64(IDS),
      attention_mask: int64([
        [1, 1, 1, 1],
        [1, 1, 1, 0],
      ]),
      pixel_values: new ort.Tensor('float32', wave(3 * 352 * 352), [1, 3, 352, 352]),
    };
    await expectClose(clipseg, 'onnx/model.onnx', feeds, ['logits']);
  }, 60_000);

  it('CLIPSeg q8 is split by the app as a `_quantized` export (text and decoder made per row)', async () => {
    const m = await DenseModel.create(bytesOf(clipseg, 'onnx/model_quantized.onnx'), 'wasm', 'bench q8');
    try {
      expect(m.conditional).not.toBeNull();
      // As the hub's own CLIPSeg `_quantized` export (src/models/dense/split.test.ts).
      expect(m.crossBatch).toEqual({ text: false, vision: true, joint: false });
    } finally {
      await m.release();
    }
  }, 60_000);

  it('CLIP towers: vision and text `_quantized` files, in the manifest, give the fp32 outputs', async () => {
    const m = manifest(towers);
    expect(m.image!.files).toEqual({
      fp32: 'onnx/vision_model.onnx',
      q8: 'onnx/vision_model_quantized.onnx',
    });
    expect(m.text!.files).toEqual({ fp32: 'onnx/text_model.onnx', q8: 'onnx/text_model_quantized.onnx' });
    const pixels = { pixel_values: new ort.Tensor('float32', wave(3 * 224 * 224), [1, 3, 224, 224]) };
    await expectClose(towers, 'onnx/vision_model.onnx', pixels, ['image_embeds', 'last_hidden_state']);
    await expectClose(towers, 'onnx/text_model.onnx', { input_ids: int64(IDS) }, [
      'text_embeds',
      'last_hidden_state',
    ]);
  }, 60_000);
});
