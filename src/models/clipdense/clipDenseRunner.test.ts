/**
 * The clip-dense family through the app's real engine (Node, WASM): the tiny CLIP towers as a bundle,
 * image.png through the app's own preprocessing, against PyTorch's dense embeddings and text embeddings.
 */
import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { decodeImage, fsFetcher, newEngine, rgbaSource } from '../../../tools/lib/nodeEngine';
import type { Engine } from '../../worker/engine';
import { parseManifest, type Manifest } from '../manifest';
import { f32, maxAbs } from './testFixtures';

/** A bundle of the tiny towers, files named relative to fixtures/. */
export function tinyManifest(extra: Record<string, unknown> = {}): Manifest {
  return parseManifest({
    id: 'clip-dense-tiny',
    name: 'tiny dense CLIP',
    family: 'clip-dense',
    image: {
      files: {
        fp32: 'clip-vision-tiny/vision_model.onnx',
        fp16: 'clip-vision-tiny/vision_model_fp16.onnx',
        q8: 'clip-vision-tiny/vision_model_quantized.onnx',
      },
    },
    text: {
      files: {
        fp32: 'clip-text-tiny/text_model.onnx',
        fp16: 'clip-text-tiny/text_model_fp16.onnx',
        q8: 'clip-text-tiny/text_model_quantized.onnx',
      },
    },
    tokenizer: { json: 'clip-tokenizer/tokenizer.json', config: 'clip-tokenizer/tokenizer_config.json' },
    input: { kind: 'fixed', height: 224, width: 224 },
    pixel: { mean: [0.48145466, 0.4578275, 0.40821073], std: [0.26862954, 0.26130258, 0.27577711] },
    templates: ['{}'],
    ...extra,
  });
}

const TEXT = 'fixtures/clip-text-tiny';
const prompts = (JSON.parse(readFileSync(`${TEXT}/golden.json`, 'utf8')) as { prompts: string[] }).prompts;
const textEmbeds = (() => {
  const b = readFileSync(`${TEXT}/text_embeds.bin`);
  return new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.length));
})();
/**
 * Two golden prompts as classes ('{}' template). The tiny tower's random weights make its patches
 * nearly parallel (cosine >= 0.989), so most prompt sets let one class win everywhere; these two
 * split the 14x14 grid 19 / 177 in PyTorch's numbers, so the map has a boundary to get right.
 */
const CLASSES = ['sky', 'a photo of a sky.'];

/**
 * Reference label map in float64 from PyTorch's outputs: dense_clearclip patches and the text tower's
 * embeddings of the bare names, 100 x cosine, softmax, every class upsampled bilinearly (half-pixel
 * centres, edges clamped), argmax.
 */
function referenceLabels(W: number, H: number): Uint8Array {
  const D = 16;
  const g = 14;
  const dense = f32('dense_clearclip.bin');
  const names = CLASSES.map((c) => {
    const r = prompts.indexOf(c);
    const v = Array.from(textEmbeds.subarray(r * D, (r + 1) * D));
    const n = Math.hypot(...v);
    return v.map((x) => x / n);
  });
  const probs = CLASSES.map(() => new Float64Array(g * g));
  for (let p = 0; p < g * g; p++) {
    const l = names.map((t) => 100 * t.reduce((s, x, i) => s + x * dense[p * D + i]!, 0));
    const m = Math.max(...l);
    const e = l.map((x) => Math.exp(x - m));
    const s = e.reduce((a, b) => a + b, 0);
    e.forEach((x, c) => (probs[c]![p] = x / s));
  }
  const at = (c: number, y: number, x: number) => probs[c]![y * g + x]!;
  const src = (i: number, n: number) => {
    const f = Math.max(0, ((i + 0.5) * g) / n - 0.5);
    const a = Math.min(Math.floor(f), g - 1);
    return [a, Math.min(a + 1, g - 1), f - a] as const;
  };
  const out = new Uint8Array(W * H);
  for (let y = 0; y < H; y++)
    for (let x = 0; x < W; x++) {
      const [y0, y1, wy] = src(y, H);
      const [x0, x1, wx] = src(x, W);
      const v = CLASSES.map((_, c) => {
        const top = at(c, y0, x0) * (1 - wx) + at(c, y0, x1) * wx;
        const bot = at(c, y1, x0) * (1 - wx) + at(c, y1, x1) * wx;
        return top * (1 - wy) + bot * wy;
      });
      out[y * W + x] = v.indexOf(Math.max(...v)) + 1;
    }
  return out;
}

const vocab = (names: string[]) => names.map((n) => ({ label: n, names: [n] }));
const image = () => decodeImage(new Uint8Array(readFileSync('fixtures/clip-vision-tiny/image.png')));

