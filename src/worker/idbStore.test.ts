import { IDBFactory } from 'fake-indexeddb';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { EmbeddingCache } from './embeddingCache';

const vec = (...v: number[]) => Float32Array.from(v);

/** A fresh module (its store is opened once per module) over a fresh in-memory IndexedDB. */
async function freshStore() {
  vi.resetModules();
  return (await import('./idbStore')).indexedDbStore<Float32Array>();
}

const databases = async () => (await indexedDB.databases()).map((d) => d.name).sort();

describe('indexedDbStore', () => {
  beforeEach(() => vi.stubGlobal('indexedDB', new IDBFactory()));
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

  it('names its database for what it holds and deletes the embeddings-only one of earlier versions', async () => {
    const old = indexedDB.open('ovseg-text-embeddings', 1);
    old.onupgradeneeded = () => old.result.createObjectStore('embeddings');
    await new Promise((resolve) => (old.onsuccess = resolve));
    old.result.close();
    expect(await databases()).toEqual(['ovseg-text-embeddings']);
    await (await freshStore())!.putMany([['k', vec(1)]]);
    await vi.waitFor(async () => expect(await databases()).toEqual(['ovseg-prompt-encodings']));
  });
});
