import { clear, createStore, getMany, setMany, type UseStore } from 'idb-keyval';
import type { PersistentStore } from './embeddingCache';

/**
 * What the text side computed per prompt (a query model's text embeddings, a dense model's text
 * cuts), under content keys (EmbeddingCache.key): one database, the keys keep the models apart.
 */
const DB = 'ovseg-prompt-encodings';
const STORE = 'by-content-key';
/**
 * The database of earlier versions, named for embeddings only. Not migrated: it is a cache whose
 * entries the next vocabulary encode recomputes; it is deleted so that its space is returned.
 */
const OLD_DB = 'ovseg-text-embeddings';

let store: UseStore | null = null;

/** Prompt encodings persisted in IndexedDB, so a reload does not re-encode a vocabulary. */
export function indexedDbStore<V>(): PersistentStore<V> | null {
  if (typeof indexedDB === 'undefined') return null;
  if (!store) {
    store = createStore(DB, STORE);
    try {
      indexedDB.deleteDatabase(OLD_DB);
    } catch {
      // Storage blocked: nothing to delete either.
    }
  }
  const s = store;
  return {
    getMany: (keys) => getMany<V>(keys, s),
    putMany: (entries) => setMany(entries, s),
    clear: () => clear(s),
  };
}