describe('clip-dense through the engine (WASM, Node)', () => {
  const engines: Engine[] = [];
  const load = async (extra: Record<string, unknown>, dtype: 'fp32' | 'q8' = 'fp32') => {
    const e = newEngine();
    engines.push(e);
    await e.load(fsFetcher('fixtures'), { manifest: tinyManifest(extra), base: 'fixtures/' }, 'wasm', {
      dtype,
    });
    return e;
  };
  afterAll(async () => {
    for (const e of engines) await e.dispose();
  });

  it('image.png -> preprocessing -> dense embeddings and label map match PyTorch (one 224 pass)', async () => {
    // One pass at the tower's own 224 grid: the app's preprocessing must give the golden pixels.
    const engine = await load({ resolution: 'single', window: { shortSide: 224 } });
    expect(engine.info!.family).toBe('clip-dense');
    await engine.setVocabulary(vocab(CLASSES));
    const img = image();
    await engine.setImage(rgbaSource(img));
    const out = await engine.segment({ threshold: 0, debug: true, fresh: true });
    expect(out.runs.image).toBe(1);
    expect(maxAbs(out.debug!.pixelValues!, f32('pixel_values.bin'))).toBeLessThan(1e-6);
    const dense = maxAbs(out.debug!.patchEmbeds!, f32('dense_clearclip.bin'));
    expect(dense).toBeLessThan(1e-4);
    expect([out.width, out.height]).toEqual([img.width, img.height]);
    const ref = referenceLabels(img.width, img.height);
    let same = 0;
    for (let i = 0; i < ref.length; i++) if (out.labels[i] === ref[i]) same++;
    const used = new Set(ref).size;
    console.log(
      `[clip-dense wasm] dense vs PyTorch ${dense.toExponential(2)}, label map agreement ${((100 * same) / ref.length).toFixed(3)}% (${used} classes in the reference)`,
    );
    // More than one class wins somewhere, or agreement would say nothing.
    expect(used).toBeGreaterThan(1);
    expect(same / ref.length).toBeGreaterThanOrEqual(0.999);
  });

  it('sliding windows (default): 448 short side, 3x5 windows; vocabulary edits run no image', async () => {
    const engine = await load({});
    const three = ['cat', 'dog', 'sky'];
    await engine.setVocabulary(vocab(three));
    const img = image();
    await engine.setImage(rgbaSource(img));
    const a = await engine.segment({ threshold: 0, debug: true, fresh: true });
    // 320x240 -> 592x448 (whole patches): windows every 112 px -> 3 rows x 5 columns.
    expect(a.debug!.pixelValues!.length).toBe(3 * 592 * 448);
    expect(a.runs.image).toBe(15);
    expect(a.debug!.patchEmbeds!.length).toBe(15 * 196 * 16);
    // The canvas of patch cells (37x28), the labels at the image's size.
    expect([a.scoreWidth, a.scoreHeight]).toEqual([37, 28]);
    expect(a.labels.length).toBe(320 * 240);
    expect(a.runs.promptsEncoded).toBe(3);
    // A vocabulary edit: one new prompt through the text tower, no image run.
    await engine.setVocabulary(vocab([...three, 'kitten']));
    const b = await engine.segment({ threshold: 0 });
    expect(b.runs.image).toBe(15);
    expect(b.runs.promptsEncoded).toBe(4);
    // Same classes again: nothing encoded (cached per model and prompt).
    await engine.setVocabulary(vocab(three));
    const c = await engine.segment({ threshold: 0 });
    expect(c.runs.promptsEncoded).toBe(4);
    expect(Array.from(c.labels)).toEqual(Array.from(a.labels));
    // Threshold: every pixel unlabelled above the best probability.
    const t = await engine.segment({ threshold: 1.01 });
    expect(t.counts[0]).toBe(320 * 240);
  });

  it('live frames are smoothed with the previous one and report flicker', async () => {
    const engine = await load({});
    await engine.setVocabulary(vocab(CLASSES));
    const img = image();
    await engine.setImage(rgbaSource(img));
    const first = await engine.segment({ threshold: 0, live: { smoothing: 0.5 } });
    expect(first.flicker).toBeUndefined();
    const same = await engine.segment({ threshold: 0, live: { smoothing: 0.5 } });
    expect(same.flicker).toBe(0);
    const flipped = { ...img, data: img.data.slice() };
    for (let y = 0; y < img.height; y++)
      for (let x = 0; x < img.width; x++)
        flipped.data.set(
          img.data.subarray((y * img.width + x) * 4, (y * img.width + x) * 4 + 4),
          (y * img.width + img.width - 1 - x) * 4,
        );
    await engine.setImage(rgbaSource(flipped));
    const next = await engine.segment({ threshold: 0, live: { smoothing: 0.5 } });
    const unsmoothed = await engine.segment({ threshold: 0 });
    // Half of the previous frame's logits still count: the smoothed map differs from the raw one.
    expect(next.flicker).toBeGreaterThan(0);
    expect(Array.from(next.semseg)).not.toEqual(Array.from(unsmoothed.semseg));
  });

  it('a graph the surgery does not understand fails the load with what it looked for', async () => {
    const e = newEngine();
    // The text tower given as the image part.
    const bad = tinyManifest({ image: { files: { fp32: 'clip-text-tiny/text_model.onnx' } } });
    await expect(e.load(fsFetcher('fixtures'), { manifest: bad }, 'wasm', { dtype: 'fp32' })).rejects.toThrow(
      /looked for/,
    );
  });
});
