import { describe, expect, it, vi } from 'vitest';
import { EmbeddingCache, type PersistentStore } from './embeddingCache';

const vec = (...v: number[]) => Float32Array.from(v);

/** Map-backed store that records its calls. */
class MapStore implements PersistentStore {
  map = new Map<string, Float32Array>();
  gets: string[][] = [];
  puts: [string, Float32Array][][] = [];
  async getMany(keys: string[]): Promise<(Float32Array | undefined)[]> {
    this.gets.push(keys);
    return keys.map((k) => this.map.get(k));
  }
  async putMany(entries: [string, Float32Array][]): Promise<void> {
    this.puts.push(entries);
    for (const [k, v] of entries) this.map.set(k, v);
  }
  async clear(): Promise<void> {
    this.map.clear();
  }
}

describe('EmbeddingCache', () => {
  it('misses first, then hits in memory after store()', async () => {
    const cache = new EmbeddingCache();
    expect(await cache.lookup('m', ['sky', 'cat'])).toEqual([undefined, undefined]);
    await cache.store('m', [['cat', vec(1, 2)]]);
    const got = await cache.lookup('m', ['sky', 'cat']);
    expect(got[0]).toBeUndefined();
    expect(Array.from(got[1]!)).toEqual([1, 2]);
    expect(cache.size).toBe(1);
  });

  it('keys by model id: the same prompt for another model is a miss', async () => {
    const cache = new EmbeddingCache();
    await cache.store('model-a', [['cat', vec(1)]]);
    expect(await cache.lookup('model-b', ['cat'])).toEqual([undefined]);
    await cache.store('model-b', [['cat', vec(2)]]);
    expect((await cache.lookup('model-a', ['cat']))[0]![0]).toBe(1);
    expect((await cache.lookup('model-b', ['cat']))[0]![0]).toBe(2);
    expect(cache.size).toBe(2);
    expect(EmbeddingCache.key('model-a', 'cat')).not.toBe(EmbeddingCache.key('model-b', 'cat'));
  });

  it('does not mix up ids and prompts that join to the same string', () => {
    expect(EmbeddingCache.key('a', 'b c')).not.toBe(EmbeddingCache.key('a b', 'c'));
  });

  it('sends puts to the persistent store, keyed by model and prompt', async () => {
    const store = new MapStore();
    const cache = new EmbeddingCache(store);
    await cache.store('m', [
      ['sky', vec(1)],
      ['cat', vec(2)],
    ]);
    expect(store.puts).toHaveLength(1);
    expect(store.puts[0]!.map(([k]) => k)).toEqual([
      EmbeddingCache.key('m', 'sky'),
      EmbeddingCache.key('m', 'cat'),
    ]);
  });

  it('fills memory from the store on lookup and only asks it for memory misses', async () => {
    const store = new MapStore();
    store.map.set(EmbeddingCache.key('m', 'dog'), vec(3));
    store.map.set(EmbeddingCache.key('other', 'sky'), vec(9));
    const cache = new EmbeddingCache(store);
    await cache.store('m', [['cat', vec(2)]]);
    store.gets = [];

    const got = await cache.lookup('m', ['cat', 'dog', 'sky']);
    expect(got.map((v) => (v ? v[0] : undefined))).toEqual([2, 3, undefined]);
    expect(store.gets).toEqual([[EmbeddingCache.key('m', 'dog'), EmbeddingCache.key('m', 'sky')]]);
    expect(cache.size).toBe(2); // cat + dog now in memory

    // A second lookup of the same prompts: dog comes from memory now.
    store.gets = [];
    await cache.lookup('m', ['cat', 'dog']);
    expect(store.gets).toEqual([]);
  });

  it('works without a store and when everything is in memory', async () => {
    const store = new MapStore();
    const getMany = vi.spyOn(store, 'getMany');
    const cache = new EmbeddingCache(store);
    await cache.store('m', [['cat', vec(1)]]);
    await cache.lookup('m', ['cat']);
    expect(getMany).not.toHaveBeenCalled();
    expect(await cache.lookup('m', [])).toEqual([]);
  });

  it('treats a throwing store as a miss only', async () => {
    const broken: PersistentStore<Float32Array> = {
      getMany: vi.fn(async () => {
        throw new Error('IndexedDB blocked');
      }),
      putMany: vi.fn(async () => {
        throw new Error('quota exceeded');
      }),
      clear: vi.fn(async () => {
        throw new Error('nope');
      }),
    };
    const cache = new EmbeddingCache<Float32Array>(broken);
    expect(await cache.lookup('m', ['cat'])).toEqual([undefined]);
    await expect(cache.store('m', [['cat', vec(5)]])).resolves.toBeUndefined();
    // Memory still works.
    expect((await cache.lookup('m', ['cat']))[0]![0]).toBe(5);
    await expect(cache.clear()).resolves.toBeUndefined();
    expect(cache.size).toBe(0);
  });

  it('clear() empties memory and the store', async () => {
    const store = new MapStore();
    const cache = new EmbeddingCache(store);
    await cache.store('m', [['cat', vec(1)]]);
    await cache.clear();
    expect(cache.size).toBe(0);
    expect(store.map.size).toBe(0);
    expect(await cache.lookup('m', ['cat'])).toEqual([undefined]);
  });

  describe('bounds', () => {
    const bounds = { memory: 4_000, entry: 2_000 };
    const floats = (n: number, fill = 1) => new Float32Array(n).fill(fill);

    it('keeps memory within its byte bound, the least recently used out first', async () => {
      const cache = new EmbeddingCache(null, bounds);
      // 1.6 kB each with their keys: two fit, a third pushes out the least recently used.
      await cache.store('m', [['a', floats(400)]]);
      await cache.store('m', [['b', floats(400)]]);
      await cache.lookup('m', ['a']); // a is now more recent than b
      await cache.store('m', [['c', floats(400)]]);
      expect(cache.bytes).toBeLessThanOrEqual(bounds.memory);
      const got = await cache.lookup('m', ['a', 'b', 'c']);
      expect(got.map((v) => v !== undefined)).toEqual([true, false, true]);
    });

    it('never holds more than its bound, whatever is stored', async () => {
      const cache = new EmbeddingCache(null, bounds);
      for (let i = 0; i < 200; i++) {
        await cache.store('m', [[`prompt ${i}`, floats(1 + (i % 480))]]);
        expect(cache.bytes).toBeLessThanOrEqual(bounds.memory);
      }
      expect(cache.size).toBeGreaterThan(1);
    });

    it('keeps a value larger than the entry bound nowhere, in memory or the store', async () => {
      const store = new MapStore();
      const cache = new EmbeddingCache(store, bounds);
      await cache.store('m', [
        ['huge', floats(600)],
        ['fine', floats(10)],
      ]);
      expect(store.map.has(EmbeddingCache.key('m', 'huge'))).toBe(false);
      expect(store.map.has(EmbeddingCache.key('m', 'fine'))).toBe(true);
      expect(await cache.lookup('m', ['huge'])).toEqual([undefined]);
      expect(cache.size).toBe(1);
    });

    it('forgets one model in memory and in the store, keeping the others', async () => {
      const store = new MapStore();
      let forgotten: readonly string[] = [];
      const withForget = Object.assign(store, {
        forget: async (models: readonly string[]) => void (forgotten = models),
      });
      const cache = new EmbeddingCache(withForget, bounds);
      await cache.store('sha256:aa@cond', [['cat', vec(1)]]);
      await cache.store('sha256:bb', [['cat', vec(2)]]);
      store.map.clear(); // what memory still has, it serves without the store
      await cache.forget(['sha256:aa']);
      expect(forgotten).toEqual(['sha256:aa']);
      expect(await cache.lookup('sha256:aa@cond', ['cat'])).toEqual([undefined]);
      expect(await cache.lookup('sha256:bb', ['cat'])).toEqual([vec(2)]);
      expect(cache.bytes).toBe(4 + 2 * EmbeddingCache.key('sha256:bb', 'cat').length);
    });
  });
});
