import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { defineConfig, loadEnv, type Plugin } from 'vite';
import react from '@vitejs/plugin-react';
// With an extension: Vite's config loader warns about an extensionless local import.
import { offlineShell } from './tools/vite/offlineShell.js';

/** Bytes of the files in a folder (not recursive). */
const folderBytes = (dir: string): number =>
  readdirSync(dir).reduce((n, f) => n + statSync(resolve(dir, f)).size, 0);

/**
 * The content hash of a folder's files (names and bytes): the embedded model's build, so that an app
 * update with other model files replaces the copy a visitor's model cache keeps.
 */
function folderHash(dir: string): string {
  const h = createHash('sha256');
  for (const f of readdirSync(dir).sort()) h.update(`${f}\0`).update(readFileSync(resolve(dir, f)));
  return h.digest('hex').slice(0, 16);
}

// Multi-threaded WASM needs SharedArrayBuffer, which needs cross-origin isolation.
const isolation = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

/**
 * Hosts the app may download from: its own origin, the model hub (VITE_HUB_URL, else Hugging Face and
 * the CDN hosts its downloads redirect to) and any extra origins in VITE_CSP_CONNECT (space-separated,
 * e.g. a host serving manifests). `?hub=` and `?model=<URL>` work only within these.
 */
function connectOrigins(env: Record<string, string>): string[] {
  const hub = env.VITE_HUB_URL
    ? [new URL(env.VITE_HUB_URL).origin]
    : ['https://huggingface.co', 'https://*.huggingface.co', 'https://*.hf.co'];
  return [...hub, ...(env.VITE_CSP_CONNECT ?? '').split(/\s+/).filter(Boolean)];
}

/**
 * The built app's Content-Security-Policy: scripts only from the app ('wasm-unsafe-eval' lets ONNX
 * Runtime compile its WebAssembly), workers from the app or blob:, downloads only from the hosts
 * above, no plugins, no <base>. Styles: the app's stylesheet plus React's style properties (set
 * through CSSOM, which CSP does not govern).
 */
function contentSecurityPolicy(connect: string[]): string {
  return [
    "default-src 'self'",
    "script-src 'self' 'wasm-unsafe-eval'",
    "worker-src 'self' blob:",
    `connect-src 'self' ${connect.join(' ')}`,
    "img-src 'self' blob: data:",
    "media-src 'self' blob: mediastream:",
    "style-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');
}

/**
 * The workers' policy: the page's plus 'unsafe-eval', which ONNX Runtime's WebGPU backend needs: its
 * Emscripten embind glue builds functions at run time (`new Function` in emval's method callers; the
 * plain WASM build has none). The ONNX codec no longer does (it is generated ahead of time, see
 * src/models/onnx/proto). The worker runs no code from models or users: it reads bytes and JSON.
 */
function workerPolicy(page: string): string {
  const strict = "script-src 'self' 'wasm-unsafe-eval'";
  if (!page.includes(strict)) throw new Error(`No "${strict}" in the policy: ${page}`);
  return page.replace(strict, `${strict} 'unsafe-eval'`);
}

/**
 * Writes the policy into the built index.html (for any static host) and sends it as a header from
 * `vite preview`, read back from the built page so that both always agree; worker scripts get the
 * workers' policy (a worker's policy comes from its own response, never from the page's meta tag),
 * and so do the built scripts under assets/, whoever asks: the offline shell's service worker fetches
 * them to cache (`Sec-Fetch-Dest: empty`) and serves them to workers later with the headers they came
 * with, while on a script the page runs a policy header has no effect. The dev server stays without
 * one: React's fast refresh injects inline scripts.
 */
function csp(policy: string): Plugin[] {
  return [
    {
      name: 'ovseg-csp-meta',
      apply: 'build',
      transformIndexHtml: () => [
        {
          tag: 'meta',
          attrs: { 'http-equiv': 'Content-Security-Policy', content: policy },
          injectTo: 'head-prepend',
        },
      ],
    },
    {
      name: 'ovseg-csp-header',
      apply: (_, env) => env.isPreview === true,
      configurePreviewServer(server) {
        const html = readFileSync(
          resolve(server.config.root, server.config.build.outDir, 'index.html'),
          'utf8',
        );
        const meta = /<meta http-equiv="Content-Security-Policy" content="([^"]*)"/.exec(html);
        if (!meta) throw new Error('The build has no Content-Security-Policy: run vite build first');
        const built = meta[1]!.replaceAll('&#39;', "'").replaceAll('&quot;', '"').replaceAll('&amp;', '&');
        const worker = workerPolicy(built);
        const assets = `${server.config.base}${server.config.build.assetsDir}/`;
        const builtScript = (url = '') => {
          const path = url.split(/[?#]/)[0]!;
          return path.startsWith(assets) && /\.m?js$/.test(path);
        };
        server.middlewares.use((req, res, next) => {
          const toWorker = req.headers['sec-fetch-dest'] === 'worker' || builtScript(req.url);
          res.setHeader('Content-Security-Policy', toWorker ? worker : built);
          next();
        });
      },
    },
  ];
}

export default defineConfig(({ command, mode }) => {
  const env = loadEnv(mode, process.cwd(), 'VITE_');
  const connect = connectOrigins(env);
  const policy = contentSecurityPolicy(connect);
  return {
    plugins: [react(), ...csp(policy), offlineShell()],
    define: {
      // The worker names a refused host in its message instead of a bare network error.
      ...(command === 'build' && {
        'import.meta.env.VITE_CONNECT_ORIGINS': JSON.stringify(connect.join(' ')),
      }),
      // The model manager's size of the embedded model: what its folder holds, counted now.
      'import.meta.env.VITE_EMBEDDED_MODEL_BYTES': JSON.stringify(
        String(folderBytes('public/models/colours')),
      ),
      'import.meta.env.VITE_EMBEDDED_MODEL_VERSION': JSON.stringify(folderHash('public/models/colours')),
    },
    // transformers.js imports ORT's separate WebGPU build; one shared runtime (and one .wasm) is enough.
    resolve: { alias: [{ find: /^onnxruntime-web\/webgpu$/, replacement: 'onnxruntime-web' }] },
    server: { headers: isolation },
    preview: { headers: isolation },
    worker: { format: 'es' },
    optimizeDeps: { exclude: ['onnxruntime-web'] },
    build: {
      target: 'es2022',
      chunkSizeWarningLimit: 4096,
      // The bundler's time report warns when plugins are slow: on a loaded machine they always are, so
      // it would flag the machine, not the code.
      rolldownOptions: { checks: { bundlerTimings: false } },
    },
  };
});
