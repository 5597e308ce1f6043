/**
 * Offline after the first visit: the offline shell's service worker (src/sw/serviceWorker.ts)
 * precaches the built app; with the network cut the page opens, cross-origin isolated and under its
 * Content-Security-Policy (the engine's worker under its own), loads the embedded model and segments
 * a picture. Other origins, Range requests and other methods are left to the network. A new build is
 * picked up on the next visit: online at once, and offline once its worker has taken over.
 */
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from '@playwright/test';
import { preview } from 'vite';
import { expect, onlyOnWasm, test } from './support/fixtures';
import { shapesScene, toPng } from './support/images';
import { FIXTURE_ORIGIN } from './support/ports';

// The rest of the suite blocks service workers (playwright.config.ts): this spec is about one.
test.use({ serviceWorkers: 'allow' });

const DIST = fileURLToPath(new URL('../dist/', import.meta.url));
const CLASSES = ['red', 'blue', 'green', 'yellow'];
/** A file of another origin (the fixture hub) that the page's policy lets it fetch. */
const HUB_FILE = `${FIXTURE_ORIGIN}/query-ovseg-tiny/ovseg.json`;

/**
 * The build, copied and served by Vite's own preview (the project's headers) on a port of its own,
 * so that the test can deploy a new build there: the browser checks for a new service worker itself,
 * past any request routing the test could set up.
 */
