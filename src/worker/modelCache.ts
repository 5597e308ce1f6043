import type { FileProgress } from '../shared/protocol';
import {
  DownloadCancelledError,
  DownloadFailedError,
  ModelFileInvalidError,
  ModelFileTooLargeError,
  OriginNotAllowedError,
} from '../errors';
import type { Fetcher } from './bundle';
import { formatBytes } from '../shared/format';
import { LIMITS } from './limits';
import { looksLikeOnnx } from '../models/runtime/ortRuntime';

const cancelled = (file: string) => new DownloadCancelledError(`Download of ${file} was cancelled`);

const MODEL_CACHE = 'ovseg-models-v1';

/**
 * How long a server may take to answer a request, and the window in which a download must bring
 * MIN_WINDOW_BYTES: a server that never answers, stalls or trickles fails with a message naming it
 * instead of holding the load (settable per load for tests: `responseMs`).
 */
const RESPONSE_MS = 20_000;
/** Bytes a download must bring in every window (16 kB in 20 s, under 1 kB/s: a dead link's pace). */
const MIN_WINDOW_BYTES = 16 * 1024;

/** The part of Cache Storage the downloader uses (a real Cache, or a Map-backed test double). */
export interface CacheLike {
  match(url: string): Promise<Response | undefined>;
  put(url: string, res: Response): Promise<void>;
  delete(url: string): Promise<boolean>;
  keys(): Promise<readonly Request[]>;
}

export async function openModelCache(): Promise<CacheLike | null> {
  try {
    return typeof caches === 'undefined' ? null : await caches.open(MODEL_CACHE);
  } catch {
    return null; // e.g. storage blocked: downloads still work, uncached
  }
}

export interface DownloadOptions {
  cache: CacheLike | null;
  signal?: AbortSignal;
  /** Hosts the page's Content-Security-Policy lets it download from (none: no check). */
  allowedOrigins?: readonly string[] | undefined;
  /** Called as bytes arrive; `cached` when a file came from the cache. */
  onProgress?: (p: FileProgress & { cached?: boolean }) => void;
  /** How long a server may take to answer, and the window of the least pace (default RESPONSE_MS). */
  responseMs?: number | undefined;
}

/** Options of readCapped: the window in which the body must bring MIN_WINDOW_BYTES, and the host. */
type ReadOptions = Pick<DownloadOptions, 'signal' | 'onProgress'> & { windowMs?: number; host?: string };

/**
 * Watches a body's pace: every `windowMs`, fewer than MIN_WINDOW_BYTES since the last look stops
 * the read (`cancel`) and keeps the reason for the reader to throw.
 */
function paceWatch(file: string, o: ReadOptions, loaded: () => number, cancel: () => void) {
  const state: { slow: Error | null; stop: () => void } = { slow: null, stop: () => undefined };
  if (!o.windowMs) return state;
  let mark = 0;
  const timer = setInterval(() => {
    const got = loaded() - mark;
    mark = loaded();
    if (got >= MIN_WINDOW_BYTES) return;
    state.slow = new DownloadFailedError(
      `Download of ${file} from ${o.host ?? 'the server'} stopped: ${got} bytes came in the last ` +
        `${o.windowMs! / 1000} s (a download must bring ${formatBytes(MIN_WINDOW_BYTES)} in each): the server is stalled or too slow`,
    );
    cancel();
  }, o.windowMs);
  state.stop = () => clearInterval(timer);
  return state;
}

/**
 * Reads a response body counting bytes against `cap`: refused before reading when the announced
 * length is over the cap, stopped (and the connection cancelled) as soon as the body passes the cap
 * or its announced length.
 */
