import { SESSION_ONLY } from './contentHash';

/** Where text embeddings persist between sessions (IndexedDB in the browser; none in Node). */
export interface PersistentStore<V = unknown> {
  getMany(keys: string[]): Promise<(V | undefined)[]>;
  putMany(entries: [string, V][]): Promise<void>;
  clear?(): Promise<void>;
}

/**
 * Text-side cache (embeddings, or a split model's cut tensors) keyed by namespace and prompt: memory
 * first, then the persistent store. A vocabulary edit only encodes prompts found in neither. The
 * namespace must name the content that computed the values (LoadedBundle.textKey), never a manifest's
 * id: a manifest that copies another model's id must not feed its results to that model.
 */
export class EmbeddingCache<V = Float32Array> {
  private mem = new Map<string, V>();

  constructor(private persistent: PersistentStore<V> | null = null) {}

  static key(modelId: string, prompt: string): string {
    return `${modelId}\u0000${prompt}`;
  }

  /** Returns cached embeddings (undefined where missing), filling memory from the store. */
  async lookup(modelId: string, prompts: string[]): Promise<(V | undefined)[]> {
    const keys = prompts.map((p) => EmbeddingCache.key(modelId, p));
    const found = keys.map((k) => this.mem.get(k));
    const missing = keys.filter((_, i) => !found[i]);
    if (missing.length > 0 && this.persistent && !modelId.startsWith(SESSION_ONLY)) {
      try {
        const stored = await this.persistent.getMany(missing);
        let j = 0;
        keys.forEach((k, i) => {
          if (found[i]) return;
          const v = stored[j++];
          if (v) {
            this.mem.set(k, v);
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
    const keyed = entries.map(([p, v]): [string, V] => [EmbeddingCache.key(modelId, p), v]);
    for (const [k, v] of keyed) this.mem.set(k, v);
    if (this.persistent && !modelId.startsWith(SESSION_ONLY))
      await this.persistent.putMany(keyed).catch(() => undefined);
  }

  get size(): number {
    return this.mem.size;
  }

  async clear(): Promise<void> {
    this.mem.clear();
    await this.persistent?.clear?.().catch(() => undefined);
  }
}
