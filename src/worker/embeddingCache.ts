/** Where text embeddings persist between sessions (IndexedDB in the browser; none in Node). */
export interface PersistentStore {
  getMany(keys: string[]): Promise<(Float32Array | undefined)[]>;
  putMany(entries: [string, Float32Array][]): Promise<void>;
  clear?(): Promise<void>;
}

/**
 * Text-embedding cache keyed by model and prompt: memory first, then the persistent store.
 * A vocabulary edit only encodes prompts found in neither.
 */
export class EmbeddingCache {
  private mem = new Map<string, Float32Array>();

  constructor(private persistent: PersistentStore | null = null) {}

  static key(modelId: string, prompt: string): string {
    return `${modelId}\u0000${prompt}`;
  }

  /** Returns cached embeddings (undefined where missing), filling memory from the store. */
  async lookup(modelId: string, prompts: string[]): Promise<(Float32Array | undefined)[]> {
    const keys = prompts.map((p) => EmbeddingCache.key(modelId, p));
    const found = keys.map((k) => this.mem.get(k));
    const missing = keys.filter((_, i) => !found[i]);
    if (missing.length > 0 && this.persistent) {
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

  async store(modelId: string, entries: [string, Float32Array][]): Promise<void> {
    const keyed = entries.map(([p, v]): [string, Float32Array] => [EmbeddingCache.key(modelId, p), v]);
    for (const [k, v] of keyed) this.mem.set(k, v);
    if (this.persistent) await this.persistent.putMany(keyed).catch(() => undefined);
  }

  get size(): number {
    return this.mem.size;
  }

  async clear(): Promise<void> {
    this.mem.clear();
    await this.persistent?.clear?.().catch(() => undefined);
  }
}
