/**
 * The fixture server's hostile side: model bundles a stranger could link to with `?model=<URL>`,
 * each broken in one way (a manifest field of the wrong type or out of range, a file that is empty,
 * unparsable, huge or on another host). Served at /hostile/{case}/ovseg.json with the files it names;
 * the tests (hostile.spec.ts) check each gets a message that names what is wrong, and that the
 * app goes back to the model it had.
 */
import { readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { resolve } from 'node:path';
import { WIDE_TEXT_WIDTH, wideTextModel } from './wideText';

type Json = Record<string, unknown>;

export interface HostileCase {
  /** Changes to a working query bundle's manifest. */
  change: (m: Json) => void;
  /** What the message must say (the field at fault, or the file). */
  message: RegExp;
}

/** A body this many bytes long, sent in chunks and never held whole (the 700 MB tokenizer). */
const HUGE = 700e6;

export const HOSTILE: Record<string, HostileCase> = {
  'description-object': {
    change: (m) => (m.description = { html: '<b>rich</b>', nested: [1, 2] }),
    message: /"description" must be a text/,
  },
  'licence-array': {
    change: (m) => (m.licence = ['MIT', { url: 'x' }]),
    message: /"licence" must be a text/,
  },
  'name-object': { change: (m) => (m.name = { en: 'hostile' }), message: /"name" must be a non-empty text/ },
  'input-size-100000': {
    change: (m) => (m.input = { kind: 'fixed', height: 100000, width: 320 }),
    message: /"input\.height" must be an integer in 32\.\.4096 \(got 100000\)/,
  },
  'input-size-fractional': {
    change: (m) => (m.input = { kind: 'fixed', height: 256, width: 320.5 }),
    message: /"input\.width" must be an integer in 32\.\.4096 \(got 320\.5\)/,
  },
  'long-side-huge': {
    change: (m) => (m.input = { kind: 'dynamic', longSide: 1e6, multiple: 8 }),
    message: /"input\.longSide" must be an integer/,
  },
  'logit-scale-absurd': {
    change: (m) => (m.logitScale = 1e30),
    message: /"logitScale" must be a number in 1\.\.1000/,
  },
  'std-tiny': {
    change: (m) => (m.pixel = { mean: [0.5, 0.5, 0.5], std: [1e-12, 0.2, 0.2] }),
    message: /"pixel\.std\[0\]" must be a number in 0\.01\.\.10/,
  },
  'template-without-braces': {
    change: (m) => (m.templates = ['a photo']),
    message: /"templates\[0\]" must contain "\{\}"/,
  },
  'void-wrong-length': {
    change: (m) => (m.voidEmbedding = [0.1, 0.2, 0.3]),
    message: /"voidEmbedding" has 3 numbers, but the text model's embeddings have 16/,
  },
  'file-data-url': {
    change: (m) => (m.image = { files: { fp32: 'data:application/octet-stream;base64,CAESAA==' } }),
    message: /"image\.files\.fp32" must be a path relative to the manifest or an http\(s\) URL/,
  },
  'file-javascript-url': {
    change: (m) => (m.tokenizer = { json: 'javascript:alert(1)' }),
    message: /"tokenizer\.json" must be a path relative/,
  },
  'file-third-origin': {
    change: (m) => (m.text = { files: { fp32: 'http://example.invalid/text_model.onnx' } }),
    message: /"text\.files\.fp32" points to http:\/\/example\.invalid/,
  },
  'onnx-empty': {
    change: (m) => (m.image = { files: { fp32: 'empty.onnx' } }),
    message: /empty\.onnx is not an ONNX model/,
  },
  'onnx-unparsable': {
    change: (m) => (m.image = { files: { fp32: 'garbage.onnx' } }),
    message: /could not load the image model/i,
  },
  'text-wide': {
    change: (m) => (m.text = { files: { fp32: 'wide_text.onnx' } }),
    message: new RegExp(`has ${WIDE_TEXT_WIDTH.toLocaleString('en')} numbers per prompt: at most 8,192`),
  },
  'tokenizer-700mb': {
    change: (m) => (m.tokenizer = { json: 'huge.json', config: 'tokenizer_config.json' }),
    message: /huge\.json/,
  },
};

/** The flaky bundle itself is sound. */
const FLAKY: HostileCase = { change: () => undefined, message: /HTTP 503/ };

const FILES: Record<string, string> = {
  'image_model.onnx': 'query-ovseg-tiny/image_model.onnx',
  'text_model.onnx': 'clip-text-tiny/text_model.onnx',
  'tokenizer.json': 'clip-tokenizer/tokenizer.json',
  'tokenizer_config.json': 'clip-tokenizer/tokenizer_config.json',
};

const HEADERS = {
  'Access-Control-Allow-Origin': '*',
  'Access-Control-Expose-Headers': 'Content-Length',
  'Cross-Origin-Resource-Policy': 'cross-origin',
  'Cache-Control': 'no-store',
};

function manifest(root: string, name: string, c: HostileCase): Buffer {
  const m = JSON.parse(readFileSync(resolve(root, 'query-ovseg-tiny/ovseg.json'), 'utf8')) as Json;
  Object.assign(m, {
    id: `hostile-${name}`,
    name: `hostile ${name}`,
    image: { files: { fp32: 'image_model.onnx' } },
    text: { files: { fp32: 'text_model.onnx' } },
    tokenizer: { json: 'tokenizer.json', config: 'tokenizer_config.json' },
  });
  c.change(m);
  return Buffer.from(JSON.stringify(m));
}

/** Streams `total` bytes of a JSON-looking text without building it. */
async function sendHuge(res: ServerResponse, total: number): Promise<void> {
  res.writeHead(200, { ...HEADERS, 'Content-Type': 'application/json', 'Content-Length': String(total) });
  const chunk = Buffer.alloc(1 << 20, 0x61);
  let sent = 0;
  while (sent < total && !res.destroyed) {
    const n = Math.min(chunk.length, total - sent);
    if (!res.write(chunk.subarray(0, n))) await new Promise((r) => res.once('drain', r));
    sent += n;
  }
  res.end();
}

/** Tokens of /flaky/{token}/ bundles already asked for: the first manifest request fails. */
const flakySeen = new Set<string>();
/** Tokens of /updated/{token}/ bundles already asked for: later manifests are a new version. */
const updatedSeen = new Set<string>();

/** A sound bundle whose manifest names version 1 the first time and version 2 after (an update). */
const updated = (token: string): HostileCase => {
  const version = updatedSeen.has(token) ? 2 : 1;
  updatedSeen.add(token);
  return { change: (m) => (m.name = `updated bundle v${version}`), message: /updated/ };
};

/**
 * Handles /hostile/{case}/{file}, and /flaky/{token}/{file} (a good bundle whose manifest answers
 * 503 the first time: a retry then works), and /updated/{token}/{file} (a good bundle whose manifest
 * names a new version from its second request on); returns false for anything else (fixtures/hostile/'s
 * committed bundles then come from the plain files).
 */
export function hostileHandler(root: string) {
  return (path: string, _req: IncomingMessage, res: ServerResponse): boolean => {
    const flaky = /^\/flaky\/([\w-]+)\/ovseg\.json$/.exec(path);
    if (flaky && !flakySeen.has(flaky[1]!)) {
      flakySeen.add(flaky[1]!);
      res.writeHead(503, HEADERS).end('try again later');
      return true;
    }
    const m = /^\/(hostile|flaky|updated)\/([\w-]+)\/(.+)$/.exec(path);
    if (!m) return false;
    const [, kind, name, file] = m as unknown as [string, string, string, string];
    const sound = file === 'ovseg.json' && kind === 'updated' ? updated(name) : FLAKY;
    const c = kind === 'hostile' ? HOSTILE[name] : sound;
    // Other names under /hostile/ are the committed bundles in fixtures/hostile/: plain files.
    if (!c) return false;
    const send = (body: Buffer) => {
      res.writeHead(200, {
        ...HEADERS,
        'Content-Type': 'application/octet-stream',
        'Content-Length': String(body.length),
      });
      res.end(body);
    };
    if (file === 'ovseg.json') send(manifest(root, name, c));
    else if (file === 'empty.onnx') send(Buffer.alloc(0));
    else if (file === 'garbage.onnx') {
      // ONNX's first byte (a ModelProto field tag), then bytes no parser accepts.
      const bad = Buffer.alloc(4096, 0xff);
      bad[0] = 0x08;
      send(bad);
    } else if (file === 'huge.json') void sendHuge(res, HUGE);
    else if (file === 'wide_text.onnx') send(Buffer.from(wideTextModel()));
    else if (FILES[file]) send(readFileSync(resolve(root, FILES[file])));
    else res.writeHead(404, HEADERS).end();
    return true;
  };
}
