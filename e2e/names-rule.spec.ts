/**
 * The rule for classes with several names (dense family), in the page: the tiny CLIPSeg from the
 * fixture hub, 17 classes of 3 names (51 prompts, over the 48 where `auto` averages). The select
 * switches the rule, the status bar says which rule ran, and switching back reuses kept decoder rows.
 */
import { readFileSync } from 'node:fs';
import { expect, onlyOnWasm, test } from './support/fixtures';

const image = readFileSync(new URL('../fixtures/clipseg-tiny/image.png', import.meta.url));
const CLASSES = 17;
const classes = Array.from({ length: CLASSES }, (_, c) =>
  [0, 1, 2].map((k) => `thing ${c * 3 + k}`).join(' | '),
).join(', ');
const labels = Array.from({ length: CLASSES }, (_, c) => `thing ${c * 3}`);

test('the names select switches between max over names and averaged rows; the status says which ran', async ({
  app,
  page,
  modelManager,
  exportPanel,
  statusBar,
}) => {
  onlyOnWasm(
    app.ep,
    'the rule is chosen before any backend work; 51 decoder rows of new shapes take minutes on a software WebGPU adapter',
  );
  await page.goto(`${app.url({ model: 'clipseg-rd64-refined', classes })}&names=max`);
  await app.waitReady();
  const select = exportPanel.namesRule;
  const status = statusBar.namesStatus;
  // The model manager says the model's default and how to switch.
  await modelManager.open();
  const rule = modelManager.row('clipseg-rd64-refined').getByTestId('model-names-rule');
  await expect(rule).toContainText('Several names per class: auto');
  await expect(rule).toContainText('?names=auto|max|mean');
  // The page address chose max: GKC's max over names, one decoder row per name, above 48 names too.
  await expect(select).toHaveValue('max');
  await app.segmentImage(image, 'clipseg.png');
  await app.waitForResult(labels);
  await expect(status).toHaveText('Names: max over 51 names, one decoder row each');
  await expect(status).toHaveAttribute('data-rows', '51');

  // auto (the model's default) averages above 48 names: one row per class.
  await select.selectOption('auto');
  await expect(status).toHaveAttribute('data-rule', 'mean', { timeout: app.slow });
  await expect(status).toHaveText(
    "Names: averaged per class (17 rows) — above 48 names; choose 'best name' for GKC's max",
  );
  await app.waitForResult(labels);
  expect(page.url()).toContain('names=auto');
  const averaged = await app.runs();

  // Back to max: the kept per-name rows serve it, so no image-model run at all.
  await select.selectOption('max');
  await expect(status).toHaveAttribute('data-rule', 'max', { timeout: app.slow });
  await app.waitForResult(labels);
  expect((await app.runs()).image).toBe(averaged.image);
  await expect(status).toHaveAttribute('data-rows', '51');
});

test('the names select shows only for the dense family', async ({ app, exportPanel }) => {
  await app.open({ model: 'embedded' });
  await expect(exportPanel.threshold).toBeVisible();
  await expect(exportPanel.namesRule).toHaveCount(0);
});
