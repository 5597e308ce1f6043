/**
 * Waiting for a server is bounded and cancellable from the start (issue 18, item 6). A server that
 * never answers used to hold a bring-your-own load in "loading" for two minutes with no Cancel (it
 * came with the first byte). Cancel is there from the first request; no answer within the bound
 * fails with a message naming the host; a server that answers, then trickles, fails too.
 */
import { expect, onlyOnWasm, test } from './support/fixtures';
import type { AppPage } from './support/app';
import { shapesScene, toPng } from './support/images';
import { FIXTURE_ORIGIN } from './support/ports';

const BEFORE_ANY_MODEL =
  'the download fails or is cancelled before any model runs, so the backend makes no difference; the WASM project covers it';
/** The app's bound for these tests (20 s in use), set through the debug API. */
const BOUND_MS = 2_000;
const HOST = new URL(FIXTURE_ORIGIN).host;

async function stillWorks(app: AppPage, name: string): Promise<void> {
  await expect(app.page.getByTestId('model-name')).toHaveText(/colours/i);
  await app.waitReady();
  await app.segmentImage(toPng(shapesScene(160, 128, 9)), name);
}

test.beforeEach(async ({ app, debug }) => {
  onlyOnWasm(app.ep, BEFORE_ANY_MODEL);
  await app.open({ classes: 'red, blue', debug: true });
  await debug.run((api, ms) => api.setDeadlines({ responseMs: ms }), BOUND_MS);
});

test('a server that never answers: Cancel from the first request, and a bound that names the host', async ({
  app,
  modelManager,
}) => {
  // Cancel, before any byte came.
  await modelManager.loadUrl(`${FIXTURE_ORIGIN}/silent/one/ovseg.json`);
  await expect(modelManager.progress).toContainText(`Waiting for ${HOST}`);
  await modelManager.cancelDownload.click();
  await expect(app.notices.filter({ hasText: 'was cancelled' })).toHaveCount(1, { timeout: app.slow });
  await stillWorks(app, 'after-cancel.png');

  // Left alone: the bound ends it, naming the host.
  const t0 = Date.now();
  await modelManager.loadUrl(`${FIXTURE_ORIGIN}/silent/two/ovseg.json`);
  await expect(modelManager.cancelDownload).toBeVisible();
  const failed = app.notices.filter({
    hasText: `${HOST} did not answer the request for ${FIXTURE_ORIGIN}/silent/two/ovseg.json within ${BOUND_MS / 1000} s`,
  });
  await expect(failed).toHaveCount(1, { timeout: BOUND_MS + app.slow });
  expect(Date.now() - t0).toBeGreaterThanOrEqual(BOUND_MS);
  await expect(modelManager.progress).toBeHidden();
  await stillWorks(app, 'after-silent.png');
});

test('a server that answers, then trickles a byte at a time: stopped, naming the host', async ({
  app,
  modelManager,
}) => {
  await modelManager.loadUrl(`${FIXTURE_ORIGIN}/trickle/one/ovseg.json`);
  const stopped = app.notices.filter({ hasText: `from ${HOST} stopped: ` });
  await expect(stopped).toHaveCount(1, { timeout: 2 * BOUND_MS + app.slow });
  await expect(stopped).toContainText(`bytes came in the last ${BOUND_MS / 1000} s`);
  await expect(stopped).toContainText('the server is stalled or too slow');
  await stillWorks(app, 'after-trickle.png');
});
