/**
 * The offline shell: keeps the built app (page, scripts, styles, ONNX Runtime's WASM, the embedded
 * model, the vocabulary presets) in Cache Storage, so that after one visit the page opens and
 * segments with the network off.
 *
 * Hand-written rather than Workbox (vite-plugin-pwa): the whole policy is a few rules in about a
 * hundred lines, read here in full; every cached response keeps the headers the server sent
 * (COOP/COEP, each script's own CSP); and the app gains no runtime or build dependency.
 *
 * Built alone, without a bundler, by tools/vite/offlineShell.ts: it imports nothing. The build
 * prepends SHELL, its list of files and their hash, so every new build writes a byte-different
 * service worker, which the browser installs on the next visit. Type-checked with
 * tsconfig.worker.json, whose `moduleDetection: force` keeps this file's names its own.
 */

interface Shell {
  /** Hash of every file below (and of this code): names this version's cache. */
  version: string;
  /** Content-hashed build assets: a copy kept by an earlier version is the same bytes. */
  hashed: string[];
  /** Files named without a hash (index.html, public files): fetched past the HTTP cache. */
  files: string[];
}

declare const SHELL: Shell;
declare const self: ServiceWorkerGlobalScope;

/** Only caches with this prefix are this worker's: the model downloads' cache is the app's own. */
const PREFIX = 'ovseg-shell-';
const CACHE = `${PREFIX}${SHELL.version}`;
/** Paths are relative to this script, which the build writes at the app's base. */
const here = (path: string): string => new URL(path, self.location.href).href;
const PAGE = here('index.html');
const PRECACHED = new Set([...SHELL.hashed, ...SHELL.files].map(here));

self.addEventListener('install', (event) => {
  event.waitUntil(
    (async () => {
      const cache = await caches.open(CACHE);
      // A version whose files did not all arrive fails its install and is never activated.
      await Promise.all([
        ...SHELL.hashed.map(async (f) => {
          const kept = await earlier(here(f));
          await (kept ? cache.put(here(f), kept) : cache.add(here(f)));
        }),
        cache.addAll(SHELL.files.map((f) => new Request(here(f), { cache: 'reload' }))),
      ]);
      // Live at once, not when every tab has closed: the next navigation is served by this version.
      await self.skipWaiting();
    })(),
  );
});

/** A hashed file from an earlier version's cache: a new build mostly keeps ONNX Runtime's 28 MB. */
async function earlier(url: string): Promise<Response | undefined> {
  for (const name of await caches.keys()) {
    if (!name.startsWith(PREFIX) || name === CACHE) continue;
    const hit = await (await caches.open(name)).match(url, { ignoreVary: true });
    if (hit) return hit;
  }
  return undefined;
}

self.addEventListener('activate', (event) => {
  event.waitUntil(
    (async () => {
      const old = (await caches.keys()).filter((n) => n.startsWith(PREFIX) && n !== CACHE);
      await Promise.all(old.map((n) => caches.delete(n)));
      await self.clients.claim();
    })(),
  );
});

self.addEventListener('fetch', (event) => {
  const req = event.request;
  // Left to the browser: other methods (they send), Range requests (a whole cached file does not
  // answer a part), and other origins: model hub downloads stream with byte progress through the
  // engine worker's own cache.
  if (req.method !== 'GET' || req.headers.has('range')) return;
  const url = new URL(req.url);
  if (url.origin !== self.location.origin) return;
  if (req.mode === 'navigate') event.respondWith(navigate(req, url));
  else if (url.search === '' && PRECACHED.has(url.href)) event.respondWith(cacheFirst(req));
});

/**
 * Network first, so that an online visit always gets the newest page; offline, the cached one. The
 * network's page is not cached here: it names the new build's assets, which only the new version's
 * worker precaches (with the page, at its install).
 */
async function navigate(req: Request, url: URL): Promise<Response> {
  try {
    return await fetch(req);
  } catch (e) {
    const path = url.origin + url.pathname;
    const cached = await match(PRECACHED.has(path) ? path : PAGE);
    if (cached) return cached;
    throw e;
  }
}

async function cacheFirst(req: Request): Promise<Response> {
  return (await match(req.url)) ?? fetch(req);
}

/** By URL alone: the request's own headers (and the server's Vary) do not change these files. */
async function match(url: string): Promise<Response | undefined> {
  const cache = await caches.open(CACHE);
  return cache.match(url, { ignoreVary: true });
}
