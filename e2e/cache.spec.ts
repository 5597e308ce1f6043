/**
 * Vocabulary edits are cheap: the image model runs once per image, the text model only for prompts
 * it has never seen, and text embeddings survive a reload (IndexedDB).
 */
import { readFileSync } from 'node:fs';
import { expect, test } from './support/fixtures';
import { shapesScene, toPng } from './support/images';

const manifest = JSON.parse(
  readFileSync(new URL('../public/models/colours/ovseg.json', import.meta.url), 'utf8'),
) as {
  templates: string[];
};
const T = manifest.templates.length;

test('vocabulary edits re-run no image model and encode only new prompts; a reload encodes none', async ({
  app,
  page,
}) => {
  const png = toPng(shapesScene(160, 128, 3));
  await app.open({ classes: 'red, blue' });
  await app.segmentImage(png, 'cache.png');
  await app.waitForResult(['red', 'blue']);
  // A fresh browser profile: nothing cached yet, every prompt is encoded.
  const first = await app.runs();
  expect(first).toEqual({ image: 1, text: first.text, prompts: 2 * T });
  expect(first.text).toBeGreaterThanOrEqual(1);

  // One more class with two names: two new names, nothing else.
  await app.setClasses('red, blue, green | grass');
  await app.waitForResult(['red', 'blue', 'green']);
  const added = await app.runs();
  expect(added).toEqual({ image: 1, text: first.text + 1, prompts: first.prompts + 2 * T });

  // Removing a class needs no new embedding.
  await app.setClasses('red, green | grass');
  await app.waitForResult(['red', 'green']);
  expect(await app.runs()).toEqual(added);

  // A new page (new worker, empty memory cache): the embeddings come from IndexedDB. Chromium
  // restores the typed vocabulary on reload (form state), so it is set again either way.
  await page.reload();
  await app.waitReady();
  await app.setClasses('red, green | grass');
  await app.segmentImage(png, 'cache-again.png');
  await app.waitForResult(['red', 'green']);
  expect(await app.runs()).toEqual({ image: 1, text: 0, prompts: 0 });
  await app.setClasses('red, blue');
  await app.waitForResult(['red', 'blue']);
  expect(await app.runs()).toEqual({ image: 1, text: 0, prompts: 0 });
});