export async function readCapped(
  res: Response,
  file: string,
  cap: number,
  o: ReadOptions = {},
): Promise<Uint8Array> {
  const announced = res.headers.get('content-length');
  const total = announced !== null && /^\d+$/.test(announced.trim()) ? Number(announced) : null;
  const tooBig = (what: string) =>
    new ModelFileTooLargeError(
      `Download of ${file} stopped: ${what}, more than the ${formatBytes(cap)} this file may take`,
    );
  if (total !== null && total > cap) {
    await res.body?.cancel().catch(() => undefined);
    throw tooBig(`the server announced ${formatBytes(total)}`);
  }
  if (!res.body) return new Uint8Array(await res.arrayBuffer()); // no stream: only tiny test doubles
  const reader = res.body.getReader();
  // A known length is read straight into its buffer; otherwise chunks are kept and joined only once
  // the whole file is in (a failed download never costs more than its cap).
  const whole = total !== null ? new Uint8Array(total) : null;
  const chunks: Uint8Array[] = [];
  let loaded = 0;
  const stop = async (err: Error): Promise<never> => {
    await reader.cancel().catch(() => undefined);
    throw err;
  };
  const pace = paceWatch(
    file,
    o,
    () => loaded,
    () => void reader.cancel().catch(() => undefined),
  );
  try {
    return await readAll();
  } finally {
    pace.stop();
  }

  async function readAll(): Promise<Uint8Array> {
    for (;;) {
      let chunk: ReadableStreamReadResult<Uint8Array>;
      try {
        chunk = await reader.read();
      } catch (e) {
        if (pace.slow) throw pace.slow;
        if (o.signal?.aborted) throw cancelled(file);
        throw new DownloadFailedError(
          `Download of ${file} broke off after ${loaded} bytes: ${(e as Error).message}`,
        );
      }
      if (pace.slow) throw pace.slow;
      if (chunk.done) break;
      if (o.signal?.aborted) return stop(cancelled(file));
      const value = chunk.value;
      const next = loaded + value.length;
      if (total !== null && next > total)
        return stop(
          new ModelFileTooLargeError(
            `Download of ${file} stopped: the server sent more than it announced (${formatBytes(total)})`,
          ),
        );
      if (next > cap) return stop(tooBig(`it sent over ${formatBytes(loaded)}`));
      if (whole) whole.set(value, loaded);
      else chunks.push(value);
      loaded = next;
      o.onProgress?.({ file, loaded, total });
    }
    if (whole) {
      if (loaded !== total)
        throw new DownloadFailedError(`Download of ${file} was cut short (${loaded} of ${total} bytes)`);
      return whole;
    }
    const out = new Uint8Array(loaded);
    let off = 0;
    for (const c of chunks.splice(0)) {
      out.set(c, off);
      off += c.length;
    }
    return out;
  }
}

/** The server's answer (its headers) to a request, within `waitMs`: else a message naming the host. */
async function answer(url: string, path: string, signal: AbortSignal, waitMs: number): Promise<Response> {
  const noAnswer = new AbortController();
  const timer = setTimeout(() => noAnswer.abort(), waitMs);
  try {
    return await fetch(url, { signal: AbortSignal.any([signal, noAnswer.signal]) });
  } catch (e) {
    if (signal.aborted) throw cancelled(path);
    if (noAnswer.signal.aborted)
      throw new DownloadFailedError(
        `${new URL(url).host} did not answer the request for ${path} within ${waitMs / 1000} s: ` +
          'the server is not responding (try again later, or check the address)',
      );
    throw new DownloadFailedError(
      `Could not reach ${url} (offline, or the server is down): ${(e as Error).message}`,
    );
  } finally {
    // Once answered, the body has its own bound (the pace watch): this one must not cut it.
    clearTimeout(timer);
  }
}

/** A fetcher whose downloads enter the cache only on `commit()` (once the model has loaded). */
export type CommittingFetcher = Fetcher & { commit(): Promise<void> };

