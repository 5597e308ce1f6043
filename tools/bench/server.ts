/**
 * The benchmark's one local origin (cross-origin isolated, so WASM gets its threads): the app's
 * production build at `/`, ONNX Runtime's files at `/ort/`, transformers.js's browser build at
 * `/tjs/`, the transformers.js bench page at `/bench/`, each model folder at `/models/<name>/`
 * (the hub layout both sides read; the app's manifests are made here when a folder has none), and
 * the generated pictures at `/img/<name>.png`. Nothing comes from a CDN.
 */
import { createReadStream, existsSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { benchManifest, MODEL_FILE } from '../lib/clipsegBundle';
import { quantizedName } from '../lib/quantizeBundle';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const require_ = createRequire(import.meta.url);

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript',
  '.mjs': 'text/javascript',
  '.css': 'text/css',
  '.json': 'application/json',
  '.wasm': 'application/wasm',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
  '.txt': 'text/plain; charset=utf-8',
};

const HEADERS = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
  'Cross-Origin-Resource-Policy': 'same-origin',
  'Cache-Control': 'no-store',
};

export interface BenchServerOptions {
  port: number;
  /** The app's production build. */
  dist: string;
  /** Model folders by URL name. */
  models: Record<string, string>;
  /** Pictures by name (PNG bytes). */
  images: Map<string, Uint8Array>;
}

/** The manifests the app is pointed at: default rows, or one row per name (`classMode: max`). */
export const MANIFESTS = { default: 'ovseg.json', names: 'ovseg-names.json' } as const;

export function startBenchServer(o: BenchServerOptions): Promise<Server> {
  const ortDir = path.dirname(require_.resolve('onnxruntime-web/ort-wasm-simd-threaded.wasm'));
  const tjsDir = path.join(ROOT, 'node_modules/@huggingface/transformers/dist');
  const mounts: [string, string][] = [
    ['/ort/', ortDir],
    ['/tjs/', tjsDir],
    ['/bench/', path.join(ROOT, 'tools/bench/page')],
    ...Object.entries(o.models).map(([name, dir]): [string, string] => [
      `/models/${name}/`,
      path.resolve(dir),
    ]),
    ['/', path.resolve(o.dist)],
  ];
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const p = decodeURIComponent(url.pathname);
    const send = (status: number, body: Uint8Array | string, type = 'text/plain; charset=utf-8') => {
      res.writeHead(status, {
        ...HEADERS,
        'Content-Type': type,
        'Content-Length': String(Buffer.byteLength(body)),
      });
      res.end(body);
    };
    const img = /^\/img\/([\w-]+)\.png$/.exec(p);
    if (img) {
      const bytes = o.images.get(img[1]!);
      return bytes ? send(200, bytes, 'image/png') : send(404, 'no such picture');
    }
    const man = /^\/models\/([\w.-]+)\/(ovseg(?:-names)?\.json)$/.exec(p);
    if (
      man &&
      o.models[man[1]!] &&
      (man[2] === MANIFESTS.names || !existsSync(path.join(o.models[man[1]!]!, man[2]!)))
    ) {
      const m = benchManifest(
        `bench-${man[1]}${man[2] === MANIFESTS.names ? '-names' : ''}`,
        352,
        man[2] === MANIFESTS.names ? 'max' : undefined,
        // The q8 entry where the folder has the int8 file (`--dtype q8` asks the app for it).
        existsSync(path.join(o.models[man[1]!]!, quantizedName(MODEL_FILE))),
      );
      return send(200, JSON.stringify(m), 'application/json');
    }
    for (const [prefix, dir] of mounts) {
      if (!p.startsWith(prefix)) continue;
      let file = path.resolve(dir, p.slice(prefix.length) || 'index.html');
      if (file !== dir && !file.startsWith(dir + path.sep)) return send(403, 'outside the root');
      if (existsSync(file) && statSync(file).isDirectory()) file = path.join(file, 'index.html');
      if (!existsSync(file)) {
        if (prefix === '/') break;
        return send(404, `not found: ${p}`);
      }
      res.writeHead(200, {
        ...HEADERS,
        'Content-Type': TYPES[path.extname(file)] ?? 'application/octet-stream',
        'Content-Length': String(statSync(file).size),
      });
      if (req.method === 'HEAD') return void res.end();
      return void createReadStream(file).pipe(res);
    }
    send(404, `not found: ${p}`);
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port, '127.0.0.1', () => resolve(server));
  });
}
