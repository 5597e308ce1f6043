/**
 * Long jobs are bounded and interruptible: a vocabulary's cost is bounded with a message (names per
 * class, prompts per vocabulary), a long text encoding shows its progress in the status bar, and a
 * newer vocabulary stops it between two text runs instead of waiting behind it. The embedded model
 * on the real engine; what is checked happens in the worker's job handling, not in a backend.
 */
import type { Page } from '@playwright/test';
import type { AppPage } from './support/app';
import { expect, onlyOnWasm, test } from './support/fixtures';
import { shapesScene, toPng } from './support/images';

const NOT_THE_BACKEND = 'vocabulary bounds and job interruption do not depend on the backend';

/** `classes` classes of `names` distinct `|`-joined names each (words the model may not know). */
const vocabulary = (classes: number, names: number, tag: string) =>
  Array.from({ length: classes }, (_, k) =>
    Array.from({ length: names }, (_, i) => `${tag}${k}x${i}`).join('|'),
  ).join(', ');

/** Records every progress state the store is given (the status bar's source) in the page. */
const recordWork = (page: Page) =>
  page.evaluate(() => {
    const seen: { done: number; total: number }[] = [];
    (window as Window & { __work?: typeof seen }).__work = seen;
    window.__ovseg!.store.subscribe((s) => {
      if (s.work) seen.push({ done: s.work.done, total: s.work.total });
    });
  });

const workSeen = (page: Page) =>
  page.evaluate(() => (window as Window & { __work?: { done: number; total: number }[] }).__work ?? []);

async function stillSegments(app: AppPage, name: string): Promise<void> {
  await app.setClasses('red, blue');
  await app.segmentImage(toPng(shapesScene(96, 64, 3)), name);
  await app.waitForResult(['red', 'blue']);
}

test('a class of thousands of names keeps the first 64, says so, and the page still segments', async ({
  app,
  page,
}) => {
  onlyOnWasm(app.ep, NOT_THE_BACKEND);
  await app.open({ model: 'embedded', classes: 'red, blue' });
  await app.classes.input.fill(`${vocabulary(1, 7_321, 'n')}, sky`);
  await expect(page.getByTestId('vocab-warning').first()).toHaveText(
    '"n0x0" has 7,321 names: only the first 64 are used (a class may have at most 64).',
  );
  await expect(app.statusBar.ready).toBeVisible({ timeout: app.slow });
  await stillSegments(app, 'after-crowded.png');
});

test('a vocabulary over the prompt budget is refused with the count, before any text run', async ({
  app,
}) => {
  onlyOnWasm(app.ep, NOT_THE_BACKEND);
  await app.open({ model: 'embedded', classes: 'red, blue' });
  await app.segmentImage(toPng(shapesScene(96, 64, 3)), 'before-too-large.png');
  const before = await app.runs();
  // 333 classes of 64 names: 21,312 prompts with the embedded model's one template.
  await app.classes.input.fill(vocabulary(333, 64, 'p'));
  await expect(app.notices.filter({ hasText: 'This vocabulary needs 21,312 prompts' })).toHaveText(
    /21,312 names × 1 template of this model\): at most 20,000 can be encoded\. Use fewer names\./,
    { timeout: app.slow },
  );
  await stillSegments(app, 'after-too-large.png');
  // Not one text run for the refused vocabulary (red and blue were encoded before it).
  expect((await app.runs()).text).toBe(before.text);
});

test('a long encoding shows its progress and a newer vocabulary stops it between runs', async ({
  app,
  page,
}) => {
  onlyOnWasm(app.ep, NOT_THE_BACKEND);
  await app.open({ model: 'embedded', classes: 'red, blue', debug: true });
  await app.segmentImage(toPng(shapesScene(96, 64, 3)), 'shapes.png');
  await recordWork(page);
  // 18,000 prompts of fresh names: hundreds of text runs of 64 prompts.
  const TOTAL = 18_000;
  await app.classes.input.fill(vocabulary(300, 60, 'q'));
  const work = page.getByTestId('work');
  await expect(work).toHaveText(/^encoding [\d,]+ \/ 18,000 prompts$/, { timeout: app.slow });
  await expect.poll(async () => Number(await work.getAttribute('data-done'))).toBeGreaterThan(0);
  // A newer vocabulary while the long one is encoded: its result comes without the long one ending.
  await app.classes.input.fill('red, blue');
  await app.waitForResult(['red', 'blue']);
  await expect(work).toHaveCount(0);
  const seen = (await workSeen(page)).filter((w) => w.total === TOTAL);
  expect(seen.length).toBeGreaterThan(1); // progress moved while it ran
  const furthest = Math.max(...seen.map((w) => w.done));
  console.log(`[jobs] stopped after ${furthest} of ${TOTAL} prompts (${seen.length} progress reports)`);
  // Had the long encoding run to its end, its last step (done = total) would have been reported.
  expect(furthest).toBeLessThan(TOTAL);
  expect((await app.debug.counts()).queued).toBe(0);
});
