import type { PersistentStore } from './embeddingCache';

const DB = 'ovseg-text-embeddings';
const STORE = 'embeddings';

function open(): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const req = indexedDB.open(DB, 1);
    req.onupgradeneeded = () => req.result.createObjectStore(STORE);
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error ?? new Error('IndexedDB unavailable'));
  });
}

const done = (tx: IDBTransaction): Promise<void> =>
  new Promise((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onerror = tx.onabort = () => reject(tx.error ?? new Error('IndexedDB transaction failed'));
  });

/** Text embeddings persisted in IndexedDB, so a reload does not re-encode a vocabulary. */
export function indexedDbStore(): PersistentStore<unknown> | null {
  if (typeof indexedDB === 'undefined') return null;
  let db: Promise<IDBDatabase> | null = null;
  const get = () => (db ??= open());
  return {
    async getMany(keys) {
      const tx = (await get()).transaction(STORE, 'readonly');
      const st = tx.objectStore(STORE);
      const reqs = keys.map((k) => st.get(k) as IDBRequest<unknown>);
      await done(tx);
      return reqs.map((r) => (r.result === null ? undefined : r.result));
    },
    async putMany(entries) {
      const tx = (await get()).transaction(STORE, 'readwrite');
      const st = tx.objectStore(STORE);
      for (const [k, v] of entries) st.put(v, k);
      await done(tx);
    },
    async clear() {
      const tx = (await get()).transaction(STORE, 'readwrite');
      tx.objectStore(STORE).clear();
      await done(tx);
    },
  };
}
