import { SESSION_ONLY } from './contentHash';
import { approxBytes, CACHE_BOUNDS, modelOf } from './cacheBounds';

/** Where text embeddings persist between sessions (IndexedDB in the browser; none in Node). */
export interface PersistentStore<V = unknown> {
  getMany(keys: string[]): Promise<(V | undefined)[]>;
  putMany(entries: [string, V][]): Promise<void>;
  clear?(): Promise<void>;
  /** Bytes kept per model (a namespace's content key, see modelOf). */
  usage?(models: readonly string[]): Promise<number[]>;
  /** Deletes everything kept for these models. */
  forget?(models: readonly string[]): Promise<void>;
}

/** Bounds of one cache: its memory, and the largest value it keeps. */
export interface MemoryBounds {
  memory: number;
  entry: number;
}

const SEP = '\u0000';

/**
 * Text-side cache (embeddings, or a split model's cut tensors) keyed by namespace and prompt: memory
 * first, then the persistent store. A vocabulary edit only encodes prompts found in neither. The
 * namespace must name the content that computed the values (LoadedBundle.textKey), never a manifest's
 * id: a manifest that copies another model's id must not feed its results to that model.
 *
 * Memory is bounded in bytes, least recently used out; a value larger than `bounds.entry` is kept
 * nowhere (a hostile model's huge embeddings cost it their encoding each time, not the tab its memory).
 */
export class EmbeddingCache<V = Float32Array> {
  /** In use order: the first entry is the least recently used. */
  private mem = new Map<string, { v: V; bytes: number }>();
  private used = 0;

  constructor(
    private persistent: PersistentStore<V> | null = null,
    readonly bounds: MemoryBounds = CACHE_BOUNDS,
  ) {}

  static key(modelId: string, prompt: string): string {
    return `${modelId}${SEP}${prompt}`;
  }

  /** Bytes held in memory. */
  get bytes(): number {
    return this.used;
  }

  get size(): number {
    return this.mem.size;
  }

  private get(k: string): V | undefined {
    const e = this.mem.get(k);
    if (!e) return undefined;
    this.mem.delete(k);
    this.mem.set(k, e);
    return e.v;
  }

  /** Keeps a value within the memory bound; false when it is too large to keep at all. */
  private set(k: string, v: V): boolean {
    const old = this.mem.get(k);
    if (old) {
      this.mem.delete(k);
      this.used -= old.bytes;
    }
    const size = approxBytes(v);
    if (size > this.bounds.entry) return false;
    // The key (a prompt) counts too: a long prompt with a tiny value is not free.
    const bytes = size + 2 * k.length;
    this.mem.set(k, { v, bytes });
    this.used += bytes;
    for (const [key, e] of this.mem) {
      if (this.used <= this.bounds.memory) break;
      this.mem.delete(key);
      this.used -= e.bytes;
    }
    return true;
  }

  private persists(modelId: string): boolean {
    return this.persistent !== null && !modelId.startsWith(SESSION_ONLY);
  }

  /** Returns cached embeddings (undefined where missing), filling memory from the store. */
  async lookup(modelId: string, prompts: string[]): Promise<(V | undefined)[]> {
    const keys = prompts.map((p) => EmbeddingCache.key(modelId, p));
    const found = keys.map((k) => this.get(k));
    const missing = keys.filter((_, i) => !found[i]);
    if (missing.length > 0 && this.persists(modelId)) {
      try {
        const stored = await this.persistent!.getMany(missing);
        let j = 0;
        keys.forEach((k, i) => {
          if (found[i]) return;
          const v = stored[j++];
          if (v) {
            this.set(k, v);
            found[i] = v;
          }
        });
      } catch {
        // A broken or blocked store only costs recomputation.
      }
    }
    return found;
  }

  async store(modelId: string, entries: [string, V][]): Promise<void> {
    const kept: [string, V][] = [];
    for (const [p, v] of entries) {
      const k = EmbeddingCache.key(modelId, p);
      if (this.set(k, v)) kept.push([k, v]);
    }
    if (kept.length && this.persists(modelId)) await this.persistent!.putMany(kept).catch(() => undefined);
  }

  /** Bytes kept in the persistent store for each model (0 where there is none). */
  async usage(models: readonly string[]): Promise<number[]> {
    return (await this.persistent?.usage?.(models).catch(() => null)) ?? models.map(() => 0);
  }

  /** Forgets these models' values, in memory and in the persistent store. */
  async forget(models: readonly string[]): Promise<void> {
    const drop = new Set(models);
    for (const [k, e] of this.mem)
      if (drop.has(modelOf(k.slice(0, k.indexOf(SEP))))) {
        this.mem.delete(k);
        this.used -= e.bytes;
      }
    await this.persistent?.forget?.(models).catch(() => undefined);
  }

  async clear(): Promise<void> {
    this.mem.clear();
    this.used = 0;
    await this.persistent?.clear?.().catch(() => undefined);
  }
}
