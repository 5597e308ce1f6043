/**
 * Dense CLIP (ClearCLIP surgery at load) in the browser through the app's worker: the preset
 * `clip-vit-b16-dense` with the tiny CLIP towers in its hub layout (see support/hub.ts). The golden
 * pixel values give PyTorch's dense embeddings (fp32); the fp16 and int8 files give those of the
 * same surgered graph run by ONNX Runtime in Node (their own references).
 */
import { readFileSync } from 'node:fs';
import type { Page } from '@playwright/test';
import { clearClipSurgery, OUTPUT } from '../src/models/clip/surgery';
import { ort } from '../src/models/runtime/ortRuntime';
import { configureOrt } from '../tools/lib/nodeSegmenter';
import { expect, onlyOnWasm, test } from './support/fixtures';
import { maxAbsDiff } from './support/metrics';

const dir = new URL('../fixtures/clip-vision-tiny/', import.meta.url);
const f32 = (name: string) => {
  const b = readFileSync(new URL(name, dir));
  return new Float32Array(b.buffer, b.byteOffset, b.byteLength / 4);
};
const NAME = 'CLIP ViT-B/16, dense (ClearCLIP, training-free)';

/** The golden 224x224 pixel values through the page's worker: one window; its patch embeddings. */
async function denseInPage(page: Page) {
  const pixels = Array.from(f32('pixel_values.bin'));
  return page.evaluate(async (pixels) => {
    type Client = {
      segment(r: object): Promise<{
        labels: Uint16Array;
        runs: { image: number };
        debug?: { 'clip-dense'?: { patchEmbeds: Float32Array } };
      }>;
    };
    const hook = (window as unknown as { __ovseg: { controller: { client: Client } } }).__ovseg;
    const r = await hook.controller.client.segment({
      pixels: { data: Float32Array.from(pixels), width: 224, height: 224 },
      classes: [
        { label: 'sky', names: ['sky'] },
        { label: 'cat', names: ['cat'] },
      ],
      threshold: 0,
      debug: true,
    });
    return {
      embeds: Array.from(r.debug?.['clip-dense']?.patchEmbeds ?? []),
      runs: r.runs.image,
      labels: r.labels.length,
    };
  }, pixels);
}

/** The surgered variant run by ONNX Runtime (WASM) in Node on the golden pixels. */
async function ortReference(file: string): Promise<Float32Array> {
  configureOrt();
  const { bytes } = clearClipSurgery(new Uint8Array(readFileSync(new URL(file, dir))));
  const s = await ort.InferenceSession.create(bytes);
  try {
    const out = await s.run({
      pixel_values: new ort.Tensor('float32', f32('pixel_values.bin'), [1, 3, 224, 224]),
    });
    return Float32Array.from(out[OUTPUT]!.data as Float32Array);
  } finally {
    await s.release();
  }
}

test('the dense CLIP preset reproduces PyTorch dense_clearclip (fp32) within 1e-4', async ({ app, page }) => {
  await app.open({ model: 'clip-vit-b16-dense', dtype: 'fp32', debug: true, classes: 'sky, cat' });
  await expect(page.getByTestId('model-name')).toHaveText(NAME);
  const run = await denseInPage(page);
  const diff = maxAbsDiff(run.embeds, f32('dense_clearclip.bin'));
  console.log(`[clip-dense ${app.ep}] patch embeddings vs PyTorch: max abs ${diff.toExponential(2)}`);
  expect(run.embeds).toHaveLength(196 * 16);
  expect(diff).toBeLessThan(1e-4);
  expect(run.labels).toBe(224 * 224);
});

for (const [dtype, file, tol] of [
  // Measured in Node against float64 (src/models/clipdense/README.md): fp16 1.2e-4, int8 6.7e-8; the
  // same graph in two ORT builds agrees far closer than that.
  ['q8', 'vision_model_quantized.onnx', 1e-4],
  ['fp16', 'vision_model_fp16.onnx', 1e-3],
] as const)
  test(`the ${dtype} tower matches its own ONNX Runtime reference`, async ({ app, page }) => {
    onlyOnWasm(app.ep, 'int8 falls off the WebGPU EP and SwiftShader has no shader-f16');
    await app.open({ model: 'clip-vit-b16-dense', dtype, debug: true, classes: 'sky, cat' });
    await expect(page.getByTestId('status')).toContainText(`[${dtype}]`);
    const run = await denseInPage(page);
    const diff = maxAbsDiff(run.embeds, await ortReference(file));
    console.log(`[clip-dense ${app.ep} ${dtype}] vs ORT in Node: max abs ${diff.toExponential(2)}`);
    expect(diff).toBeLessThan(tol);
  });
