/**
 * A redirect to a host the Content-Security-Policy refuses says so (issue 18, item 10). The browser
 * reports the refusal but keeps the redirect's target from the page, so the message names the server
 * that redirected and the hosts the app may download from, never "offline, or the server is down".
 */
import { expect, onlyOnWasm, test } from './support/fixtures';
import { shapesScene, toPng } from './support/images';
import { FIXTURE_ORIGIN } from './support/ports';

const BEFORE_ANY_MODEL =
  'the manifest is refused before any model runs, so the backend makes no difference; the WASM project covers it';
const HOST = new URL(FIXTURE_ORIGIN).host;

test('a manifest redirected to a host the policy refuses: the message says so and names the server', async ({
  app,
  modelManager,
  request,
}) => {
  onlyOnWasm(app.ep, BEFORE_ANY_MODEL);
  const url = `${FIXTURE_ORIGIN}/redirect-away/query-ovseg-tiny/ovseg.json`;
  // The target exists and is served: only the policy stands between the page and it.
  const hop = await request.get(url, { maxRedirects: 0 });
  expect(hop.status()).toBe(302);
  const target = hop.headers()['location']!;
  expect(new URL(target).origin).not.toBe(FIXTURE_ORIGIN);
  expect((await request.get(target)).status()).toBe(200);

  await app.open({ classes: 'red, blue' });
  await modelManager.loadUrl(url);
  const refused = app.notices.filter({
    hasText: `${HOST} redirected the request for ${url} to another host, and the browser refused it`,
  });
  await expect(refused).toHaveCount(1, { timeout: app.slow });
  await expect(refused).toContainText(FIXTURE_ORIGIN);
  await expect(app.notices.filter({ hasText: /offline|server is down/ })).toHaveCount(0);
  // The page goes back to the model it had, and segments.
  await expect(app.page.getByTestId('model-name')).toHaveText(/colours/i);
  await app.waitReady();
  await app.segmentImage(toPng(shapesScene(160, 128, 9)), 'after-redirect.png');
});
