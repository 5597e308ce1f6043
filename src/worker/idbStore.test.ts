import { IDBFactory, IDBKeyRange } from 'fake-indexeddb';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { CACHE_BOUNDS, type CacheBounds } from './cacheBounds';
import { EmbeddingCache } from './embeddingCache';

const vec = (...v: number[]) => Float32Array.from(v);

/** A fresh module (its store is opened once per module) over a fresh in-memory IndexedDB. */
async function freshStore(bounds?: CacheBounds) {
  vi.resetModules();
  return (await import('./idbStore')).indexedDbStore<Float32Array>(bounds);
}

const databases = async () => (await indexedDB.databases()).map((d) => d.name).sort();

/** Records of the store, read straight from IndexedDB: what it really keeps. */
async function records(): Promise<{ values: number; valueBytes: number }> {
  const open = indexedDB.open('ovseg-text-cache');
  const db = await new Promise<IDBDatabase>((r) => (open.onsuccess = () => r(open.result)));
  const os = db.transaction('entries').objectStore('entries');
  const all = os.getAll(IDBKeyRange.bound('v:', 'v;', false, true));
  const values = await new Promise<Float32Array[]>((r) => (all.onsuccess = () => r(all.result)));
  db.close();
  return { values: values.length, valueBytes: values.reduce((n, v) => n + v.byteLength, 0) };
}

describe('indexedDbStore', () => {
  beforeEach(() => {
    vi.stubGlobal('indexedDB', new IDBFactory());
    vi.stubGlobal('IDBKeyRange', IDBKeyRange);
  });
  afterEach(() => vi.unstubAllGlobals());

  it('is null where there is no IndexedDB (Node, blocked storage)', async () => {
    vi.stubGlobal('indexedDB', undefined);
    expect(await freshStore()).toBeNull();
  });

  it('keeps typed arrays across stores (a reload), returns undefined for missing keys, and clears', async () => {
    const a = (await freshStore())!;
    await a.putMany([
      ['m\u0000cat', vec(1, 2)],
      ['m\u0000dog', vec(3)],
    ]);
    const b = (await freshStore())!;
    const got = await b.getMany(['m\u0000dog', 'm\u0000sky', 'm\u0000cat']);
    expect(got[0]).toEqual(vec(3));
    expect(got[0]).toBeInstanceOf(Float32Array);
    expect(got[1]).toBeUndefined();
    expect(got[2]).toEqual(vec(1, 2));
    await b.clear!();
    expect(await a.getMany(['m\u0000cat'])).toEqual([undefined]);
  });

  it('serves an EmbeddingCache after a reload: nothing to encode again', async () => {
    await new EmbeddingCache(await freshStore()).store('model', [['cat', vec(0.5)]]);
    const reloaded = new EmbeddingCache(await freshStore());
    expect(await reloaded.lookup('model', ['cat', 'dog'])).toEqual([vec(0.5), undefined]);
  });

  it('deletes the unbounded databases of earlier versions', async () => {
    for (const name of ['ovseg-text-embeddings', 'ovseg-prompt-encodings']) {
      const old = indexedDB.open(name, 1);
      old.onupgradeneeded = () => old.result.createObjectStore('x');
      await new Promise((resolve) => (old.onsuccess = resolve));
      old.result.close();
    }
    await (await freshStore())!.putMany([['k\u0000p', vec(1)]]);
    await vi.waitFor(async () => expect(await databases()).toEqual(['ovseg-text-cache']));
  });

  describe('bounds', () => {
    /** 4 kB values: about five fit a model, eight the whole store (with each record's overhead). */
    const bounds: CacheBounds = { ...CACHE_BOUNDS, entry: 8_000, perModel: 24_000, persistent: 40_000 };
    const floats = (n: number) => new Float32Array(n).fill(0.5);
    const put = (
      s: NonNullable<Awaited<ReturnType<typeof freshStore>>>,
      model: string,
      from: number,
      n: number,
    ) => s.putMany(Array.from({ length: n }, (_, i) => [`${model}\u0000p${from + i}`, floats(1000)]));

    it('keeps each model under its bound, the least recently used out', async () => {
      const s = (await freshStore(bounds))!;
      await put(s, 'sha256:a', 0, 3);
      await s.getMany(['sha256:a\u0000p0']); // p0 is now the most recently used
      await put(s, 'sha256:a', 3, 4);
      const [used] = await s.usage!(['sha256:a']);
      expect(used).toBeLessThanOrEqual(bounds.perModel);
      const got = await s.getMany(Array.from({ length: 7 }, (_, i) => `sha256:a\u0000p${i}`));
      // Five fit: the four newest and p0, read after p1 and p2 were stored.
      expect(got.map((v) => v !== undefined)).toEqual([true, false, false, true, true, true, true]);
      expect((await records()).values).toBe(5);
    });

    it('keeps every model together under the overall bound, and one model under its own', async () => {
      const s = (await freshStore(bounds))!;
      for (const [i, model] of ['sha256:a', 'sha256:b@cond', 'sha256:c'].entries())
        await put(s, model, 0, 5 + i);
      const [a, b, c] = await s.usage!(['sha256:a', 'sha256:b', 'sha256:c']);
      expect(a! + b! + c!).toBeLessThanOrEqual(bounds.persistent);
      expect(c).toBeLessThanOrEqual(bounds.perModel);
      expect(c).toBeGreaterThan(0);
      // The IndexedDB values themselves stay within the bound.
      expect((await records()).valueBytes).toBeLessThanOrEqual(bounds.persistent);
    });

    it('does not keep a value over the entry bound', async () => {
      const s = (await freshStore(bounds))!;
      await s.putMany([['sha256:w\u0000wide', floats(2_001)]]);
      expect(await s.getMany(['sha256:w\u0000wide'])).toEqual([undefined]);
      expect((await records()).values).toBe(0);
    });

    it('forgets one model, leaving the others', async () => {
      const s = (await freshStore(bounds))!;
      await put(s, 'sha256:a@cut', 0, 2);
      await put(s, 'sha256:b', 0, 2);
      await s.forget!(['sha256:a']);
      expect(await s.usage!(['sha256:a', 'sha256:b'])).toEqual([0, expect.any(Number)]);
      expect((await records()).values).toBe(2);
    });
  });
});
