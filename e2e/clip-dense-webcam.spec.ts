/**
 * Webcam mode with the dense CLIP preset (tiny towers from the local hub): live frames are segmented
 * at the camera's size, with flicker measured against the previous frame and the fps shown.
 */
import { AppPage } from './support/app';
import { CAMERA_PAGE, cameraBrowser, nextLiveFrame } from './support/camera';
import { expect, onlyOnWasm, test } from './support/fixtures';

test('live frames run through the dense CLIP model (windows per frame, smoothing, fps)', async ({ app }) => {
  onlyOnWasm(app.ep, 'a software WebGPU adapter gives too few frames of 15 windows each to measure');
  const browser = await cameraBrowser('moving');
  try {
    const page = await browser.newPage(CAMERA_PAGE);
    page.on('pageerror', (e) => console.log(`[pageerror] ${e.message}`));
    const live = new AppPage(page, app.ep, app.slow);
    await live.open({ model: 'clip-vit-b16-dense', classes: 'sky, cat, dog', debug: true });
    await expect(page.getByTestId('model-name')).toHaveText(
      'CLIP ViT-B/16, dense (ClearCLIP, training-free)',
    );
    await page.getByTestId('webcam-toggle').click();
    await expect(page.getByTestId('live-stats')).toBeVisible({ timeout: app.slow });
    const frames = [];
    for (let i = 0; i < 3; i++) frames.push(await nextLiveFrame(page, app.slow));
    for (const f of frames) {
      expect(f.labels.length).toBe(f.width * f.height);
      expect(f.classes).toEqual(['sky', 'cat', 'dog']);
    }
    // After the first live frame each one is compared with the previous (flicker is a share of pixels).
    const flicker = frames.slice(1).map((f) => f.flicker);
    for (const v of flicker) expect(v).toBeGreaterThanOrEqual(0);
    const stats = page.getByTestId('live-stats');
    await expect
      .poll(async () => Number(await stats.getAttribute('data-fps')), { timeout: app.slow })
      .toBeGreaterThan(0);
    console.log(`[webcam clip-dense ${app.ep}] ${await stats.textContent()} | flicker ${flicker.join(', ')}`);
  } finally {
    await browser.close();
  }
});
