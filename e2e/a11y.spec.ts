/**
 * Accessibility of the main states (start, result, webcam, model manager, error): axe-core finds no
 * serious or critical violation; every control has a name; the model manager is a dialog; and the
 * keyboard alone reaches every action, the legend standing in for the pointer's read-out.
 */
import type { Page } from '@playwright/test';
import { axeFindings, serious } from './support/axe';
import { cameraBrowser } from './support/camera';
import { expect, onlyOnWasm, test } from './support/fixtures';
import { APP_ORIGIN, FIXTURE_ORIGIN } from './support/ports';

const NOT_THE_BACKEND =
  'what the page offers people does not depend on the backend; the WASM project covers it';

async function expectAccessible(page: Page, state: string): Promise<void> {
  const found = await axeFindings(page);
  console.log(
    `[a11y] ${state}: ${found.length ? found.map((f) => `${f.id} (${f.impact})`).join(', ') : 'no violations'}`,
  );
  expect(serious(found), `${state}: ${JSON.stringify(serious(found), null, 1)}`).toEqual([]);
}

/** Names of controls that have none (axe checks too; this says which, for people). */
const unnamedControls = (page: Page) =>
  page.evaluate(() =>
    [...document.querySelectorAll('button, input, select, textarea, [role=button]')]
      .filter((e) => !(e as HTMLInputElement).hidden && (e as HTMLElement).offsetParent !== null)
      .filter((e) => {
        const labelled = (e as HTMLInputElement).labels?.length || e.getAttribute('aria-label');
        return !labelled && !(e.textContent ?? '').trim() && !e.getAttribute('title');
      })
      .map((e) => e.outerHTML.slice(0, 120)),
  );

test('start, result, model manager and error states have no serious accessibility violation', async ({
  app,
  page,
  modelManager,
}) => {
  onlyOnWasm(app.ep, NOT_THE_BACKEND);
  await app.open({ classes: 'red, blue' });
  await expectAccessible(page, 'start');
  expect(await unnamedControls(page)).toEqual([]);
  for (const name of ['Overlay opacity', 'Unlabelled below', 'Temporal smoothing'])
    await expect(page.getByRole('slider', { name })).toBeVisible();

  await app.openSample('coffee');
  await expectAccessible(page, 'result');
  expect(await unnamedControls(page)).toEqual([]);

  await modelManager.open();
  await expect(page.getByRole('dialog', { name: 'Models' })).toBeVisible();
  await expectAccessible(page, 'model manager');

  // A failed load: the status bar's error with its Retry, and the error message.
  await modelManager.loadUrl(`${FIXTURE_ORIGIN}/no/such/ovseg.json`);
  await expect(app.notices.filter({ hasText: /Could not load/ })).toBeVisible({ timeout: app.slow });
  await expect(app.statusBar.ready).toBeVisible({ timeout: app.slow });
  await expectAccessible(page, 'error');
});

test('the webcam state has no serious accessibility violation', async ({ app }) => {
  onlyOnWasm(app.ep, NOT_THE_BACKEND);
  const browser = await cameraBrowser('still');
  try {
    // axe needs a page of a context of its own (not the browser's default one).
    const page = await (await browser.newContext({ baseURL: APP_ORIGIN })).newPage();
    const live = app.onPage(page);
    await live.open({ classes: 'red, blue' });
    await live.webcam.start();
    await expect(live.webcam.stats).toBeVisible({ timeout: live.slow });
    await expectAccessible(page, 'webcam');
    await expect(page.getByRole('combobox', { name: 'Camera' })).toBeVisible();
  } finally {
    await browser.close();
  }
});

test('the model manager is a dialog: focus moves in, Escape closes it, focus returns', async ({
  app,
  page,
  modelManager,
}) => {
  onlyOnWasm(app.ep, NOT_THE_BACKEND);
  await app.open();
  await modelManager.openButton.focus();
  await page.keyboard.press('Enter');
  const dialog = page.getByRole('dialog', { name: 'Models' });
  await expect(dialog).toBeVisible();
  await expect(modelManager.openButton).toHaveAttribute('aria-expanded', 'true');
  expect(await dialog.evaluate((d) => d.contains(document.activeElement))).toBe(true);
  // Tab stays useful inside: the first control of the dialog is reached.
  await page.keyboard.press('Tab');
  expect(await dialog.evaluate((d) => d.contains(document.activeElement))).toBe(true);
  await page.keyboard.press('Escape');
  await expect(dialog).toHaveCount(0);
  await expect(modelManager.openButton).toBeFocused();
  // Its Close button does the same.
  await page.keyboard.press('Enter');
  await page.getByRole('button', { name: 'Close' }).click();
  await expect(dialog).toHaveCount(0);
  await expect(modelManager.openButton).toBeFocused();
});

/** Presses Tab until `target` has the focus (at most `max` times); fails if it never does. */
async function tabTo(page: Page, target: ReturnType<Page['locator']>, max = 60): Promise<void> {
  for (let i = 0; i < max; i++) {
    if (await target.evaluate((e) => e === document.activeElement)) return;
    await page.keyboard.press('Tab');
  }
  throw new Error(`Tab never reached ${target.toString()}`);
}

test('keyboard only: a sample picture, the legend as the read-out, the sliders and the exports', async ({
  app,
  page,
}) => {
  onlyOnWasm(app.ep, NOT_THE_BACKEND);
  await app.open();
  await page.locator('body').focus();
  await tabTo(page, page.locator('[data-sample=astronaut]'));
  await page.keyboard.press('Enter');
  await app.waitForResult();

  // The legend's rows name class, share and mean score, and isolate their class on Enter.
  const first = page.getByTestId('legend-item').first();
  await tabTo(page, first);
  const name = await first.getAttribute('aria-label');
  expect(name).toMatch(/^.+: \d+\.\d% of the picture, mean score \d\.\d\d$|^.+: not in the picture$/);
  await page.keyboard.press('Enter');
  await expect(first).toHaveAttribute('aria-pressed', 'true');
  await expect(page.getByTestId('legend-isolated')).toBeVisible();
  await page.keyboard.press('Enter');
  await expect(first).toHaveAttribute('aria-pressed', 'false');

  // A slider moves with the arrow keys; the threshold reruns the labels.
  const threshold = page.getByRole('slider', { name: 'Unlabelled below' });
  const before = await threshold.inputValue();
  await threshold.focus();
  await page.keyboard.press('ArrowRight');
  await expect(threshold).not.toHaveValue(before);
  await expect(threshold).toHaveAttribute('aria-valuetext', /^0\.\d\d$/);

  // The exports are buttons the keyboard reaches.
  const exportButton = page.getByTestId('export-labelmap');
  await tabTo(page, exportButton);
  await expect(exportButton).toBeEnabled();
});
