/**
 * The main path with the embedded colours model: a generated picture of coloured shapes, colour
 * names as classes, and the exported label map checked against the shapes' known masks.
 */
import { decode } from 'fast-png';
import { readFileSync } from 'node:fs';
import { expect, onlyOnWasm, test } from './support/fixtures';
import type { AppPage } from './support/app';
import { maskCentroid, shapeByColour, shapesScene, toPng, visibleMask, type Scene } from './support/images';
import { iou } from './support/metrics';

const manifest = JSON.parse(
  readFileSync(new URL('../public/models/colours/ovseg.json', import.meta.url), 'utf8'),
) as {
  name: string;
};

/** "green | grass": a class with two names; its label is its first name. */
const CLASSES = 'red, blue, green | grass, yellow';
const LABELS = ['red', 'blue', 'green', 'yellow'];

/** Exports the label map and checks each class against its shape (IoU), returning the pixel counts. */
async function expectShapes(app: AppPage, scene: Scene): Promise<number[]> {
  const out = await app.exportLabelMap();
  expect(out.pngName).toMatch(/-labels\.png$/);
  expect([out.png.width, out.png.height, out.png.channels]).toEqual([scene.width, scene.height, 1]);
  expect(out.json.unlabelled).toBe(0);
  expect(out.json.classes.map((c) => [c.value, c.label])).toEqual(LABELS.map((l, i) => [i + 1, l]));
  expect(out.json.classes[2]!.names).toEqual(['green', 'grass']);
  const counts = new Array<number>(LABELS.length + 1).fill(0);
  for (const v of out.png.data) counts[v] = (counts[v] ?? 0) + 1;
  for (const c of out.json.classes) {
    const score = iou(out.png.data, c.value, visibleMask(scene, shapeByColour(scene, c.label)));
    expect(score, `IoU of "${c.label}"`).toBeGreaterThanOrEqual(0.9);
  }
  return counts;
}

test('segments a picture of coloured shapes; the label map matches the shapes', async ({ app, page }) => {
  const scene = shapesScene(320, 256);
  await app.open();
  await expect(page.getByTestId('model-name')).toHaveText(manifest.name);
  await expect(app.status).toContainText(manifest.name);
  await app.setClasses(CLASSES);
  await app.segmentImage(toPng(scene), 'shapes.png');
  await app.waitForResult(LABELS);
  await expect(app.status).toHaveAttribute('data-backend', app.ep);
  await expect(app.status).toContainText(app.ep === 'webgpu' ? 'WebGPU' : 'WASM');

  const counts = await expectShapes(app, scene);

  // Legend: every class with its share of the image, consistent with the exported label map.
  const rows = await app.legendRows();
  expect(rows.map((r) => r.name)).toEqual([...LABELS, '']);
  const total = scene.width * scene.height;
  rows.forEach((r, i) => {
    const value = i < LABELS.length ? i + 1 : 0;
    expect(r.share, `share of "${r.label}"`).toBe(`${((100 * counts[value]!) / total).toFixed(1)}%`);
  });
  expect(rows.at(-1)!.label).toBe('unlabelled');

  expect(await app.overlaySize()).toEqual({ width: scene.width, height: scene.height });

  // The read-out follows the pointer: each shape's centre reads as its own class.
  for (const colour of ['red', 'blue']) {
    const c = maskCentroid(visibleMask(scene, shapeByColour(scene, colour)), scene.width);
    await app.hoverPixel(Math.round(c.x), Math.round(c.y));
    await expect(page.getByTestId('hover')).toContainText(colour);
  }

  const overlay = await app.exportOverlay();
  expect(overlay.name).toBe('shapes-overlay.png');
  const png = decode(overlay.bytes);
  expect([png.width, png.height]).toEqual([scene.width, scene.height]);
});

test('switching the backend reloads the model and still segments (WASM project: to WebGPU and back)', async ({
  app,
}) => {
  onlyOnWasm(app.ep, 'starts on WASM and switches to WebGPU and back: the WASM project covers both backends');
  const scene = shapesScene(320, 256, 11);
  await app.open({ classes: CLASSES });
  await app.segmentImage(toPng(scene), 'switch.png');
  await app.waitForResult(LABELS);
  await expectShapes(app, scene);

  for (const ep of ['webgpu', 'wasm'] as const) {
    await app.backend.selectOption(ep);
    await expect(app.status).toHaveAttribute('data-backend', ep);
    // A reload resets the engine's counters: the first result on the new backend has one image run.
    await app.waitForResult(LABELS);
    await expect(app.page.getByTestId('runs')).toHaveAttribute('data-image-runs', '1');
    await expect(app.status).toContainText(ep === 'webgpu' ? 'WebGPU' : 'WASM');
    await expectShapes(app, scene);
  }
});
