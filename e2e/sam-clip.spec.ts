/**
 * SAM proposals named by CLIP in the page: the sam-tiny bundle by URL against the PyTorch references
 * (the kept masks, the label map), a click's object against the reference decoder, the object list
 * from the keyboard, the COCO export decoded by a decoder written from the COCO RLE spec, and the
 * SlimSAM preset in its hub layout: downloaded, cached and used offline.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import type { Page } from '@playwright/test';
import { axeFindings, serious } from './support/axe';
import { expect, onlyOnWasm, test } from './support/fixtures';
import { agreement } from './support/metrics';
import { FIXTURE_ORIGIN } from './support/ports';

const DIR = new URL('../fixtures/sam-tiny/', import.meta.url);
const file = (f: string) => readFileSync(new URL(f, DIR));
const bin = <T>(f: string, Type: new (b: ArrayBuffer) => T): T => {
  const b = file(`${f}.bin`);
  return new Type(b.buffer.slice(b.byteOffset, b.byteOffset + b.length) as ArrayBuffer);
};
const BUNDLE = `${FIXTURE_ORIGIN}/sam-tiny/ovseg.json`;
/** The golden vocabulary: "cat | kitten", "dog", "sky", "a photo of a dog.". */
const CLASSES = 'cat | kitten, dog, sky, a photo of a dog.';
const NAMES = ['cat', 'dog', 'sky', 'a photo of a dog.'];

/** The result's SAM diagnostics: kept masks (flat), their grid candidates, and the label map. */
const samDebug = (page: Page) =>
  page.evaluate(async () => {
    const r = await window.__ovseg!.controller.run(true);
    const d = r?.debug?.['sam-clip'];
    if (!r || !d) return null;
    return { masks: Array.from(d.masks), source: Array.from(d.source), labels: Array.from(r.labels) };
  });

test('the sam-tiny bundle keeps the reference masks in its order and labels the picture as PyTorch', async ({
  app,
  page,
}) => {
  // Minutes on a software WebGPU adapter: the page's own "ready" ends the wait, and its ceiling
  // grows with the machine's measured slowness (app.slow), not a fixed budget a busy machine passes.
  test.setTimeout(Math.max(30 * 60_000, 25 * app.slow));
  await page.goto(
    `${app.url({ model: BUNDLE, classes: CLASSES, dtype: 'fp32', debug: true })}&uncovered=unlabelled`,
  );
  await app.waitReady(Math.max(15 * 60_000, 12 * app.slow));
  // The warm-up ran the encoder and one batch of the decoder; a picture runs the encoder, CLIP at a
  // new size and four decoder batches (an 8 x 8 grid, 16 points a run), and measured 5x the warm-up
  // here on SwiftShader (91 s, then 7.5 min): the ceiling is 12x, a little over the page's own bound
  // of a segmentation step (10x the warm-up).
  const { name, loadMs, warmupMs } = await app.debug.modelTimes();
  // A load that fails falls back to the embedded model, which is "ready" too.
  expect(name).toBe('sam-tiny (test fixture)');
  console.log(`[sam-clip ${app.ep}] load ${Math.round(loadMs)} ms, warm-up ${Math.round(warmupMs)} ms`);
  const pictureMs = Math.max(app.slow, 12 * (loadMs + warmupMs));
  await app.dropImage(file('image.png'), 'sam-tiny.png', 'image/png');
  await expect(page.getByTestId('sam-status')).toBeVisible({ timeout: pictureMs });
  await expect(app.statusBar.ready).toBeVisible({ timeout: pictureMs });
  const d = (await samDebug(page))!;
  const golden = bin('amg_masks', Uint8Array);
  const sources = (JSON.parse(file('golden.json').toString()) as { amg: { kept_candidates: number[] } }).amg
    .kept_candidates;
  expect(d.source).toEqual(sources);
  const maskAgreement = agreement(d.masks, golden);
  const labelAgreement = agreement(d.labels, bin('label_map', Uint16Array));
  console.log(
    `[sam-clip ${app.ep}] kept ${sources.length} masks as the reference; pixels agree ${(100 * maskAgreement).toFixed(4)} %, labels ${(100 * labelAgreement).toFixed(4)} %`,
  );
  expect(maskAgreement).toBeGreaterThanOrEqual(0.999);
  expect(labelAgreement).toBeGreaterThanOrEqual(0.999);
  await expect(page.getByTestId('sam-status')).toHaveAttribute('data-masks', String(sources.length));
  await expect(page.getByTestId('legend-note')).toHaveText('Pixels no mask covers are left unlabelled.');
});

