/**
 * Webcam mode on a fake camera playing generated videos: the live label map follows moving shapes,
 * smoothing lowers flicker on a still scene, settings apply live, stop releases the camera.
 */
import type { Browser, Page } from '@playwright/test';
import { AppPage } from './support/app';
import { CAMERA_PAGE, cameraBrowser, frameOf, iou, nextLiveFrame, type Scene } from './support/camera';
import { stillScene } from './support/camera-still';
import { DebugHook } from './support/debug';
import { expect, test } from './support/fixtures';

const CLASSES = 'red, blue, black, white';

async function openLive(browser: Browser, app: AppPage): Promise<{ page: Page; live: AppPage }> {
  const page = await browser.newPage(CAMERA_PAGE);
  page.on('pageerror', (e) => console.log(`[pageerror] ${e.message}`));
  const live = app.onPage(page);
  await live.open({ classes: CLASSES, debug: true });
  await live.webcam.start();
  await expect(live.webcam.stats).toBeVisible({ timeout: live.slow });
  return { page, live };
}

async function withCamera(scene: Scene, app: AppPage, fn: (page: Page, live: AppPage) => Promise<void>) {
  const browser = await cameraBrowser(scene);
  try {
    const { page, live } = await openLive(browser, app);
    await fn(page, live);
  } finally {
    await browser.close();
  }
}

test('the live label map follows the moving shapes; fps shown; stop releases the camera', async ({ app }) => {
  await withCamera('moving', app, async (page, live) => {
    const ious: string[] = [];
    for (let i = 0; i < 4; i++) {
      const f = await nextLiveFrame(page, app.slow);
      const n = frameOf(f);
      expect(n, 'barcode readable in the label map').not.toBeNull();
      const red = iou(f, n!, 'red', 'red');
      const blue = iou(f, n!, 'blue', 'blue');
      ious.push(`frame ${n}: red ${red.toFixed(3)}, blue ${blue.toFixed(3)}`);
      expect(red).toBeGreaterThanOrEqual(0.8);
      expect(blue).toBeGreaterThanOrEqual(0.8);
      await page.waitForTimeout(700);
    }
    const stats = live.webcam.stats;
    const fps = Number(await stats.getAttribute('data-fps'));
    console.log(`[webcam ${app.ep}] ${await stats.textContent()} | ${ious.join('; ')}`);
    expect(fps).toBeGreaterThan(0);

    // Keep the tracks, stop, and check each one ended (the device is released).
    await new DebugHook(page).run(({ store }) => {
      (window as Window & { __tracks?: MediaStreamTrack[] }).__tracks = store.getState().stream!.getTracks();
    });
    await live.webcam.stop();
    const states = await page.evaluate(() =>
      (window as Window & { __tracks?: MediaStreamTrack[] }).__tracks!.map((t) => t.readyState),
    );
    expect(states.length).toBeGreaterThan(0);
    expect(states.every((s) => s === 'ended')).toBe(true);
  });
});

test('temporal smoothing lowers flicker on a still scene (both figures printed)', async ({ app }) => {
  test.slow(app.ep === 'webgpu', 'SwiftShader WebGPU gives few frames a second');
  await withCamera('still', app, async (page, live) => {
    const measure = async (smoothing: number) => {
      await live.webcam.setSmoothing(smoothing);
      await nextLiveFrame(page, app.slow); // first frame after the change may blend the old setting
      const values: number[] = [];
      while (values.length < 12) {
        const f = await nextLiveFrame(page, app.slow);
        if (f.flicker !== null) values.push(f.flicker);
      }
      return values.reduce((a, b) => a + b, 0) / values.length;
    };
    const raw = await measure(0);
    const smooth = await measure(0.8);
    console.log(
      `[webcam ${app.ep}] flicker on a still scene: ${(100 * raw).toFixed(3)}% of pixels a frame without smoothing, ${(100 * smooth).toFixed(3)}% with smoothing 0.8`,
    );
    expect(raw).toBeGreaterThan(0);
    expect(smooth).toBeLessThan(raw);
  });
});

test('vocabulary and opacity apply live; snapshot becomes the still image with export', async ({ app }) => {
  await withCamera('moving', app, async (page, live) => {
    await live.setClasses('red, black, white');
    await expect
      .poll(async () => (await nextLiveFrame(page, app.slow)).classes, { timeout: app.slow })
      .toEqual(['red', 'black', 'white']);
    await live.exportPanel.opacity.fill('0.3');
    await expect(live.overlay).toHaveCSS('opacity', '0.3');
    await expect(live.webcam.stats).toBeVisible(); // still streaming
    await live.webcam.snapshot();
    await live.waitForResult(['red', 'black', 'white']);
    const out = await live.exportLabelMap();
    expect([out.png.width, out.png.height]).toEqual([320, 240]);
  });
});

