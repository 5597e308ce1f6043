/**
 * A small static file server for the end-to-end tests: it plays a remote model host, so the page
 * (cross-origin isolated on another port) fetches bundles from it as it would from a real one.
 *
 *   npx tsx e2e/fixtureServer.ts [--port 4174] [--root fixtures]
 *
 * Requests go through a list of routes; each maps a URL path to a file (or declines). Adding a
 * layout, e.g. the Hugging Face hub's /{repo}/resolve/main/{file}, is one more route.
 */
import { createReadStream, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { extname, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { heldHandler } from './support/heldServer';
import { hostileHandler } from './support/hostile';
import { hubHandler } from './support/hub';

/** Maps a decoded URL path to a file path under the root, or null when the route does not apply. */
export type Route = (urlPath: string) => string | null;

/** Answers a request itself (returns true), for responses that are not plain files. */
export type Handler = (urlPath: string, req: IncomingMessage, res: ServerResponse) => boolean;

/** /a/b.json -> <root>/a/b.json */
export const plainFiles: Route = (urlPath) => urlPath.replace(/^\/+/, '');

const TYPES: Record<string, string> = {
  '.json': 'application/json',
  '.onnx': 'application/octet-stream',
  '.bin': 'application/octet-stream',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.txt': 'text/plain; charset=utf-8',
};

// The app is cross-origin isolated (COEP require-corp): cross-origin responses need CORS or CORP.
const SHARED_HEADERS = {
  'Access-Control-Allow-Origin': '*',
  'Access-Control-Expose-Headers': 'Content-Length',
  'Cross-Origin-Resource-Policy': 'cross-origin',
  'Cache-Control': 'no-store',
};

/** A file under root, or null: paths that climb out of the root are refused, not resolved. */
function fileUnder(root: string, rel: string): string | null {
  const full = resolve(root, rel);
  if (full !== root && !full.startsWith(root + sep)) return null;
  try {
    return statSync(full).isFile() ? full : null;
  } catch {
    return null;
  }
}

export function createFixtureServer(
  rootDir: string,
  routes: Route[] = [plainFiles],
  handlers: Handler[] = [],
) {
  const root = resolve(rootDir);
  return createServer((req: IncomingMessage, res: ServerResponse) => {
    if (req.method === 'OPTIONS') {
      res.writeHead(204, {
        ...SHARED_HEADERS,
        'Access-Control-Allow-Methods': 'GET, HEAD',
        'Access-Control-Allow-Headers': '*',
      });
      res.end();
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { ...SHARED_HEADERS, Allow: 'GET, HEAD' });
      res.end();
      return;
    }
    let path: string;
    try {
      path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    } catch {
      res.writeHead(400, SHARED_HEADERS);
      res.end('bad path');
      return;
    }
    for (const handle of handlers) if (handle(path, req, res)) return;
    let file: string | null = null;
    for (const route of routes) {
      const rel = route(path);
      file = rel === null ? null : fileUnder(root, rel);
      if (file) break;
    }
    if (!file) {
      res.writeHead(404, { ...SHARED_HEADERS, 'Content-Type': 'text/plain; charset=utf-8' });
      res.end(`not found: ${path}`);
      return;
    }
    res.writeHead(200, {
      ...SHARED_HEADERS,
      'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream',
      'Content-Length': String(statSync(file).size),
    });
    if (req.method === 'HEAD') res.end();
    else createReadStream(file).pipe(res);
  });
}

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(name);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1]! : fallback;
}

// Started as a program (Playwright's webServer), not when imported.
if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const port = Number(arg('--port', process.env.FIXTURE_PORT ?? '4174'));
  const root = arg('--root', fileURLToPath(new URL('../fixtures', import.meta.url)));
  // The model hub's layout and faults (see support/hub.ts), hostile bundles (support/hostile.ts) and
  // servers that never answer or trickle (support/heldServer.ts) beside the plain files.
  createFixtureServer(root, [plainFiles], [hubHandler(root), hostileHandler(root), heldHandler()]).listen(
    port,
    '127.0.0.1',
    () => {
      console.log(`fixture server: ${root} on http://127.0.0.1:${port}/`);
    },
  );
}