test('a click runs the decoder at that point; Shift-click adds a point off the object; Escape clears', async ({
  app,
  page,
}) => {
  onlyOnWasm(
    app.ep,
    'the click path is backend-independent page code; the golden test covers the decoder on both',
  );
  await app.open({ model: BUNDLE, classes: CLASSES, dtype: 'fp32', debug: true });
  await app.segmentImage(file('image.png'), 'sam-tiny.png');
  // The reference decoder's answer for one point at (105, 150), the house: the engine's answer to
  // exactly that point, and its best mask's quality.
  const best = Math.max(...bin('dec_point1_iou_scores', Float32Array));
  const direct = await page.evaluate(() =>
    window.__ovseg!.controller.client.request('prompt', { points: [{ x: 105, y: 150, positive: true }] }),
  );
  expect(Math.abs(direct.score - best)).toBeLessThan(1e-4);
  expect(direct.mask.reduce((a: number, b: number) => a + b, 0)).toBeGreaterThan(0);
  // The same through the page: a click there (within a pixel: the pointer lands on whole CSS pixels).
  await app.hoverPixel(105, 150);
  await page.mouse.down();
  await page.mouse.up();
  const names = page.getByTestId('prompt-classes');
  await expect(names).toContainText(/\(mask quality \d\.\d\d\)$/, { timeout: app.slow });
  await expect(names).toContainText(
    new RegExp(`^(${NAMES.map((n) => n.replace('.', '\\.')).join('|')}) \\d\\.\\d\\d`),
  );
  const points = () => page.evaluate(() => window.__ovseg!.store.getState().prompt?.points ?? []);
  const [p] = await points();
  expect(p!.positive).toBe(true);
  expect(Math.abs(p!.x - 105) + Math.abs(p!.y - 150)).toBeLessThanOrEqual(2);
  await app.hoverPixel(265, 45);
  await page.keyboard.down('Shift');
  await page.mouse.down();
  await page.mouse.up();
  await page.keyboard.up('Shift');
  await expect.poll(async () => (await points()).map((q) => q.positive)).toEqual([true, false]);
  await page.keyboard.press('Escape');
  await expect(names).toHaveCount(0);
  expect(await points()).toEqual([]);
});

test('the object list reaches every object from the keyboard; the COCO export decodes to the kept masks', async ({
  app,
  page,
  exportPanel,
}) => {
  onlyOnWasm(app.ep, 'page code over the worker answers; the golden test covers both backends');
  await app.open({ model: BUNDLE, classes: CLASSES, dtype: 'fp32', debug: true });
  await app.segmentImage(file('image.png'), 'sam-tiny.png');
  const objects = page.getByTestId('object');
  await expect(objects).toHaveCount(12);
  // The objects' page (list, click hint, outlines) has no serious accessibility violation either.
  expect(serious(await axeFindings(page))).toEqual([]);
  await objects.first().focus();
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('prompt-classes')).toBeVisible({ timeout: app.slow });

  const d = (await samDebug(page))!;
  const out = await exportPanel.exportInstances();
  expect(out.name).toBe('sam-tiny-instances.json');
  expect(out.json.categories.map((c) => c.name)).toEqual(NAMES);
  expect(out.json.annotations).toHaveLength(12);
  const decoded = JSON.parse(
    execFileSync('python3', ['tools/coco/decode_rle.py'], {
      input: JSON.stringify(out.json.annotations.map((a) => a.segmentation)),
    }).toString(),
  ) as { bits: string; area: number }[];
  const P = 320 * 240;
  decoded.forEach((m, q) => {
    const bits = Buffer.from(m.bits, 'hex');
    let differ = 0;
    for (let i = 0; i < P; i++) if (((bits[i >> 3]! >> (7 - (i & 7))) & 1) !== d.masks[q * P + i]) differ++;
    expect(differ, `mask ${q}`).toBe(0);
    expect(out.json.annotations[q]!.area).toBe(m.area);
  });
});

const hub = async (page: Page, what: 'offline' | 'reset') =>
  (await page.request.get(`${FIXTURE_ORIGIN}/__hub/${what}`)).json() as Promise<{ requests: string[] }>;

test('the SlimSAM preset: downloaded from the hub layout with progress, cached, and used offline', async ({
  app,
  page,
  modelManager,
}) => {
  onlyOnWasm(app.ep, 'downloads and the cache do not depend on the backend');
  await hub(page, 'reset');
  await app.open({ model: 'slimsam-77-clip-b16', classes: CLASSES });
  await expect(modelManager.modelName).toHaveText(/SlimSAM-77/);
  await app.segmentImage(file('image.png'), 'sam-hub.png');
  const first = await app.exportLabelMap();
  await modelManager.open();
  const row = modelManager.row('slimsam-77-clip-b16');
  await expect(row.getByTestId('model-cache-state')).toContainText('Cached:');
  await expect(row).toContainText('Object outlines');
  await expect(row).toContainText(/about \d+ MB/);
  await hub(page, 'offline');
  await page.reload();
  await app.waitReady();
  await expect(modelManager.modelName).toHaveText(/SlimSAM-77/);
  await app.segmentImage(file('image.png'), 'sam-hub-offline.png');
  expect(agreement((await app.exportLabelMap()).png.data, first.png.data)).toBe(1);
});
