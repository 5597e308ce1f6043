/**
 * Every cache bounded (issue 18, item 1), on the real engine: a text model with embeddings far wider
 * than any family's is refused at load and stores nothing; the model manager shows what the site
 * keeps per model (files and prompts' text values) and clears it, the embedded model's included.
 * What they check is the cache around the engine, not the backend: the WASM project covers them.
 */
import type { Page } from '@playwright/test';
import type { AppPage } from './support/app';
import { expect, onlyOnWasm, test } from './support/fixtures';
import { HOSTILE } from './support/hostile';
import { shapesScene, toPng } from './support/images';
import { APP_ORIGIN, FIXTURE_ORIGIN } from './support/ports';
import { WIDE_TEXT_WIDTH } from './support/wideText';

const NOT_THE_BACKEND = 'the model cache and the text caches do not depend on the backend';
const READY = '[data-testid=status][data-state=ready]';
const EMBEDDED = `${APP_ORIGIN}/models/colours/`;

/** The model cache's entries under a URL prefix, with their sizes. */
const cached = (page: Page, prefix: string) =>
  page.evaluate(async (p) => {
    const c = await caches.open('ovseg-models-v1');
    const out: Record<string, number> = {};
    for (const r of await c.keys())
      if (r.url.startsWith(p))
        out[r.url.slice(p.length)] = (await (await c.match(r))!.arrayBuffer()).byteLength;
    return out;
  }, prefix);

/** What the text cache (IndexedDB) holds: values and their bytes, every model together. */
const textStored = (page: Page) =>
  page.evaluate(
    () =>
      new Promise<{ values: number; bytes: number }>((done, fail) => {
        const open = indexedDB.open('ovseg-text-cache');
        open.onerror = () => fail(open.error);
        open.onsuccess = () => {
          const db = open.result;
          const out = { values: 0, bytes: 0 };
          if (!db.objectStoreNames.contains('entries')) return done(out);
          const cursor = db.transaction('entries').objectStore('entries').openCursor();
          cursor.onsuccess = () => {
            const c = cursor.result;
            if (!c) return (db.close(), done(out));
            if (String(c.key).startsWith('v:')) {
              out.values++;
              const v = c.value as unknown;
              out.bytes += ArrayBuffer.isView(v) ? v.byteLength : JSON.stringify(v).length;
            }
            c.continue();
          };
        };
      }),
  );

/** The origin's storage use, as the browser counts it (lazily: logged, not asserted). */
const usage = (page: Page) => page.evaluate(async () => (await navigator.storage.estimate()).usage ?? 0);

async function segmentShapes(app: AppPage, classes: string, labels: string[], name: string) {
  await app.setClasses(classes);
  await app.segmentImage(toPng(shapesScene(96, 64, 3)), name);
  await app.waitForResult(labels);
}

test('a text model with embeddings wider than any family uses is refused at load and stores nothing', async ({
  app,
  page,
  modelManager,
}) => {
  onlyOnWasm(app.ep, NOT_THE_BACKEND);
  await app.open({ model: 'embedded', classes: 'red, blue' });
  await segmentShapes(app, 'red, blue', ['red', 'blue'], 'before-wide.png');
  const before = { usage: await usage(page), text: await textStored(page) };
  expect(before.text.values).toBeGreaterThan(0);
  await modelManager.loadUrl(`${FIXTURE_ORIGIN}/hostile/text-wide/ovseg.json`);
  await expect(app.notices.filter({ hasText: HOSTILE['text-wide']!.message })).toBeVisible({
    timeout: app.slow,
  });
  await expect(page.locator(READY)).toBeVisible({ timeout: app.slow });
  await expect(modelManager.modelName).toHaveText(/Colours/);
  const after = { usage: await usage(page), text: await textStored(page) };
  console.log(
    `[wide text] before: ${JSON.stringify(before)}; after the refused load: ${JSON.stringify(after)}`,
  );
  // Not one prompt's embedding (WIDE_TEXT_WIDTH floats) went into storage, nor any file of the model.
  expect(after.text).toEqual(before.text);
  expect(after.usage - before.usage).toBeLessThan(WIDE_TEXT_WIDTH * 4);
  expect(await cached(page, `${FIXTURE_ORIGIN}/hostile/text-wide/`)).toEqual({});
  await segmentShapes(app, 'red, green', ['red', 'green'], 'after-wide.png');
});

test('the model manager shows what the site keeps of the embedded model and clears it', async ({
  app,
  page,
  modelManager,
}) => {
  onlyOnWasm(app.ep, NOT_THE_BACKEND);
  await app.open({ model: 'embedded', classes: 'red, blue' });
  await segmentShapes(app, 'red, blue', ['red', 'blue'], 'kept.png');
  await modelManager.open();
  const row = modelManager.row('embedded');
  await expect(row.getByTestId('model-cache-state')).toContainText(/Cached: .*text values: /);
  const stored = Number(await row.getAttribute('data-stored-bytes'));
  const text = Number(await row.getAttribute('data-text-bytes'));
  const files = await cached(page, EMBEDDED);
  const before = { usage: await usage(page), text: await textStored(page) };
  expect(before.text.values).toBeGreaterThan(0);
  expect(Object.keys(files).sort()).toEqual(
    ['image_model.onnx', 'ovseg.json', 'text_model.onnx', 'tokenizer.json', 'tokenizer_config.json'].sort(),
  );
  expect(text).toBeGreaterThan(0);
  expect(stored).toBeGreaterThan(Object.values(files).reduce((a, n) => a + n, 0) - 1);

  await modelManager.remove('embedded');
  await expect(row).toHaveAttribute('data-stored-bytes', '0');
  await expect(row.getByTestId('model-delete')).toHaveCount(0);
  expect(await cached(page, EMBEDDED)).toEqual({});
  const after = { usage: await usage(page), text: await textStored(page) };
  console.log(
    `[clear embedded] manager said ${stored} B (${text} B of text values); before: ${JSON.stringify(before)}; after: ${JSON.stringify(after)}`,
  );
  expect(after.text).toEqual({ values: 0, bytes: 0 });

  // A new page: the cleared text values are gone from IndexedDB too, so the prompts are encoded again.
  await page.reload();
  await app.waitReady();
  await segmentShapes(app, 'red, blue', ['red', 'blue'], 'cleared.png');
  expect((await app.runs()).prompts).toBeGreaterThan(0);
});
