/**
 * What the model cache knows of a bundle as a whole, so that a cached model follows updates and is
 * never used half-stored. Beside a bundle's files, Cache Storage keeps one record under the bundle's
 * key (its manifest's URL; for a manifest built into the app, a name beside its files): the
 * manifest's bytes, the build or content version it came with, and every file of the load that
 * stored it. The record is written last, after every file went in; a failed write takes back what
 * went in, so a model is either whole in the cache or not there.
 */
import type { LoadCacheReport } from '../shared/protocol';
import type { CacheLike } from './modelCache';

const FILES = 'x-ovseg-files';
const VERSION = 'x-ovseg-version';

/** Which bundle a load reads, and what its cached copy must match. */
export interface BundleIdentity {
  /** Where the record lives: the manifest's URL, or a name beside a built-in manifest's files. */
  key: string;
  /** The manifest's bytes when the app holds them (a preset); else it is downloaded from `key`. */
  manifest?: Uint8Array;
  /** A version known before any download (the embedded model's build hash): a new one replaces the copy. */
  version?: string;
}

/** What a load did with the model cache (the page says it: a replaced model, a model not kept). */
export type CacheReport = LoadCacheReport;

/**
 * The record's name for a manifest the app holds (a preset): beside its files, with a query no
 * server is ever asked for, so it can be no file's address.
 */
export const inlineBundleKey = (baseUrl: string, id: string): string =>
  `${new URL('ovseg.json', baseUrl).href}?inline=${encodeURIComponent(id)}`;

interface StoredRecord {
  manifest: Uint8Array;
  /** null: a record of an earlier version of the app, which listed no files. */
  files: string[] | null;
  version: string;
}

const same = (a: Uint8Array, b: Uint8Array) => a.length === b.length && a.every((x, i) => x === b[i]);

async function readRecord(cache: CacheLike, key: string): Promise<StoredRecord | null> {
  const res = await cache.match(key).catch(() => undefined);
  if (!res) return null;
  return {
    manifest: new Uint8Array(await res.arrayBuffer()),
    files: recordFiles(res),
    version: res.headers.get(VERSION) ?? '',
  };
}

/** The files a cache entry lists as its bundle's; null when it lists none (not a record, or an old one). */
export function recordFiles(res: Response): string[] | null {
  const files = res.headers.get(FILES);
  if (files === null) return null;
  try {
    const list: unknown = JSON.parse(decodeURIComponent(files));
    return Array.isArray(list) && list.every((f) => typeof f === 'string') ? list : null;
  } catch {
    return null;
  }
}

const quotaWords = (e: unknown) =>
  e instanceof DOMException && e.name === 'QuotaExceededError'
    ? "the browser refused to store it: this site's storage is full"
    : `the browser refused to store it (${e instanceof Error ? e.message : String(e)})`;

const fileResponse = (bytes: Uint8Array, extra: Record<string, string> = {}) =>
  new Response(bytes as Uint8Array<ArrayBuffer>, {
    headers: {
      'content-length': String(bytes.length),
      'content-type': 'application/octet-stream',
      ...extra,
    },
  });

/** One load's view of its bundle's cached copy: which cached files it may use, and the commit. */
export class BundleCache {
  private record: StoredRecord | null = null;
  private manifest: Uint8Array | null;
  /** The manifest (or version) differs from the cached copy's: cached files are stale. */
  private changed = false;
  private used = new Set<string>();

  private constructor(
    private cache: CacheLike,
    readonly id: BundleIdentity,
  ) {
    this.manifest = id.manifest ?? null;
  }

  static async open(cache: CacheLike, id: BundleIdentity): Promise<BundleCache> {
    const b = new BundleCache(cache, id);
    b.record = await readRecord(cache, id.key).catch(() => null);
    if (id.manifest) b.compare(id.manifest);
    return b;
  }

  /** Whether `url` is the manifest this load downloads (always fetched again: it says the version). */
  isManifest(url: string): boolean {
    return !this.id.manifest && url === this.id.key;
  }

  private compare(manifest: Uint8Array): void {
    const r = this.record;
    this.changed = r !== null && (!same(r.manifest, manifest) || r.version !== (this.id.version ?? ''));
  }

  /** The manifest as served now (downloaded, or the cached one when the server is out of reach). */
  manifestServed(bytes: Uint8Array, fromCache: boolean): void {
    this.manifest = bytes;
    if (!fromCache) this.compare(bytes);
    this.used.add(this.id.key);
  }

  /**
   * Whether the cached copy of `url` may be used without asking the server: only as a file of the
   * record of this very version (not of a replaced one, nor of a record that lists no files).
   */
  trusts(url: string): boolean {
    return !this.changed && !!this.record?.files?.includes(url);
  }

  /** Whether a cached copy may stand in for a file the server cannot give now (offline). */
  mayFallBack(): boolean {
    return !this.changed;
  }

  /** The bundle now differs from its cached copy: files are fetched past every HTTP cache. */
  get stale(): boolean {
    return this.changed || !this.record?.files;
  }

  served(url: string): void {
    this.used.add(url);
  }

  /**
   * Stores the downloads, then the record; on any refusal (storage full) takes back everything
   * this commit wrote and the files of the kept copy, so nothing half-stored is used later.
   */
  async commit(downloads: readonly [string, Uint8Array][]): Promise<CacheReport> {
    const replaced = this.changed;
    const files = [...this.used].filter((u) => u !== this.id.key).sort();
    const r = this.record;
    const whole = !replaced && r?.files && files.every((f) => r.files!.includes(f));
    const fresh = downloads.filter(([url]) => url !== this.id.key);
    if (whole && fresh.length === 0) return { replaced, complete: true };
    const written: string[] = [];
    try {
      for (const [url, bytes] of fresh) {
        await this.cache.put(url, fileResponse(bytes));
        written.push(url);
      }
      const record = fileResponse(this.manifest ?? new Uint8Array(0), {
        [FILES]: encodeURIComponent(JSON.stringify(files)),
        [VERSION]: this.id.version ?? '',
      });
      await this.cache.put(this.id.key, record);
    } catch (e) {
      // The kept copy goes too (a replaced version, or the files a refused one would have joined):
      // without its record none of it may serve, not even offline.
      for (const url of new Set([...written, this.id.key, ...(r?.files ?? [])]))
        await this.cache.delete(url).catch(() => false);
      return { replaced, complete: false, problem: quotaWords(e) };
    }
    if (replaced)
      for (const url of r?.files ?? [])
        if (!files.includes(url)) await this.cache.delete(url).catch(() => false);
    return { replaced, complete: true };
  }
}
