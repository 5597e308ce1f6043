/**
 * Rapid and concurrent input: the newest request wins, nothing stays "working", and the worker's
 * live ORT sessions and held buffers return to their count from before the burst (debug API).
 */
import type { Page } from '@playwright/test';
import type { AppPage } from './support/app';
import { bigDiscPng } from './support/bigPng';
import { CAMERA_PAGE, cameraBrowser, nextLiveFrame } from './support/camera';
import type { Counts } from './support/debug';
import { expect, test } from './support/fixtures';
import { BLUE, LIGHT_GREY, shapesScene, toPng } from './support/images';
import { FIXTURE_ORIGIN } from './support/ports';

const CLASSES = 'red, blue, green, yellow';
const TINY = `${FIXTURE_ORIGIN}/query-ovseg-tiny/ovseg.json`;
const ready = '[data-testid=status][data-state=ready]';

const shown = (page: Page) =>
  page.evaluate(() => {
    const s = window.__ovseg!.store.getState();
    return { image: s.image?.name ?? null, result: s.resultImage?.name ?? null };
  });
const dropped = (page: Page) => page.evaluate(() => window.__ovseg!.controller.droppedInputs);

/**
 * Drops files on the drop zone as fast as the page can (real drop events, each with its file):
 * driving the file input from the test would pace the drops by the test's round trips instead.
 * Returns the span from first to last drop, in ms, and whether the page's result changed meanwhile:
 * the drops run in one task, so no answer of the worker can land between them, however slow the
 * machine is.
 */
const dropAll = (page: Page, files: { name: string; b64: string }[]) =>
  page.evaluate((files) => {
    const zone = document.querySelector('.dropzone')!;
    const store = window.__ovseg!.store;
    const resultBefore = store.getState().result;
    const t0 = performance.now();
    for (const f of files) {
      const bytes = Uint8Array.from(atob(f.b64), (c) => c.charCodeAt(0));
      const dt = new DataTransfer();
      dt.items.add(new File([bytes], f.name, { type: 'image/png' }));
      zone.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
    }
    return { spanMs: performance.now() - t0, resultChanged: store.getState().result !== resultBefore };
  }, files);

/** Opens the app with one image segmented; returns the worker's counts in that state. */
async function settled(app: AppPage, opts: { model?: string } = {}): Promise<Counts> {
  await app.open({ classes: CLASSES, debug: true, ...opts });
  await app.segmentImage(toPng(shapesScene(160, 128, 1)), 'first.png');
  await app.waitForResult(CLASSES.split(', '));
  return app.debug.counts();
}

/** Settled again after a burst: ready, a result for `name`, the counts from before. */
async function expectSettled(app: AppPage, name: string, before: Counts): Promise<void> {
  await expect(app.page.locator(ready)).toBeVisible({ timeout: app.slow });
  await expect.poll(() => shown(app.page), { timeout: app.slow }).toEqual({ image: name, result: name });
  // WebAssembly memory never shrinks: its figure is the soak test's business, not compared here.
  const held = async () => {
    const { sessions, buffers, queued } = await app.debug.counts();
    return { sessions, buffers, queued };
  };
  const { sessions, buffers, queued } = before;
  await expect.poll(held, { timeout: app.slow }).toEqual({ sessions, buffers, queued });
}

test('20 image drops in one burst: the last one is shown and segmented, counts return', async ({
  app,
  page,
}) => {
  const before = await settled(app);
  const runsBefore = await app.statusBar.runs();
  const droppedBefore = await dropped(page);
  const files = Array.from({ length: 20 }, (_, i) => toPng(shapesScene(160 + 8 * i, 128, 10 + i)));
  const { spanMs, resultChanged } = await dropAll(
    page,
    files.map((f, i) => ({ name: `burst-${i}.png`, b64: f.toString('base64') })),
  );
  console.log(`[concurrency ${app.ep}] 20 drops in ${Math.round(spanMs)} ms`);
  // A burst: every drop came before any result of it (a load-independent fact, unlike a time window).
  expect(resultChanged).toBe(false);
  await expectSettled(app, 'burst-19.png', before);
  // The newest wins: the 19 pictures it overtook while they decoded were never segmented.
  expect(await dropped(page)).toBe(droppedBefore + 19);
  expect((await app.statusBar.runs()).image - runsBefore.image).toBe(1);
  await app.waitForResult(CLASSES.split(', '));
});

