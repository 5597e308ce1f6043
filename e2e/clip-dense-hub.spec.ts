/**
 * The dense CLIP preset in its hub layout (`Xenova/clip-vit-base-patch16`: onnx/vision_model*.onnx,
 * onnx/text_model*.onnx, tokenizer), served by the local fixture hub with the tiny towers in place of
 * the real files: downloaded, cached, used offline, a picture through the app's own preprocessing;
 * and the same with the vision tower's LayerNorms decomposed into primitive ops (older exports).
 */
import { readFileSync } from 'node:fs';
import type { Page } from '@playwright/test';
import { decomposeLayerNorms } from '../src/models/clip/decomposeLayerNorm';
import { CLASSES as REF_CLASSES, referenceLabels } from '../src/models/clip/testFixtures.testing';
import { expect, test } from './support/fixtures';
import { agreement } from './support/metrics';
import { FIXTURE_ORIGIN } from './support/ports';

const NAME = 'CLIP ViT-B/16, dense (ClearCLIP, training-free)';
const REPO = '/hub/Xenova/clip-vit-base-patch16/resolve/main/';
const image = readFileSync(new URL('../fixtures/clip-vision-tiny/image.png', import.meta.url));
const CLASSES = 'sky, cat, dog, kitten';

const hub = async (page: Page, what: 'offline' | 'decomposed' | 'reset') =>
  (await page.request.get(`${FIXTURE_ORIGIN}/__hub/${what}`)).json() as Promise<{ requests: string[] }>;

/** Cached files of the preset's repository: URL -> bytes. */
const cached = (page: Page) =>
  page.evaluate(async (repo) => {
    const c = await caches.open('ovseg-models-v1');
    const out: Record<string, number> = {};
    for (const r of await c.keys())
      if (r.url.includes(repo))
        out[r.url.slice(r.url.indexOf(repo) + repo.length)] = (
          await (await c.match(r))!.arrayBuffer()
        ).byteLength;
    return out;
  }, REPO);

test.beforeEach(async ({ page }) => {
  await hub(page, 'reset');
});

test('downloaded from the hub layout, cached, run on a picture, and loaded offline from the cache', async ({
  app,
  page,
}) => {
  await app.open({ model: 'clip-vit-b16-dense', classes: CLASSES, debug: true });
  await expect(page.getByTestId('model-name')).toHaveText(NAME);
  const variant = app.ep === 'webgpu' ? '' : '_quantized';
  const files = await cached(page);
  expect(Object.keys(files).sort()).toEqual(
    [
      `onnx/text_model${variant}.onnx`,
      `onnx/vision_model${variant}.onnx`,
      'tokenizer.json',
      'tokenizer_config.json',
      // The cache's record of the preset as a whole (its manifest and files: bundleRecord.ts).
      'ovseg.json?inline=clip-vit-b16-dense',
    ].sort(),
  );
  await app.segmentImage(image, 'tiny.png');
  const first = await app.exportLabelMap();
  expect([first.png.width, first.png.height]).toEqual([320, 240]);
  expect(first.json.classes.map((c) => c.label)).toEqual(CLASSES.split(', '));

  // Offline: the hub cannot be reached; the cached files load the model again and it segments alike.
  const before = (await hub(page, 'offline')).requests.length;
  await page.reload();
  await app.waitReady();
  await expect(page.getByTestId('model-name')).toHaveText(NAME);
  await app.segmentImage(image, 'tiny-offline.png');
  const again = await app.exportLabelMap();
  expect(agreement(again.png.data, first.png.data)).toBe(1);
  const after = (await page.request.get(`${FIXTURE_ORIGIN}/__hub/requests`).then((r) => r.json())) as {
    requests: string[];
  };
  // Nothing of the model reached the hub while offline (requests are logged before being refused).
  expect(after.requests.slice(before).filter((r) => r.includes('.onnx'))).toEqual([]);
});

test('a vision tower with decomposed LayerNorms (opset < 17 exports) loads and gives the same labels', async ({
  app,
  page,
}) => {
  await hub(page, 'decomposed');
  await app.open({ model: 'clip-vit-b16-dense', classes: CLASSES, debug: true });
  await expect(page.getByTestId('model-name')).toHaveText(NAME);
  const variant = app.ep === 'webgpu' ? '' : '_quantized';
  const file = `onnx/vision_model${variant}.onnx`;
  const original = new Uint8Array(
    readFileSync(new URL(`../fixtures/clip-vision-tiny/vision_model${variant}.onnx`, import.meta.url)),
  );
  // The app ran the decomposed file (it is what the cache holds).
  expect((await cached(page))[file]).toBe(decomposeLayerNorms(original, 16).length);
  await app.segmentImage(image, 'tiny.png');
  const decomposed = await app.exportLabelMap();

  // The original tower, fresh from the hub: the same label map.
  await page.evaluate(() => caches.delete('ovseg-models-v1'));
  await hub(page, 'reset');
  await page.reload();
  await app.waitReady();
  expect((await cached(page))[file]).toBe(original.length);
  await app.segmentImage(image, 'tiny-original.png');
  const plain = await app.exportLabelMap();
  const same = agreement(decomposed.png.data, plain.png.data);
  console.log(
    `[clip-dense ${app.ep}] decomposed vs LayerNormalization tower: ${(100 * same).toFixed(3)}% of labels agree, ` +
      `${new Set(plain.png.data).size} labels used`,
  );
  expect(same).toBeGreaterThanOrEqual(0.999);
});

test('a many-class vocabulary preset points to the dense CLIP model and switches to it', async ({
  app,
  page,
}) => {
  await app.open({ model: 'clipseg-rd64-refined', classes: 'sky' });
  await page.getByTestId('vocab-preset').selectOption('pascal_voc_21');
  await expect(page.getByTestId('vocab-model-hint')).toHaveCount(0);
  await page.getByTestId('vocab-preset').selectOption('ade20k_150');
  const hint = page.getByTestId('vocab-model-hint');
  await expect(hint).toContainText(`best with ${NAME}`);
  await hint.getByTestId('vocab-use-dense').click();
  await app.waitReady();
  await expect(page.getByTestId('model-name')).toHaveText(NAME, { timeout: app.slow });
  // The vocabulary stayed, and the hint is gone once the model runs.
  await expect(hint).toHaveCount(0);
  expect(await app.classesInput.inputValue()).toContain('wall');
});

test('a bring-your-own clip-dense bundle by URL: image.png through the page gives PyTorch’s label map', async ({
  app,
  page,
}) => {
  // fixtures/clip-dense-tiny: the tiny towers in one 224 pass, as the golden was preprocessed.
  await app.open({
    model: `${FIXTURE_ORIGIN}/clip-dense-tiny/ovseg.json`,
    dtype: 'fp32',
    classes: REF_CLASSES.join(', '),
  });
  await expect(page.getByTestId('model-name')).toHaveText('Tiny dense CLIP (test bundle)');
  await app.segmentImage(image, 'tiny-byo.png');
  const out = await app.exportLabelMap();
  const ref = referenceLabels(out.png.width, out.png.height);
  const same = agreement(out.png.data, ref);
  console.log(
    `[clip-dense ${app.ep}] bring-your-own bundle, label map vs PyTorch: ${(100 * same).toFixed(3)}%`,
  );
  expect(new Set(ref).size).toBe(2);
  expect(same).toBeGreaterThanOrEqual(0.999);
});
