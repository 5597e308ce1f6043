/**
 * The page as people see it, at a desktop, a tablet and a phone width, before and after a sample
 * picture is segmented: compared with committed screenshots (e2e/visual.spec.ts-snapshots/), within
 * a tolerance for font rasterising. A deliberate change of the look updates them:
 *   npx playwright test e2e/visual.spec.ts --project=wasm --update-snapshots
 * Figures that change from run to run (timings) are masked.
 */
import { expect, onlyOnWasm, test } from './support/fixtures';

const WIDTHS = [
  { width: 1280, height: 900 },
  { width: 768, height: 1024 },
  { width: 390, height: 844 },
];

for (const size of WIDTHS) {
  test(`the page at ${size.width} px, empty and with a result`, async ({ app, page }) => {
    onlyOnWasm(app.ep, 'the look does not depend on the backend (and the labels are identical on both)');
    await page.setViewportSize(size);
    await app.open({ classes: 'sky | blue, grass | green, red, yellow, white, black' });
    const mask = [page.getByTestId('load-times'), page.getByTestId('timings')];
    // Nothing may scroll sideways, at any width.
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(size.width);
    await expect(page).toHaveScreenshot(`start-${size.width}.png`, {
      fullPage: true,
      mask,
      maxDiffPixelRatio: 0.02,
    });

    await app.openSample('coffee');
    await page.mouse.move(0, 0);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(size.width);
    await expect(page).toHaveScreenshot(`result-${size.width}.png`, {
      fullPage: true,
      mask,
      maxDiffPixelRatio: 0.02,
    });
  });
}
