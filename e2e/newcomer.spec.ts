/**
 * A newcomer's first minutes: sample pictures to try, messages that go by themselves without
 * covering the controls, a read-out that follows the threshold, outlines and colours that keep
 * regions visible, a result-first phone layout, honest sizes and grouped warnings.
 */
import { readdirSync, statSync } from 'node:fs';
import { bigDiscPng } from './support/bigPng';
import { expect, onlyOnWasm, test } from './support/fixtures';
import { LIGHT_GREY, RED, shapesScene, toPng } from './support/images';

const NOT_THE_BACKEND = 'what the page shows does not depend on the backend; the WASM project covers it';

test('each sample picture opens with one click, with classes the embedded model knows', async ({
  app,
  page,
}) => {
  onlyOnWasm(app.ep, NOT_THE_BACKEND);
  await app.open({ classes: 'person' });
  for (const id of ['astronaut', 'coffee', 'rocket']) {
    await app.openSample(id);
    await expect(page.getByTestId('unknown-names')).toHaveCount(0);
    const rows = await app.legendRows();
    // Most of the picture is named: the vocabulary suits the picture and the model.
    const unlabelled = Number.parseFloat(rows.at(-1)!.share);
    console.log(`[samples] ${id}: ${rows.map((r) => `${r.label} ${r.share}`).join(', ')}`);
    expect(unlabelled).toBeLessThan(60);
    expect(rows.length).toBeGreaterThanOrEqual(4);
    await expect(page.locator('canvas[aria-label]')).toHaveAttribute('aria-label', `Image ${id}.jpg`);
  }
});

test('a note goes by itself after the result is shown; messages never cover the header', async ({
  app,
  page,
}) => {
  onlyOnWasm(app.ep, NOT_THE_BACKEND);
  await app.open({ classes: 'red' });
  await app.segmentImage(bigDiscPng(4200, 300, LIGHT_GREY, RED, { cx: 300, cy: 150, r: 100 }), 'wide.png');
  await app.waitForResult(['red']);
  const note = app.notices.filter({ hasText: /wide\.png/ });
  await expect(note).toBeVisible();
  const header = await page.locator('header').boundingBox();
  const box = await note.boundingBox();
  expect(box!.y).toBeGreaterThanOrEqual(header!.y + header!.height);
  // A note's reading time runs once the page is ready: it is gone a few seconds later.
  await expect(note).toHaveCount(0, { timeout: 30_000 + app.slow });
});

test('the read-out under the pointer follows a new threshold without moving the pointer', async ({
  app,
  page,
}) => {
  onlyOnWasm(app.ep, NOT_THE_BACKEND);
  // Tall enough that reaching the slider scrolls nothing (a scroll moves the picture from under the pointer).
  await page.setViewportSize({ width: 1280, height: 1400 });
  await app.open({ debug: true });
  await app.openSample('coffee');
  // A labelled pixel whose score is well under 1: a threshold above it unlabels it.
  const spot = await page.evaluate(() => {
    const r = window.__ovseg!.store.getState().result!;
    for (let i = 0; i < r.scores.length; i++) {
      const [sx, sy] = [i % r.scoreWidth, Math.floor(i / r.scoreWidth)];
      const x = Math.floor(((sx + 0.5) * r.width) / r.scoreWidth);
      const y = Math.floor(((sy + 0.5) * r.height) / r.scoreHeight);
      if (r.scores[i]! > 0.35 && r.scores[i]! < 0.8 && r.labels[y * r.width + x]! > 0) return { x, y };
    }
    return null;
  });
  expect(spot).not.toBeNull();
  await app.hoverPixel(spot!.x, spot!.y);
  const hover = page.getByTestId('hover');
  await expect(hover).toContainText(/^\S.* · 0\.[3-7]\d$/);
  await app.debug.markResult();
  await page.getByTestId('threshold').fill('0.95');
  await app.debug.waitNewResult(app.slow);
  await expect(hover).toContainText(/^unlabelled · 0\.[3-7]\d$/);
});

