/**
 * The model cache follows a bundle's updates and keeps a model whole or not at all (bundleRecord.ts
 * through cachingFetcher): a Map-backed Cache Storage double and a stubbed server.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { cachedBytes, cachingFetcher, type CacheLike } from './modelCache';
import type { BundleIdentity } from './bundleRecord';

const BASE = 'http://models.test/b/';
const MANIFEST = `${BASE}ovseg.json`;

/** Cache Storage in a Map; `room` puts are accepted, then the browser's quota error. */
class MapCache implements CacheLike {
  map = new Map<string, Response>();
  constructor(public room = Infinity) {}
  async match(url: string) {
    return this.map.get(url)?.clone();
  }
  async put(url: string, res: Response) {
    if (this.room-- <= 0) throw new DOMException('Quota exceeded', 'QuotaExceededError');
    this.map.set(url, res);
  }
  async delete(url: string) {
    return this.map.delete(url);
  }
  async keys() {
    return [...this.map.keys()].map((u) => new Request(u));
  }
}

/** A server with mutable files; counts requests per file, optionally down. */
function server(files: Record<string, string>) {
  const asked: string[] = [];
  const s = { files, asked, down: false };
  vi.stubGlobal('fetch', async (url: string) => {
    asked.push(url.slice(BASE.length));
    if (s.down) throw new TypeError('Failed to fetch');
    const body = s.files[url.slice(BASE.length)];
    return body === undefined ? new Response('', { status: 404 }) : new Response(body);
  });
  return s;
}

/** One load: the manifest, then each file; returns the files' texts and the commit's report. */
async function load(cache: CacheLike, bundle: BundleIdentity = { key: MANIFEST }) {
  const f = cachingFetcher(BASE, { cache, bundle });
  const dec = new TextDecoder();
  const manifest = dec.decode(await f('ovseg.json'));
  const texts = [manifest, dec.decode(await f('a.json')), dec.decode(await f('b.json'))];
  return { texts, report: await f.commit() };
}

describe('bundle records in the model cache', () => {
  afterEach(() => vi.unstubAllGlobals());

  it('serves an unchanged bundle from the cache, asking the server for its manifest only', async () => {
    const srv = server({ 'ovseg.json': 'v1', 'a.json': 'A1', 'b.json': 'B1' });
    const cache = new MapCache();
    expect((await load(cache)).report).toEqual({ replaced: false, complete: true });
    srv.asked.length = 0;
    expect(await load(cache)).toEqual({
      texts: ['v1', 'A1', 'B1'],
      report: { replaced: false, complete: true },
    });
    expect(srv.asked).toEqual(['ovseg.json']);
  });

  it('replaces the copy when the manifest changed, and says so', async () => {
    const srv = server({ 'ovseg.json': 'v1', 'a.json': 'A1', 'b.json': 'B1' });
    const cache = new MapCache();
    await load(cache);
    srv.files = { 'ovseg.json': 'v2', 'a.json': 'A2', 'b.json': 'B2' };
    expect(await load(cache)).toEqual({
      texts: ['v2', 'A2', 'B2'],
      report: { replaced: true, complete: true },
    });
    srv.asked.length = 0;
    expect((await load(cache)).texts).toEqual(['v2', 'A2', 'B2']);
    expect(srv.asked).toEqual(['ovseg.json']);
  });

  it('replaces a copy of another build even when the manifest is the same (the embedded model)', async () => {
    server({ 'ovseg.json': 'same', 'a.json': 'A-new', 'b.json': 'B-new' });
    const cache = new MapCache();
    const old = { key: MANIFEST, version: 'build-1' };
    await load(cache, old);
    // A file of the kept copy tampered with: only a record of the same build may vouch for it.
    await cache.put(`${BASE}a.json`, new Response('poisoned'));
    const r = await load(cache, { key: MANIFEST, version: 'build-2' });
    expect(r).toEqual({ texts: ['same', 'A-new', 'B-new'], report: { replaced: true, complete: true } });
  });

  it('offline, an unchanged kept copy serves', async () => {
    const srv = server({ 'ovseg.json': 'v1', 'a.json': 'A1', 'b.json': 'B1' });
    const cache = new MapCache();
    await load(cache);
    srv.down = true;
    expect((await load(cache)).texts).toEqual(['v1', 'A1', 'B1']);
  });

  it('when storage refuses a file, keeps none of the model and says why', async () => {
    server({ 'ovseg.json': 'v1', 'a.json': 'A1', 'b.json': 'B1' });
    const cache = new MapCache(1); // room for one file of three
    const r = await load(cache);
    expect(r.texts).toEqual(['v1', 'A1', 'B1']);
    expect(r.report).toMatchObject({ replaced: false, complete: false });
    expect(r.report.problem).toMatch(/storage is full/);
    expect(cache.map.size).toBe(0);
    expect(await cachedBytes(cache, BASE)).toEqual({ files: 0, bytes: 0, incomplete: false });
  });

  it('a record whose file went missing makes the model incomplete, and the load fetches it again', async () => {
    const srv = server({ 'ovseg.json': 'v1', 'a.json': 'A1', 'b.json': 'B1' });
    const cache = new MapCache();
    await load(cache);
    await cache.delete(`${BASE}b.json`);
    expect((await cachedBytes(cache, BASE)).incomplete).toBe(true);
    srv.asked.length = 0;
    expect(await load(cache)).toMatchObject({ texts: ['v1', 'A1', 'B1'], report: { complete: true } });
    expect(srv.asked).toEqual(['ovseg.json', 'b.json']);
    expect((await cachedBytes(cache, BASE)).incomplete).toBe(false);
  });

  it('when storage refuses the file a kept copy lacks, none of that copy stays (not even for offline)', async () => {
    const srv = server({ 'ovseg.json': 'v1', 'a.json': 'A1', 'b.json': 'B1' });
    const cache = new MapCache();
    await load(cache);
    await cache.delete(`${BASE}b.json`);
    cache.room = 0;
    expect((await load(cache)).report).toMatchObject({ complete: false });
    expect(cache.map.size).toBe(0);
    srv.down = true;
    await expect(load(cache)).rejects.toThrow(/Could not reach/);
  });
});
