/**
 * The clip-dense family through the app's real engine (Node, WASM): the tiny CLIP towers as a bundle,
 * image.png through the app's own preprocessing, against PyTorch's dense embeddings and text embeddings.
 */
import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { decodeImage, fsFetcher, newSegmenter, rgbaSource } from '../../tools/lib/nodeSegmenter';
import type { Segmenter } from './segmenter';
import { parseManifest, type Manifest } from '../models/manifest';
import { patchClassLogits } from '../models/gkc/patchLogits';
import { slidingWindows, WindowAverager } from '../models/clip/maths/windows';
import { CLASSES, f32, goldenNameRows, maxAbs, referenceLabels } from '../models/clip/testFixtures.testing';

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

const vocab = (names: string[]) => names.map((n) => ({ label: n, names: [n] }));
const image = () => decodeImage(new Uint8Array(readFileSync('fixtures/clip-vision-tiny/image.png')));

describe('clip-dense through the engine (WASM, Node)', () => {
  const engines: Segmenter[] = [];
  const load = async (extra: Record<string, unknown>, dtype: 'fp32' | 'q8' = 'fp32') => {
    const e = newSegmenter();
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
    const dense = maxAbs(out.debug!['clip-dense']!.patchEmbeds!, f32('dense_clearclip.bin'));
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
    expect(a.debug!['clip-dense']!.patchEmbeds!.length).toBe(15 * 196 * 16);
    // The canvas of patch cells (37x28), the labels at the image's size.
    expect([a.scoreWidth, a.scoreHeight]).toEqual([37, 28]);
    expect(a.labels.length).toBe(320 * 240);
    expect(a.runs.promptsEncoded).toBe(3);
    // Scores from the windows' embeddings averaged per cell equal the windows' logits averaged
    // (one name a class: a name's logit is linear in the embedding).
    const avg = new WindowAverager(3, 448, 592, 16);
    const windows = slidingWindows(448, 592);
    const e = a.debug!['clip-dense']!.patchEmbeds!;
    const names = goldenNameRows(three);
    const n = 196 * 16;
    windows.forEach((p, k) =>
      avg.add(
        patchClassLogits(e.subarray(k * n, (k + 1) * n), names, [0, 1, 2], 3, 16, 100),
        14,
        14,
        p.y,
        p.x,
      ),
    );
    // PyTorch's text embeddings against ORT's (7e-7 apart, x 100): the scores agree within 1e-3.
    const cellDiff = maxAbs(a.debug!['clip-dense']!.classLogits!, avg.result());
    expect(cellDiff).toBeLessThan(1e-3);
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
    const e = newSegmenter();
    // The text tower given as the image part.
    const bad = tinyManifest({ image: { files: { fp32: 'clip-text-tiny/text_model.onnx' } } });
    await expect(e.load(fsFetcher('fixtures'), { manifest: bad }, 'wasm', { dtype: 'fp32' })).rejects.toThrow(
      /looked for/,
    );
  });
});
