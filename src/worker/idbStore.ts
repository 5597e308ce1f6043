import { clear, createStore, promisifyRequest, type UseStore } from 'idb-keyval';
import {
  approxBytes,
  CACHE_BOUNDS,
  evictions,
  modelOf,
  type CacheBounds,
  type KeptEntry,
} from './cacheBounds';
import type { PersistentStore } from './embeddingCache';

/**
 * What the text side computed per prompt (a query model's text embeddings, a dense model's text
 * cuts), under content keys (EmbeddingCache.key): one database, the keys keep the models apart.
 * One object store with two key spaces: `v:<key>` the value, `m:<key>` what it costs and when it
 * was last used, so that the bounds are kept without reading any value.
 */
const DB = 'ovseg-text-cache';
const STORE = 'entries';
/**
 * Databases of earlier versions (without bounds). Not migrated: a cache whose entries the next
 * vocabulary encode recomputes; deleted so that their space is returned.
 */
const OLD_DBS = ['ovseg-text-embeddings', 'ovseg-prompt-encodings'];
/** What IndexedDB spends on a record beyond its value (key, index, clone headers), near enough. */
const RECORD_BYTES = 512;

const VALUE = 'v:';
const META = 'm:';
/** Every meta key, and nothing else (';' follows ':'). */
const metaRange = () => IDBKeyRange.bound(META, 'm;', false, true);

type Meta = Omit<KeptEntry, 'model'>;

/** A clock for "last used": milliseconds scaled so that entries of one call keep their order. */
let clock = 0;
const tick = () => (clock = Math.max(clock + 1, Date.now() * 1024));

const nsOf = (key: string) => key.slice(0, key.indexOf('\u0000'));
const costOf = (key: string, v: unknown) => approxBytes(v) + 2 * key.length + RECORD_BYTES;
const kept = (m: Meta): KeptEntry => ({ ...m, model: modelOf(nsOf(m.key)) });

let store: UseStore | null = null;

function open(): UseStore {
  if (!store) {
    store = createStore(DB, STORE);
    for (const old of OLD_DBS)
      try {
        indexedDB.deleteDatabase(old);
      } catch {
        // Storage blocked: nothing to delete either.
      }
  }
  return store;
}

/** Stores entries and deletes what the bounds leave no room for, in one transaction. */
function putBounded(s: UseStore, entries: [string, unknown][], bounds: CacheBounds): Promise<void> {
  return s('readwrite', async (os) => {
    const old = (await promisifyRequest(os.getAll(metaRange()))) as Meta[];
    const fresh = new Map<string, { meta: Meta; v: unknown }>();
    for (const [key, v] of entries) {
      if (approxBytes(v) <= bounds.entry)
        fresh.set(key, { meta: { key, bytes: costOf(key, v), used: tick() }, v });
    }
    const all = [...old.filter((m) => !fresh.has(m.key)), ...[...fresh.values()].map((f) => f.meta)];
    const out = new Set(evictions(all.map(kept), bounds).map((e) => e.key));
    for (const key of out) {
      os.delete(VALUE + key);
      os.delete(META + key);
    }
    for (const [key, { meta, v }] of fresh) {
      if (out.has(key)) continue;
      os.put(v, VALUE + key);
      os.put(meta, META + key);
    }
    await promisifyRequest(os.transaction);
  });
}

/** Values by key; those found are marked used now. */
function getAndTouch<V>(s: UseStore, keys: string[]): Promise<(V | undefined)[]> {
  return s('readwrite', async (os) => {
    const got = (await Promise.all(keys.map((k) => promisifyRequest(os.get(VALUE + k))))) as (
      V | undefined
    )[];
    got.forEach((v, i) => {
      if (v === undefined) return;
      const key = keys[i]!;
      os.put({ key, bytes: costOf(key, v), used: tick() } satisfies Meta, META + key);
    });
    return got;
  });
}

const allMeta = (s: UseStore) =>
  s('readonly', (os) => promisifyRequest(os.getAll(metaRange())) as Promise<Meta[]>);

/**
 * Prompt encodings persisted in IndexedDB, so a reload does not re-encode a vocabulary: at most
 * `bounds.perModel` bytes per model and `bounds.persistent` in all, least recently used out.
 */
export function indexedDbStore<V>(bounds: CacheBounds = CACHE_BOUNDS): PersistentStore<V> | null {
  if (typeof indexedDB === 'undefined') return null;
  const s = open();
  return {
    getMany: (keys) => getAndTouch<V>(s, keys),
    putMany: (entries) => putBounded(s, entries, bounds),
    clear: () => clear(s),
    usage: async (models) => {
      const sums = new Map<string, number>();
      for (const m of (await allMeta(s)).map(kept)) sums.set(m.model, (sums.get(m.model) ?? 0) + m.bytes);
      return models.map((m) => sums.get(m) ?? 0);
    },
    forget: (models) =>
      s('readwrite', async (os) => {
        const drop = new Set(models);
        for (const m of ((await promisifyRequest(os.getAll(metaRange()))) as Meta[]).map(kept))
          if (drop.has(m.model)) {
            os.delete(VALUE + m.key);
            os.delete(META + m.key);
          }
        await promisifyRequest(os.transaction);
      }),
  };
}
