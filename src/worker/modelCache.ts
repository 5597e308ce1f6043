import type { FileProgress } from '../engine/protocol';
import { BundleError, type Fetcher } from './bundle';
import { looksLikeOnnx } from './ortRuntime';

export const MODEL_CACHE = 'ovseg-models-v1';

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
  /** Called as bytes arrive; `cached` when a file came from the cache. */
  onProgress?: (p: FileProgress & { cached?: boolean }) => void;
}

async function readAll(
  res: Response,
  file: string,
  total: number | null,
  o: DownloadOptions,
): Promise<Uint8Array> {
  if (!res.body) return new Uint8Array(await res.arrayBuffer());
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let loaded = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      loaded += value.length;
      o.onProgress?.({ file, loaded, total });
    }
  } catch (e) {
    if (o.signal?.aborted) throw new BundleError(`Download of ${file} was cancelled`, 'AbortError');
    throw new BundleError(`Download of ${file} broke off after ${loaded} bytes: ${(e as Error).message}`);
  }
  if (total !== null && loaded !== total)
    throw new BundleError(`Download of ${file} was cut short (${loaded} of ${total} bytes)`);
  const out = new Uint8Array(loaded);
  let off = 0;
  for (const c of chunks) {
    out.set(c, off);
    off += c.length;
  }
  return out;
}

/** A fetcher whose downloads enter the cache only on `commit()` (once the model has loaded). */
export type CommittingFetcher = Fetcher & { commit(): Promise<void> };

/**
 * Fetcher over HTTP(S) relative to `base`, through Cache Storage: a file is served from the cache when
 * there, else downloaded with byte progress and checked (complete; ONNX files start like ONNX). New
 * files are cached only on `commit()`, after the model loaded, so a failed, cut or corrupt download
 * never leaves an entry behind.
 */
export function cachingFetcher(base: string, o: DownloadOptions): CommittingFetcher {
  const pending: [string, Uint8Array][] = [];
  const fetcher = async (path: string, onProgress?: (p: FileProgress) => void) => {
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
    let res: Response;
    try {
      res = await fetch(url, { signal: o.signal });
    } catch (e) {
      if (o.signal?.aborted) throw new BundleError(`Download of ${path} was cancelled`, 'AbortError');
      throw new BundleError(
        `Could not reach ${url} (offline, or the server is down): ${(e as Error).message}`,
      );
    }
    if (!res.ok)
      throw new BundleError(
        `Could not download ${path}: HTTP ${res.status}${res.status === 404 ? ' (not found)' : ''}`,
      );
    const total = Number(res.headers.get('content-length')) || null;
    const bytes = await readAll(res, path, total, { ...o, onProgress: progress });
    if (path.endsWith('.onnx') && !looksLikeOnnx(bytes))
      throw new BundleError(`${path} is not an ONNX model`);
    pending.push([url, bytes]);
    return bytes;
  };
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
