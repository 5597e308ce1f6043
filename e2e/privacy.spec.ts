/**
 * "Nothing leaves your computer": a whole session (load, drop, segment, re-segment, export) only
 * talks to the page's own origin (and, for a hub model, downloads from the hub), and never sends
 * anything up.
 */
import type { BrowserContext, Page, Request } from '@playwright/test';
import type { AppPage } from './support/app';
import { expect, onlyOnWasm, test } from './support/fixtures';
import { shapesScene, toPng } from './support/images';
import { FIXTURE_ORIGIN } from './support/ports';

/** A run of 120+ base64 characters: what an image (or any blob of data) smuggled into a URL looks like. */
const BASE64_RUN = /[A-Za-z0-9+/=_-]{120,}/;

/** Every request of the page, its workers included (page and context listeners both). */
function recordRequests(page: Page, context: BrowserContext): Map<Request, string> {
  const seen = new Map<Request, string>();
  const record = (source: string) => (r: Request) => seen.set(r, source);
  context.on('request', record('context'));
  page.on('request', record('page'));
  return seen;
}

async function session(app: AppPage): Promise<void> {
  await app.segmentImage(toPng(shapesScene(160, 128)), 'private.png');
  await app.setClasses('red, blue, green | grass, yellow');
  await app.waitForResult(['red', 'blue', 'green', 'yellow']);
  await app.exportLabelMap();
  await app.exportOverlay();
}

/** What is wrong with each request: a foreign origin, a method that sends, a body, data in the URL. */
function offences(seen: Map<Request, string>, allowed: (url: URL) => boolean): string[] {
  const out: string[] = [];
  for (const [r, source] of seen) {
    const url = r.url();
    const where = `${r.method()} ${url.slice(0, 120)} (${source})`;
    let parsed: URL | null = null;
    try {
      parsed = new URL(url);
    } catch {
      // unparsable: reported below
    }
    // blob: URLs carry their creator's origin (blob:http://localhost:4173/...); data: URLs have none.
    if (!parsed || !allowed(parsed)) out.push(`not allowed: ${where}`);
    if (url.startsWith('data:')) out.push(`data URL: ${where}`);
    if (BASE64_RUN.test(decodeURIComponent(url))) out.push(`data in URL: ${where}`);
    if (!['GET', 'HEAD'].includes(r.method())) out.push(`method: ${where}`);
    const body = r.postDataBuffer();
    if (body && body.length > 0) out.push(`body of ${body.length} bytes: ${where}`);
  }
  return out;
}

test('with the embedded model, a session only requests its own origin and uploads nothing', async ({
  app,
  page,
  context,
  baseURL,
}) => {
  const origin = new URL(baseURL!).origin;
  const seen = recordRequests(page, context);
  await app.open({ classes: 'red, blue' });
  await session(app);
  const urls = [...seen.keys()].map((r) => r.url());
  // The test must see the worker's fetches, or it proves nothing about the model path.
  expect(
    urls.some((u) => u.endsWith('/models/colours/image_model.onnx')),
    'worker request recorded',
  ).toBe(true);
  expect(
    urls.some((u) => u.endsWith('.wasm')),
    'runtime request recorded',
  ).toBe(true);
  expect(
    offences(seen, (u) => u.origin === origin),
    `${seen.size} requests`,
  ).toEqual([]);
});

test('with the default hub model, the only other origin is the hub, for model files (WASM project only)', async ({
  app,
  page,
  context,
  baseURL,
}) => {
  onlyOnWasm(app.ep, 'network traffic does not depend on the backend; the WASM project covers it');
  const origin = new URL(baseURL!).origin;
  // A hub that has none of the files (the fixture server): the app falls back to the embedded model.
  const hub = FIXTURE_ORIGIN;
  const seen = recordRequests(page, context);
  await app.open({ model: null, hub, classes: 'red, blue' });
  const hubRequests = () => [...seen.keys()].filter((r) => r.url().startsWith(`${hub}/`));
  expect(hubRequests().length, 'the app asked the hub for its default model').toBeGreaterThan(0);
  const before = hubRequests().length;
  await session(app);
  expect(hubRequests().length, 'no hub traffic while segmenting and exporting').toBe(before);
  const allowed = (u: URL) => u.origin === origin || (u.origin === hub && u.pathname.includes('/resolve/'));
  expect(offences(seen, allowed), `${seen.size} requests`).toEqual([]);
});