async function servedCopy() {
  const dir = await mkdtemp(join(tmpdir(), 'ovseg-offline-'));
  await cp(DIST, dir, { recursive: true });
  const server = await preview({
    build: { outDir: dir },
    preview: { port: 0, strictPort: true },
    logLevel: 'warn',
  });
  return {
    origin: new URL(server.resolvedUrls!.local[0]!).origin,
    /** A new build: the page and the service worker with another version in place of `from`. */
    async deploy(from: string, to: string) {
      for (const file of ['index.html', 'sw.js']) {
        const text = await readFile(join(dir, file), 'utf8');
        expect(text, `${file} names its build`).toContain(from);
        await writeFile(join(dir, file), text.replaceAll(from, to));
      }
    },
    async close() {
      await server.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** The build the page says it is: the offline shell stamps its version into index.html. */
const buildOf = (page: Page) => page.locator('meta[name=ovseg-build]').getAttribute('content');

const cacheNames = (page: Page) => page.evaluate(() => caches.keys());

/**
 * Waits, on the browser's events, until a service worker controls the page and has finished its
 * activation (a new version takes over pages before its activate handler has run).
 */
const controlled = (page: Page) =>
  page.evaluate(async () => {
    const sw = navigator.serviceWorker;
    await sw.ready;
    if (!sw.controller) await new Promise((r) => sw.addEventListener('controllerchange', r, { once: true }));
    const worker = sw.controller!;
    if (worker.state !== 'activated')
      await new Promise<void>((r) =>
        worker.addEventListener('statechange', () => worker.state === 'activated' && r()),
      );
    return worker.scriptURL;
  });

type FetchInit = { method?: string; range?: string };

/** A fetch from the page: its status, or the error's name. */
const statusOf = (page: Page, url: string, init: FetchInit = {}) =>
  page.evaluate(
    ({ url, method, range }) =>
      fetch(url, { method, headers: range ? { range } : {} }).then(
        (r) => String(r.status),
        (e: Error) => e.name,
      ),
    { url, ...init },
  );

/** A fetch from the page: its status (or error), and whether the service worker answered it. */
async function pageFetch(page: Page, url: string, init: FetchInit = {}) {
  const answered = page
    .waitForResponse((r) => r.url() === url && r.request().method() === (init.method ?? 'GET'))
    .catch(() => null); // a failed fetch has no response: the page's close ends the wait
  const status = await statusOf(page, url, init);
  const response = /^\d+$/.test(status) ? await answered : null;
  return { status, fromServiceWorker: response?.fromServiceWorker() ?? null };
}

/** `1 + 1` through eval in the page and in the engine's worker: 2, or the error's name where refused. */
async function evalIn(page: Page): Promise<{ page: unknown; worker: unknown }> {
  const run = async () => {
    // From a task of its own: code the debugger runs directly may eval whatever the policy says.
    await new Promise((r) => setTimeout(r));
    try {
      return (0, eval)('1 + 1') as unknown;
    } catch (e) {
      return (e as Error).name;
    }
  };
  const worker = page.workers().find((w) => /\/assets\/worker-[^/]*\.js$/.test(w.url()));
  if (!worker) throw new Error(`no engine worker among ${page.workers().map((w) => w.url())}`);
  return { page: await page.evaluate(run), worker: await worker.evaluate(run) };
}

test('after one visit the app opens and segments offline; the next visit picks up a new build', async ({
  app,
  page,
  context,
}) => {
  onlyOnWasm(app.ep, 'the shell and the network do not depend on the backend; the WASM project covers them');
  const site = await servedCopy();
  const url = new URL(app.url({ classes: CLASSES.join(', ') }), site.origin).href;
  try {
    await page.goto(url);
    await app.waitReady();
    expect(await controlled(page)).toBe(`${site.origin}/sw.js`);
    const build = (await buildOf(page))!;
    expect(build).toMatch(/^[0-9a-f]{16}$/);
    expect(await cacheNames(page)).toContain(`ovseg-shell-${build}`);

    // Left to the network, online: another origin, a Range request and a HEAD of a precached file.
    expect(await pageFetch(page, HUB_FILE)).toEqual({ status: '200', fromServiceWorker: false });
    const icon = `${site.origin}/favicon.svg`;
    expect(await pageFetch(page, icon, { range: 'bytes=0-9' })).toEqual({
      status: '206',
      fromServiceWorker: false,
    });
    expect(await pageFetch(page, icon, { method: 'HEAD' })).toEqual({
      status: '200',
      fromServiceWorker: false,
    });

    await context.setOffline(true);
    await page.reload();
    await app.waitReady();
    await app.segmentImage(toPng(shapesScene(160, 128)), 'offline.png');
    await app.waitForResult(CLASSES);
    for (const row of await app.legendRows())
      if (row.name) expect(parseFloat(row.share), `${row.name}'s share`).toBeGreaterThan(0);
    expect(await page.evaluate(() => crossOriginIsolated)).toBe(true);
    // The page's policy refuses eval; the engine's worker kept its own (ONNX Runtime's WebGPU glue needs eval).
    expect(await evalIn(page)).toEqual({ page: 'EvalError', worker: 2 });
    // The hub file fetched online was not kept: offline it fails. The vocabulary presets are there.
    expect(await statusOf(page, HUB_FILE)).toBe('TypeError');
    const preset = `${site.origin}/vocab/pascal_voc_21.txt`;
    expect(await pageFetch(page, preset)).toEqual({ status: '200', fromServiceWorker: true });

    // A new build, same files but another version; the worker's takeover is heard from the page.
    await context.setOffline(false);
    const next = [...build].map((c) => ((parseInt(c, 16) + 1) % 16).toString(16)).join('');
    await site.deploy(build, next);
    await page.addInitScript(() => {
      (window as unknown as { takeover: Promise<unknown> }).takeover = new Promise((r) =>
        navigator.serviceWorker.addEventListener('controllerchange', r, { once: true }),
      );
    });
    // What the service workers download from here on: pages and public files, not the hashed assets
    // the new version finds in the old one's cache.
    const downloaded: string[] = [];
    context.on('request', (r) => void (r.serviceWorker() && downloaded.push(new URL(r.url()).pathname)));
    await page.reload();
    // Network first: the old worker still controls this visit, yet the page is the new one.
    expect(await buildOf(page)).toBe(next);
    await page.evaluate(() => (window as unknown as { takeover: Promise<unknown> }).takeover);
    expect(await controlled(page)).toBe(`${site.origin}/sw.js`);
    const names = await cacheNames(page);
    expect(names).toContain(`ovseg-shell-${next}`);
    expect(names, 'the old version is deleted').not.toContain(`ovseg-shell-${build}`);
    expect(names, 'the model downloads are not the shell’s to delete').toContain('ovseg-models-v1');
    expect(downloaded).toContain('/index.html');
    expect(downloaded.filter((p) => p.startsWith('/assets/'))).toEqual([]);

    // Offline again: the new build's page, from the new version's cache.
    await context.setOffline(true);
    await page.reload();
    await app.waitReady();
    expect(await buildOf(page)).toBe(next);
  } finally {
    await site.close();
  }
});
