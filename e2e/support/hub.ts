/**
 * The fixture server's model-hub side: the Hugging Face layout `/hub/{owner}/{name}/resolve/main/{file}`
 * mapped onto the tiny fixtures, plus faults a real network has (404, cut and dropped downloads, corrupt
 * files, bad manifests), an offline switch and a slow mode for watching progress and cancelling.
 */
import { readFileSync, statSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { decomposeLayerNorms } from '../../src/models/clip/decomposeLayerNorm';

/** Hub repositories served from fixture folders: repo -> (file in repo -> file under fixtures/). */
const REPOS: Record<string, Record<string, string>> = {
  'Xenova/clipseg-rd64-refined': {
    'onnx/model.onnx': 'clipseg-tiny/model.onnx',
    'onnx/model_fp16.onnx': 'clipseg-tiny/model_fp16.onnx',
    'onnx/model_quantized.onnx': 'clipseg-tiny/model_quantized.onnx',
    'tokenizer.json': 'clip-tokenizer/tokenizer.json',
    'tokenizer_config.json': 'clip-tokenizer/tokenizer_config.json',
  },
  'Xenova/clip-vit-base-patch16': {
    'onnx/vision_model.onnx': 'clip-vision-tiny/vision_model.onnx',
    'onnx/vision_model_fp16.onnx': 'clip-vision-tiny/vision_model_fp16.onnx',
    'onnx/vision_model_quantized.onnx': 'clip-vision-tiny/vision_model_quantized.onnx',
    'onnx/text_model.onnx': 'clip-text-tiny/text_model.onnx',
    'onnx/text_model_fp16.onnx': 'clip-text-tiny/text_model_fp16.onnx',
    'onnx/text_model_quantized.onnx': 'clip-text-tiny/text_model_quantized.onnx',
    'tokenizer.json': 'clip-tokenizer/tokenizer.json',
    'tokenizer_config.json': 'clip-tokenizer/tokenizer_config.json',
  },
};

/** SAM's two graphs as transformers.js exports them, served from the tiny SAM fixture. */
const samRepo = (): Record<string, string> =>
  Object.fromEntries(
    ['vision_encoder', 'prompt_encoder_mask_decoder'].flatMap((g) =>
      ['', '_fp16', '_quantized'].map((v) => [`onnx/${g}${v}.onnx`, `sam-tiny/${g}${v}.onnx`]),
    ),
  );
REPOS['Xenova/slimsam-77-uniform'] = samRepo();
REPOS['Xenova/sam-vit-base'] = samRepo();

/** Files of the fault bundles (a query bundle: the tiny query model with the tiny CLIP text tower). */
const FAULT_FILES: Record<string, string> = {
  'image_model.onnx': 'query-ovseg-tiny/image_model.onnx',
  'text_model.onnx': 'clip-text-tiny/text_model.onnx',
  'tokenizer.json': 'clip-tokenizer/tokenizer.json',
  'tokenizer_config.json': 'clip-tokenizer/tokenizer_config.json',
};

type Fault =
  | 'missing'
  | 'truncated'
  | 'gone'
  | 'corrupt'
  | 'notonnx'
  | 'badmanifest'
  | 'notjson'
  | 'ok'
  // Servers that never stop: an endless ONNX file (its manifest declares 200 MB), one that sends more
  // than its Content-Length (a gzip bomb), one that announces 3 GiB, an endless tokenizer.json.
  | 'endless'
  | 'liar'
  | 'announced'
  | 'hugejson';

/**
 * What the endless routes sent before the client hung up, per request path (bytes). `decomposed`:
 * the CLIP vision towers are served with their LayerNorms decomposed into primitive ops (as opset < 17
 * exports have them), made from the fixture by the project's own graph tool.
 */
const state = {
  offline: false,
  slow: false,
  decomposed: false,
  requests: [] as string[],
  sent: {} as Record<string, number>,
};

const decomposedCache = new Map<string, Buffer>();
function decomposedTower(full: string): Buffer {
  let b = decomposedCache.get(full);
  if (!b) {
    b = Buffer.from(decomposeLayerNorms(new Uint8Array(readFileSync(full)), 16));
    decomposedCache.set(full, b);
  }
  return b;
}

/** Declared size of the endless fault's image model (the app caps it at this plus a margin). */
export const ENDLESS_DECLARED = 200e6;

const HEADERS = {
  'Access-Control-Allow-Origin': '*',
  'Access-Control-Expose-Headers': 'Content-Length',
  'Cross-Origin-Resource-Policy': 'cross-origin',
  'Cache-Control': 'no-store',
};

function faultManifest(root: string, fault: Fault): Buffer {
  const m = JSON.parse(readFileSync(resolve(root, 'query-ovseg-tiny/ovseg.json'), 'utf8')) as Record<
    string,
    unknown
  >;
  Object.assign(m, {
    id: `fault-${fault}`,
    name: `fault ${fault}`,
    image: { files: { fp32: 'image_model.onnx' } },
    text: { files: { fp32: 'text_model.onnx' } },
    tokenizer: { json: 'tokenizer.json', config: 'tokenizer_config.json' },
  });
  if (fault === 'badmanifest') Object.assign(m, { family: 'segformer', logitScale: -1 });
  if (fault === 'endless')
    Object.assign(m, { image: { files: { fp32: 'image_model.onnx' }, sizes: { fp32: ENDLESS_DECLARED } } });
  // Not JSON, and not a web page either (a web page gets a message of its own).
  return Buffer.from(fault === 'notjson' ? '{"id": "truncated' : JSON.stringify(m));
}

/** Sends bytes, slowly in slow mode (so progress can be watched and a download cancelled). */
async function send(
  res: ServerResponse,
  body: Buffer,
  declared = body.length,
  cut: 'end' | 'destroy' | null = null,
) {
  res.writeHead(200, {
    ...HEADERS,
    'Content-Type': 'application/octet-stream',
    'Content-Length': String(declared),
  });
  const chunk = 64 * 1024;
  for (let off = 0; off < body.length; off += chunk) {
    if (res.destroyed) return;
    res.write(body.subarray(off, off + chunk));
    if (state.slow) await new Promise((r) => setTimeout(r, 60));
  }
  if (cut === 'destroy') res.socket?.destroy();
  else res.end();
}

/**
 * Sends `head`, then zeros until the client hangs up, with `declared` as Content-Length if given;
 * records the bytes sent under `path`.
 */
function sendEndless(res: ServerResponse, path: string, head: Buffer, declared?: number) {
  res.writeHead(200, {
    ...HEADERS,
    'Content-Type': 'application/octet-stream',
    ...(declared === undefined ? {} : { 'Content-Length': String(declared) }),
  });
  const zeros = Buffer.alloc(1 << 20);
  let sent = 0;
  let open = true;
  res.on('close', () => {
    open = false;
    state.sent[path] = sent;
  });
  const pump = () => {
    let more = true;
    while (open && more) {
      const chunk = sent === 0 ? head : zeros;
      sent += chunk.length;
      more = res.write(chunk);
    }
    if (open) res.once('drain', pump);
  };
  pump();
}

/** Handles /hub/... and /__hub/... requests; returns false for anything else. */
export function hubHandler(root: string) {
  return (path: string, req: IncomingMessage, res: ServerResponse): boolean => {
    const ctl = /^\/__hub\/(offline|online|slow|fast|decomposed|requests|reset)$/.exec(path);
    if (ctl) {
      const what = ctl[1]!;
      if (what === 'offline' || what === 'online') state.offline = what === 'offline';
      if (what === 'slow' || what === 'fast') state.slow = what === 'slow';
      if (what === 'decomposed') state.decomposed = true;
      if (what === 'reset')
        Object.assign(state, { offline: false, slow: false, decomposed: false, requests: [], sent: {} });
      res.writeHead(200, { ...HEADERS, 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ ...state }));
      return true;
    }
    const m = /^\/hub\/([\w.-]+\/[\w.-]+)\/resolve\/main\/(.+)$/.exec(path);
    if (!m) return false;
    const [, repo, file] = m as unknown as [string, string, string];
    state.requests.push(`${req.method} ${path}`);
    if (state.offline) {
      req.socket.destroy(); // as if the host could not be reached
      return true;
    }
    const notFound = () => {
      res.writeHead(404, { ...HEADERS, 'Content-Type': 'text/plain' });
      res.end(`not found: ${path}`);
      return true;
    };
    const faultRepo = /^faults\/(\w+)$/.exec(repo);
    if (faultRepo) {
      const fault = faultRepo[1] as Fault;
      if (fault === 'missing') return notFound();
      if (file === 'ovseg.json') return (void send(res, faultManifest(root, fault)), true);
      const rel = FAULT_FILES[file];
      if (!rel) return notFound();
      const body = readFileSync(resolve(root, rel));
      const onnx = file.endsWith('.onnx');
      if (file === 'image_model.onnx' && (fault === 'endless' || fault === 'announced'))
        return (
          sendEndless(res, path, body.subarray(0, 1024), fault === 'announced' ? 3 * 2 ** 30 : undefined),
          true
        );
      if (file === 'image_model.onnx' && fault === 'liar') {
        // A gzip bomb: Content-Length counts the 64 kB sent, the body decodes to 64 MiB.
        const bomb = gzipSync(Buffer.concat([body.subarray(0, 1024), Buffer.alloc(64 << 20)]));
        res.writeHead(200, {
          ...HEADERS,
          'Content-Type': 'application/octet-stream',
          'Content-Encoding': 'gzip',
          'Content-Length': String(bomb.length),
        });
        res.end(bomb);
        return true;
      }
      if (file === 'tokenizer.json' && fault === 'hugejson')
        return (sendEndless(res, path, Buffer.from('{"model": {"vocab": {"')), true);
      if (onnx && fault === 'truncated')
        void send(res, body.subarray(0, body.length >> 1), body.length, 'end');
      else if (onnx && fault === 'gone')
        void send(res, body.subarray(0, body.length >> 1), body.length, 'destroy');
      else if (onnx && fault === 'corrupt') {
        const bad = Buffer.from(body);
        bad.fill(0xab, 16); // ONNX's first bytes, then garbage: passes a magic check, fails to parse
        void send(res, bad);
      } else if (onnx && fault === 'notonnx')
        void send(res, Buffer.from('<!doctype html><title>Error</title>'));
      else void send(res, body);
      return true;
    }
    const rel = REPOS[repo]?.[file];
    if (!rel) return notFound();
    const full = resolve(root, rel);
    statSync(full);
    const tower = state.decomposed && rel.startsWith('clip-vision-tiny/');
    void send(res, tower ? decomposedTower(full) : readFileSync(full));
    return true;
  };
}