test('a backend switch applies live, without restarting the camera stream', async ({ app }) => {
  test.skip(app.ep === 'webgpu', 'starts on WASM and switches to WebGPU: the WASM project covers both');
  // SwiftShader WebGPU warms up for tens of seconds on a busy machine: the WebGPU project's
  // allowance (3x the WASM one), scaled to the measured load like every wait.
  test.slow();
  await withCamera('moving', app, async (page, live) => {
    await nextLiveFrame(page, app.slow);
    const streamId = () => new DebugHook(page).run(({ store }) => store.getState().stream?.id ?? null);
    const before = await streamId();
    const gpuWait = 3 * live.slow;
    await live.modelManager.backend.selectOption('webgpu');
    await expect(live.status).toHaveAttribute('data-backend', 'webgpu', { timeout: live.slow });
    await live.statusBar.waitSettled(gpuWait);
    // A frame segmented by the newly loaded model arrives on the same stream.
    const f = await nextLiveFrame(page, gpuWait);
    expect(f.classes).toEqual(['red', 'blue', 'black', 'white']);
    expect(await streamId()).toBe(before);
    await expect(live.webcam.stats).toBeVisible();
  });
});

test('a hidden tab pauses the work and a visible one resumes it', async ({ app }) => {
  test.skip(app.ep === 'webgpu', 'pausing does not depend on the backend; covered on the wasm project');
  await withCamera('moving', app, async (page) => {
    await nextLiveFrame(page, app.slow);
    // How long a live frame takes now: the quiet window below is sized from it, not fixed.
    const t0 = Date.now();
    await nextLiveFrame(page, app.slow);
    await nextLiveFrame(page, app.slow);
    const frameMs = (Date.now() - t0) / 2;
    const count = () =>
      page.evaluate(() => {
        const w = window as Window & { __seen?: Set<unknown> };
        (w.__seen ??= new Set()).add(w.__ovseg!.store.getState().result);
        return w.__seen.size;
      });
    const setHidden = (hidden: boolean) =>
      page.evaluate((h) => {
        Object.defineProperty(document, 'visibilityState', {
          configurable: true,
          get: () => (h ? 'hidden' : 'visible'),
        });
        document.dispatchEvent(new Event('visibilitychange'));
      }, hidden);
    await setHidden(true);
    // A frame already in flight may still land, and be shown a moment later: wait until the count
    // holds for two measured frame times (a loop that never stopped would never let it hold).
    let before = await count();
    for (let i = 0; i < 8; i++) {
      await page.waitForTimeout(2 * frameMs);
      const now = await count();
      if (now === before) break;
      before = now;
    }
    // Three frames' time, as measured above: a loop that kept running would have shown a result.
    await page.waitForTimeout(Math.max(500, 3 * frameMs));
    expect(await count(), 'no new results while hidden').toBe(before);
    await setHidden(false);
    await nextLiveFrame(page, app.slow);
    expect(await count()).toBeGreaterThan(before);
  });
});

test('denied camera, missing camera and an unplugged camera give clear messages; still images keep working', async ({
  app,
}) => {
  test.skip(app.ep === 'webgpu', 'camera errors do not depend on the backend; covered on the wasm project');
  const denied = await cameraBrowser('moving', false);
  try {
    const page = await denied.newPage(CAMERA_PAGE);
    const a = app.onPage(page);
    await a.open({ classes: CLASSES, debug: true });
    await a.webcam.toggle.click();
    await expect(a.notices.filter({ hasText: /permission was denied/i })).toBeVisible({ timeout: app.slow });
    await expect(a.webcam.toggle).toHaveText(/start webcam/i);
  } finally {
    await denied.close();
  }

  await withCamera('moving', app, async (page, live) => {
    // Unplugging: the track ends by itself.
    await new DebugHook(page).run(({ store }) =>
      store.getState().stream!.getVideoTracks()[0]!.dispatchEvent(new Event('ended')),
    );
    await expect(live.notices.filter({ hasText: /camera stopped/i })).toBeVisible();
    await expect(live.webcam.video).toHaveCount(0);
  });

  const nocam = await cameraBrowser('moving');
  try {
    const page = await nocam.newPage(CAMERA_PAGE);
    // A machine without a camera: the browser reports NotFoundError.
    await page.addInitScript(() => {
      navigator.mediaDevices.getUserMedia = () =>
        Promise.reject(new DOMException('Requested device not found', 'NotFoundError'));
    });
    const a = app.onPage(page);
    await a.open({ classes: 'red, blue' });
    await a.webcam.toggle.click();
    await expect(a.notices.filter({ hasText: /no camera was found/i })).toBeVisible();
    await a.segmentImage(stillScene(), 'after-camera-error.png');
    await a.waitForResult(['red', 'blue']);
  } finally {
    await nocam.close();
  }
});