test('a 12000x9000 picture then a small one: the small one wins, the big decode is dropped', async ({
  app,
  page,
}) => {
  const before = await settled(app);
  const big = bigDiscPng(12000, 9000, LIGHT_GREY, BLUE, { cx: 6000, cy: 4500, r: 3000 });
  await dropAll(page, [
    { name: 'big.png', b64: big.toString('base64') },
    { name: 'small.png', b64: toPng(shapesScene(160, 128, 3)).toString('base64') },
  ]);
  // The big picture's decode ends after the small one is on screen, and is thrown away.
  await expect.poll(() => dropped(page), { timeout: 4 * app.slow }).toBe(1);
  await expectSettled(app, 'small.png', before);
});

test('a backend switch while a segmentation runs: the new backend serves the image, counts return', async ({
  app,
  page,
}) => {
  const before = await settled(app);
  const other = app.ep === 'wasm' ? 'webgpu' : 'wasm';
  // Software WebGPU compiles its shaders slowly (a warm-up of 30 s on a busy machine), so the
  // switch and the first run there take several of the usual waits.
  const switchMs = 6 * app.slow;
  test.setTimeout(2 * switchMs + 3 * app.slow);
  await expect(app.backend.locator(`option[value=${other}]`)).toBeEnabled();
  await app.debug.markResult();
  // A large picture, so the segmentation is still running when the switch comes: the embedded model's
  // own pass takes milliseconds, but decoding, resizing and the full-size label map of 2000x1600 take
  // long enough for the page to see the "working" state (a small picture can be done before it looks).
  await app.dropImage(toPng(shapesScene(2000, 1600, 4)), 'switch.png', 'image/png');
  await page.locator('[data-testid=status][data-state=working]').waitFor({ timeout: app.slow });
  await app.backend.selectOption(other);
  await expect(app.status).toHaveAttribute('data-backend', other, { timeout: app.slow });
  await app.debug.waitNewResult(switchMs);
  await page.locator(ready).waitFor({ timeout: switchMs });
  await expectSettled(app, 'switch.png', before);
  await expect(app.notices).toHaveCount(0);
});

test('a model switch mid-download: the newer model loads, the older download stops quietly', async ({
  app,
  page,
}) => {
  test.skip(app.ep === 'webgpu', 'downloads do not depend on the backend; covered on the wasm project');
  const before = await settled(app);
  const hub = (what: string) => page.request.get(`${FIXTURE_ORIGIN}/__hub/${what}`);
  await hub('reset');
  await hub('slow');
  try {
    await app.modelManager.use('clipseg-rd64-refined');
    await expect.poll(() => app.modelManager.downloaded()).toBeGreaterThan(0);
    await app.modelManager.loadUrl(TINY);
    await expect(app.modelManager.modelName).toHaveText(/query-ovseg-tiny/, { timeout: app.slow });
    await expectSettled(app, 'first.png', before);
    await expect(app.notices).toHaveCount(0);
    const cached = await page.evaluate(async () => {
      const c = await caches.open('ovseg-models-v1');
      return (await c.keys()).map((r) => r.url).filter((u) => u.includes('/hub/') && u.endsWith('.onnx'));
    });
    expect(cached).toEqual([]);
  } finally {
    await hub('reset');
  }
});

test('the webcam started during a model load: frames are segmented by the loaded model', async ({ app }) => {
  // A second browser with a camera beside the test's own: loads on software WebGPU take longer still.
  test.setTimeout(8 * app.slow);
  const browser = await cameraBrowser('moving');
  try {
    const page = await browser.newPage(CAMERA_PAGE);
    page.on('pageerror', (e) => console.log(`[pageerror] ${e.message}`));
    const live = app.onPage(page);
    await page.goto(live.url({ classes: 'red, blue', debug: true }));
    await live.waitReady();
    await live.segmentImage(toPng(shapesScene(160, 128, 1)), 'still.png');
    await live.waitForResult(['red', 'blue']);
    const before = await live.debug.counts();
    await live.modelManager.loadUrl(TINY);
    await page.locator('[data-testid=status][data-state=loading]').waitFor({ timeout: app.slow });
    await live.webcam.start();
    await expect(live.modelManager.modelName).toHaveText(/query-ovseg-tiny/, { timeout: 4 * app.slow });
    const frame = await nextLiveFrame(page, app.slow);
    expect(frame.classes).toEqual(['red', 'blue']);
    await nextLiveFrame(page, app.slow);
    // Stopping brings the still image back, segmented by the new model: no frame or history held.
    await live.webcam.toggle.click();
    await expectSettled(live, 'still.png', before);
    await expect(live.notices).toHaveCount(0);
  } finally {
    await browser.close();
  }
});
