import type { FileProgress } from '../shared/protocol';
import { DownloadFailedError, ModelFileInvalidError, OriginNotAllowedError } from '../errors';
import type { Fetcher } from './bundle';
import { LIMITS } from './limits';
import { looksLikeOnnx } from '../models/runtime/ortRuntime';
import { answer, readCapped, RESPONSE_MS } from './download';
import { BundleCache, recordFiles, type BundleIdentity, type CacheReport } from './bundleRecord';

type Progress = (p: FileProgress & { cached?: boolean }) => void;

const MODEL_CACHE = 'ovseg-models-v1';

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
  /** The bundle these files belong to: its cached copy is used only while it is that version. */
  bundle?: BundleIdentity | undefined;
  /** How long a server may take to answer, and the window of the least pace (default RESPONSE_MS). */
  responseMs?: number | undefined;
}

/** A fetcher whose downloads enter the cache only on `commit()` (once the model has loaded). */
export type CommittingFetcher = Fetcher & { commit(): Promise<CacheReport> };

/** Failures where a kept copy may serve instead: the server out of reach or failing, not refusing. */
const unreachable = new WeakSet<Error>();

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
 *
 * With `bundle` (see bundleRecord.ts) the cache follows the bundle's updates: its manifest is fetched
 * on every load and compared with the cached copy's, cached files are used only for the version that
 * stored them, offline the kept copy serves, and the commit stores the model whole or not at all.
 */
export function cachingFetcher(base: string, o: DownloadOptions): CommittingFetcher {
  const pending: [string, Uint8Array][] = [];
  const failed = new AbortController();
  const signal = o.signal ? AbortSignal.any([o.signal, failed.signal]) : failed.signal;
  // One look at the bundle's record per load (none without a cache or a bundle).
  const bundle = o.cache && o.bundle ? BundleCache.open(o.cache, o.bundle).catch(() => null) : null;
  const download = async (url: string, path: string, cap: number, fresh: boolean, progress: Progress) => {
    if (o.allowedOrigins && !originAllowed(url, o.allowedOrigins))
      throw new OriginNotAllowedError(
        `${url} is not on a host this app may download from (${o.allowedOrigins.join(', ')}): ` +
          'its Content-Security-Policy allows only these',
      );
    const waitMs = o.responseMs ?? RESPONSE_MS;
    let res: Response;
    try {
      // A manifest, or a changed bundle's file, is fetched past the HTTP cache (revalidated).
      res = await answer(url, path, { signal, waitMs, fresh, allowed: o.allowedOrigins });
    } catch (e) {
      if (!signal.aborted) unreachable.add(e as Error);
      throw e;
    }
    if (!res.ok) {
      const err = new DownloadFailedError(
        `Could not download ${path}: HTTP ${res.status}${res.status === 404 ? ' (not found)' : ''}`,
      );
      if (res.status >= 500) unreachable.add(err);
      throw err;
    }
    const host = new URL(url).host;
    const bytes = await readCapped(res, path, cap, { signal, onProgress: progress, windowMs: waitMs, host });
    if (path.endsWith('.onnx') && !looksLikeOnnx(bytes))
      throw new ModelFileInvalidError(`${path} is not an ONNX model`);
    return bytes;
  };
  const fromCache = async (url: string, path: string, progress: Progress) => {
    const hit = await o.cache?.match(url).catch(() => undefined);
    if (!hit) return null;
    const bytes = new Uint8Array(await hit.arrayBuffer());
    progress({ file: path, loaded: bytes.length, total: bytes.length, cached: true });
    return bytes;
  };
  const get = async (path: string, onProgress?: (p: FileProgress) => void, cap: number = LIMITS.onnx) => {
    const url = new URL(path, base).href;
    const progress: Progress = (p) => {
      o.onProgress?.(p);
      onProgress?.(p);
    };
    const b = await bundle;
    const manifest = b?.isManifest(url) ?? false;
    // A bundle's manifest is always asked for again (it says whether the copy is current); its
    // files come from the cache while the record vouches for them. Without a record, as before.
    if (!manifest && (b ? b.trusts(url) : true)) {
      const hit = await fromCache(url, path, progress);
      if (hit) return (b?.served(url), hit);
    }
    let bytes: Uint8Array;
    try {
      // The manifest is revalidated on every load (ETag / Last-Modified): it names the version.
      bytes = await download(url, path, cap, manifest || (b?.stale ?? false), progress);
    } catch (e) {
      // Offline, or the server fails: a kept copy of an unchanged bundle serves.
      const kept = unreachable.has(e as Error) && b?.mayFallBack() && (await fromCache(url, path, progress));
      if (!kept) throw e;
      if (manifest) b!.manifestServed(kept, true);
      else b!.served(url);
      return kept;
    }
    if (manifest) b!.manifestServed(bytes, false);
    else b?.served(url);
    pending.push([url, bytes]);
    return bytes;
  };
  const fetcher: Fetcher = (path, onProgress, cap) =>
    get(path, onProgress, cap).catch((e: unknown) => {
      failed.abort();
      pending.length = 0; // a failed load keeps none of its downloads in memory
      throw e;
    });
  const commit = async (): Promise<CacheReport> => {
    const b = await bundle;
    if (b) return b.commit(pending.splice(0));
    let complete: boolean | null = o.cache ? true : null;
    for (const [url, bytes] of pending.splice(0)) {
      const headers = { 'content-length': String(bytes.length), 'content-type': 'application/octet-stream' };
      await o.cache
        ?.put(url, new Response(bytes as Uint8Array<ArrayBuffer>, { headers }))
        .catch(() => (complete = false));
    }
    return { replaced: false, complete };
  };
  return Object.assign(fetcher, { commit });
}

/**
 * Cached bytes per URL prefix (one model's files share its base URL), and whether a bundle record
 * there lists a file the cache no longer has (then the model is not whole: it is fetched again).
 */
export async function cachedBytes(
  cache: CacheLike | null,
  prefix: string,
): Promise<{ files: number; bytes: number; incomplete: boolean }> {
  if (!cache) return { files: 0, bytes: 0, incomplete: false };
  let files = 0,
    bytes = 0;
  const present = new Set<string>();
  const listed: string[] = [];
  for (const req of await cache.keys()) {
    if (!req.url.startsWith(prefix)) continue;
    const res = await cache.match(req.url);
    files++;
    present.add(req.url);
    bytes += Number(res?.headers.get('content-length')) || 0;
    if (res) listed.push(...(recordFiles(res) ?? []));
  }
  // Files of another prefix (a preset's second repository) are that prefix's to count.
  const incomplete = listed.some((f) => f.startsWith(prefix) && !present.has(f));
  return { files, bytes, incomplete };
}

export async function deleteCached(cache: CacheLike | null, prefix: string): Promise<number> {
  if (!cache) return 0;
  let n = 0;
  for (const req of await cache.keys()) if (req.url.startsWith(prefix) && (await cache.delete(req.url))) n++;
  return n;
}