/** Whether `url` is on one of the origins (entries like `https://*.hf.co` allow subdomains). */
export function originAllowed(url: string, allowed: readonly string[]): boolean {
  const u = new URL(url);
  return allowed.some((a) => {
    const m = /^(\w+:)\/\/\*\.(.+)$/.exec(a);
    if (m) return u.protocol === m[1] && u.host.endsWith(`.${m[2]}`);
    try {
      return new URL(a).origin === u.origin;
    } catch {
      return false;
    }
  });
}

/**
 * Fetcher over HTTP(S) relative to `base`, through Cache Storage: a file is served from the cache when
 * there, else downloaded with byte progress and checked (within its cap, complete; ONNX files start
 * like ONNX). New files are cached only on `commit()`, after the model loaded, so a failed, cut or
 * corrupt download never leaves an entry behind. One fetcher serves one bundle load: its first failed
 * file stops the other downloads, which the failed load no longer needs.
 */
export function cachingFetcher(base: string, o: DownloadOptions): CommittingFetcher {
  const pending: [string, Uint8Array][] = [];
  const failed = new AbortController();
  const signal = o.signal ? AbortSignal.any([o.signal, failed.signal]) : failed.signal;
  const get = async (path: string, onProgress?: (p: FileProgress) => void, cap: number = LIMITS.onnx) => {
    const url = new URL(path, base).href;
    const progress = (p: FileProgress & { cached?: boolean }) => {
      o.onProgress?.(p);
      onProgress?.(p);
    };
    const hit = await o.cache?.match(url).catch(() => undefined);
    if (hit) {
      const bytes = new Uint8Array(await hit.arrayBuffer());
      progress({ file: path, loaded: bytes.length, total: bytes.length, cached: true });
      return bytes;
    }
    if (o.allowedOrigins && !originAllowed(url, o.allowedOrigins))
      throw new OriginNotAllowedError(
        `${url} is not on a host this app may download from (${o.allowedOrigins.join(', ')}): ` +
          'its Content-Security-Policy allows only these',
      );
    const waitMs = o.responseMs ?? RESPONSE_MS;
    const host = new URL(url).host;
    const res = await answer(url, path, signal, waitMs);
    if (!res.ok)
      throw new DownloadFailedError(
        `Could not download ${path}: HTTP ${res.status}${res.status === 404 ? ' (not found)' : ''}`,
      );
    const bytes = await readCapped(res, path, cap, { signal, onProgress: progress, windowMs: waitMs, host });
    if (path.endsWith('.onnx') && !looksLikeOnnx(bytes))
      throw new ModelFileInvalidError(`${path} is not an ONNX model`);
    pending.push([url, bytes]);
    return bytes;
  };
  const fetcher: Fetcher = (path, onProgress, cap) =>
    get(path, onProgress, cap).catch((e: unknown) => {
      failed.abort();
      pending.length = 0; // a failed load keeps none of its downloads in memory
      throw e;
    });
  const commit = async () => {
    for (const [url, bytes] of pending.splice(0)) {
      const headers = { 'content-length': String(bytes.length), 'content-type': 'application/octet-stream' };
      await o.cache
        ?.put(url, new Response(bytes as Uint8Array<ArrayBuffer>, { headers }))
        .catch(() => undefined);
    }
  };
  return Object.assign(fetcher, { commit });
}

/** Cached bytes per URL prefix (one model's files share its base URL). */
export async function cachedBytes(
  cache: CacheLike | null,
  prefix: string,
): Promise<{ files: number; bytes: number }> {
  if (!cache) return { files: 0, bytes: 0 };
  let files = 0,
    bytes = 0;
  for (const req of await cache.keys()) {
    if (!req.url.startsWith(prefix)) continue;
    const res = await cache.match(req.url);
    files++;
    bytes += Number(res?.headers.get('content-length')) || 0;
  }
  return { files, bytes };
}

export async function deleteCached(cache: CacheLike | null, prefix: string): Promise<number> {
  if (!cache) return 0;
  let n = 0;
  for (const req of await cache.keys()) if (req.url.startsWith(prefix) && (await cache.delete(req.url))) n++;
  return n;
}