test('outlines: boundaries drawn opaque black against white; colour words not drawn in their colour', async ({
  app,
  page,
}) => {
  onlyOnWasm(app.ep, NOT_THE_BACKEND);
  await app.open({ classes: 'red, blue, green, yellow', debug: true });
  await app.segmentImage(toPng(shapesScene(320, 256)), 'shapes.png');
  await app.waitForResult(['red', 'blue', 'green', 'yellow']);
  const layer = page.getByTestId('outlines-layer');
  const shades = () =>
    layer.evaluate((c: HTMLCanvasElement) => {
      const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
      let black = 0,
        white = 0,
        other = 0;
      for (let i = 0; i < d.length; i += 4) {
        if (d[i + 3] === 0) continue;
        if (d[i + 3] === 255 && d[i] === 0 && d[i + 1] === 0 && d[i + 2] === 0) black++;
        else if (d[i + 3] === 255 && d[i] === 255 && d[i + 1] === 255 && d[i + 2] === 255) white++;
        else other++;
      }
      return { black, white, other, all: c.width * c.height };
    });
  const on = await shades();
  expect(on.black).toBeGreaterThan(100);
  expect(on.white).toBeGreaterThan(100);
  expect(on.other).toBe(0);
  expect(on.black + on.white).toBeLessThan(on.all / 5); // lines, not areas
  await page.getByTestId('outlines').uncheck();
  await expect.poll(async () => (await shades()).black + (await shades()).white).toBe(0);

  // The "red" class's swatch is not red, "blue"'s not blue.
  const swatches = await page
    .getByTestId('legend-item')
    .evaluateAll((els) => els.map((e) => getComputedStyle(e.querySelector('.swatch')!).backgroundColor));
  const rgb = (s: string) => s.match(/\d+/g)!.map(Number);
  const [red, blue] = [rgb(swatches[0]!), rgb(swatches[1]!)];
  expect(red[0]! > 150 && red[1]! < 80 && red[2]! < 80, `red drawn ${swatches[0]}`).toBe(false);
  expect(blue[2]! > 150 && blue[0]! < 80 && blue[1]! < 120, `blue drawn ${swatches[1]}`).toBe(false);
});

test('on a phone the picture and its result come first, and nothing scrolls sideways', async ({
  app,
  page,
}) => {
  onlyOnWasm(app.ep, NOT_THE_BACKEND);
  await page.setViewportSize({ width: 390, height: 844 });
  await app.open();
  await app.openSample('astronaut');
  const viewer = await page.locator('.viewer').boundingBox();
  const controls = await page.locator('aside').boundingBox();
  expect(viewer!.y + viewer!.height).toBeLessThanOrEqual(controls!.y);
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
  // No empty legend box before a result, a legend after.
  await expect(app.legend).toBeVisible();
  await page.reload();
  await app.waitReady();
  await expect(app.legend).toHaveCount(0);
});

test('a preset the model mostly does not know: one collapsed line with the count', async ({ app, page }) => {
  onlyOnWasm(app.ep, NOT_THE_BACKEND);
  await app.open();
  await page.getByTestId('vocab-preset').selectOption('ade20k_150');
  const unknown = page.getByTestId('unknown-names');
  await expect(unknown.locator('summary')).toHaveText(/^\d+ of \d+ names are unknown to this model$/, {
    timeout: app.slow,
  });
  const [bad, all] = (await unknown.locator('summary').textContent())!.match(/\d+/g)!.map(Number);
  expect(bad).toBeGreaterThan(100);
  expect(bad).toBeLessThan(all!);
  const list = unknown.locator('p');
  await expect(list).toBeHidden();
  const shortBefore = (await unknown.boundingBox())!.height;
  expect(shortBefore).toBeLessThan(40);
  await unknown.locator('summary').click();
  await expect(list).toBeVisible();
});

test('the model manager gives the embedded model its whole size, tokenizer included', async ({
  app,
  modelManager,
}) => {
  onlyOnWasm(app.ep, NOT_THE_BACKEND);
  const dir = 'public/models/colours';
  const bytes = readdirSync(dir).reduce((n, f) => n + statSync(`${dir}/${f}`).size, 0);
  await app.open();
  await modelManager.open();
  await expect(modelManager.row('embedded')).toContainText(
    `${(bytes / 1e6).toFixed(1)} MB, tokenizer included`,
  );
});

test('a manifest address the server has no file for says it answered a web page', async ({
  app,
  modelManager,
}) => {
  onlyOnWasm(app.ep, NOT_THE_BACKEND);
  await app.open();
  // The app's own server answers any address with its page.
  await modelManager.loadUrl('/models/nothing-here/ovseg.json');
  await expect(
    app.notices.filter({
      hasText: 'The model manifest is a web page, not JSON: the server has no such file',
    }),
  ).toBeVisible({ timeout: app.slow });
});
