/**
 * The page address has a size budget (issue 18, item 3). Servers refuse long request lines (HTTP 431
 * or 414): an address that grows with the vocabulary would make a reload, or the shared link, a
 * blank error page. A vocabulary too long for the address leaves it with a message; a `?classes=`
 * link over the budget loads, says so, and leaves the address too.
 */
import { expect, onlyOnWasm, test } from './support/fixtures';
import { shapesScene, toPng } from './support/images';

/** ADDRESS_BUDGET in src/config.ts. */
const BUDGET = 8 * 1024;
const ON_THE_PAGE =
  'the page address is kept by the page, before and whatever the backend: the WASM project covers it';

/** `n` classes of two names each: `|`, `,` and spaces are encoded, so the address costs more than the text. */
const vocabulary = (n: number, from = 0) =>
  ['red', 'blue', ...Array.from({ length: n }, (_, i) => `shade ${from + i}|tint ${from + i}`)].join(', ');

test('a vocabulary too long for the address leaves it, is said, and a reload still loads', async ({
  app,
  page,
}) => {
  onlyOnWasm(app.ep, ON_THE_PAGE);
  await app.open({ classes: 'red, blue' });
  const tooLong = app.notices.filter({ hasText: 'too long to share by link' });

  await app.classes.input.fill(vocabulary(700)); // about 11 KB of text, 19 KB once encoded
  await expect(tooLong).toHaveCount(1, { timeout: app.slow });
  const address = new URL(page.url());
  expect(page.url().length).toBeLessThanOrEqual(BUDGET);
  expect(address.searchParams.get('classes')).toBeNull();
  expect(address.searchParams.get('model')).toBe('embedded'); // the rest of the address stays
  // The long vocabulary is the one in use: the page stays usable with it.
  await app.segmentImage(toPng(shapesScene(160, 128, 3)), 'with-long-vocabulary.png');

  // Short again: back in the address. Long again: said again.
  await tooLong.getByRole('button', { name: 'Dismiss this message' }).click();
  await app.setClasses('red, blue, green');
  await app.classes.input.fill(vocabulary(900, 5000));
  await expect(tooLong).toHaveCount(1, { timeout: app.slow });
  expect(page.url().length).toBeLessThanOrEqual(BUDGET);

  // A reload is served (no 431) and opens the app.
  const reload = await page.reload();
  expect(reload?.status()).toBe(200);
  await app.waitReady();
});

test('a ?classes= link over the budget loads with a message and leaves the address', async ({
  app,
  page,
}) => {
  onlyOnWasm(app.ep, ON_THE_PAGE);
  const classes = vocabulary(400, 100);
  const link = app.url({ classes });
  // Over the budget, but under what the test server takes (16 KB of request headers).
  expect(link.length).toBeGreaterThan(BUDGET);
  expect(link.length).toBeLessThan(14 * 1024);

  const opened = await page.goto(link);
  expect(opened?.status()).toBe(200);
  await app.waitReady();
  await expect(app.notices.filter({ hasText: 'over the 8.0 KB a shareable address may hold' })).toHaveCount(
    1,
  );
  // Its vocabulary is used, and the address no longer holds it.
  await expect(app.classes.input).toHaveValue(classes);
  expect(page.url().length).toBeLessThanOrEqual(BUDGET);
  expect(new URL(page.url()).searchParams.get('classes')).toBeNull();
  await app.segmentImage(toPng(shapesScene(160, 128, 4)), 'from-long-link.png');
  expect((await page.reload())?.status()).toBe(200);
  await app.waitReady();
});
