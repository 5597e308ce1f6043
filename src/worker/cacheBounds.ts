/**
 * How much the worker's text caches may hold. A model's text side is whatever its author made it, so
 * a model whose embeddings are a quarter of a million floats would otherwise fill memory and
 * IndexedDB by hundreds of MB with no click. Every cache is bounded in bytes, least recently used out.
 */
const KiB = 1024;
const MiB = 1024 * KiB;

export const CACHE_BOUNDS = {
  /**
   * One prompt's value. A text embedding as wide as the manifests allow (8192 floats) is 32 KiB,
   * CLIPSeg's cut 2 KiB: a value beyond this is used, never kept (the model pays for it each time).
   */
  entry: 256 * KiB,
  /** Each of the worker's in-memory text caches (embeddings; other per-prompt values). */
  memory: 64 * MiB,
  /** IndexedDB, per model (its text content key): ADE20K's 150 classes on CLIP ViT-L/14 take 11 MB. */
  perModel: 32 * MiB,
  /** IndexedDB, every model together. */
  persistent: 128 * MiB,
} as const;

export type CacheBounds = { readonly [K in keyof typeof CACHE_BOUNDS]: number };

/** Objects and arrays looked into at most: deeper values count as their shell only. */
const MAX_DEPTH = 4;

/**
 * What a cached value costs in bytes, near enough for a bound: typed arrays by their bytes, texts
 * two bytes a character, other scalars 8, containers their contents (to a small depth).
 */
export function approxBytes(v: unknown, depth = 0): number {
  if (v === null || v === undefined) return 0;
  if (ArrayBuffer.isView(v)) return v.byteLength;
  if (v instanceof ArrayBuffer) return v.byteLength;
  if (typeof v === 'string') return 2 * v.length;
  if (typeof v !== 'object') return 8;
  if (depth >= MAX_DEPTH) return 8;
  let n = 8;
  if (Array.isArray(v)) for (const x of v) n += 8 + approxBytes(x, depth + 1);
  else for (const [k, x] of Object.entries(v)) n += 2 * k.length + approxBytes(x, depth + 1);
  return n;
}

/** The model a text-cache namespace belongs to: its content key, before any `@variant` suffix. */
export const modelOf = (namespace: string): string => namespace.split('@', 1)[0]!;

/** One kept value as the persistent store accounts for it. */
export interface KeptEntry {
  key: string;
  /** Its model (modelOf its namespace). */
  model: string;
  bytes: number;
  /** When it was last stored or read: larger is more recent. */
  used: number;
}

/**
 * The entries to delete so that each model keeps at most `perModel` bytes and all together at most
 * `persistent`: the most recently used stay; from the first entry that does not fit, a model's
 * older entries go (and all older entries once the whole store is full).
 */
export function evictions(
  entries: readonly KeptEntry[],
  bounds: Pick<CacheBounds, 'perModel' | 'persistent'>,
): KeptEntry[] {
  const newestFirst = [...entries].sort((a, b) => b.used - a.used);
  const byModel = new Map<string, number>();
  const fullModels = new Set<string>();
  let total = 0;
  let full = false;
  const out: KeptEntry[] = [];
  for (const e of newestFirst) {
    const mine = byModel.get(e.model) ?? 0;
    if (!full && !fullModels.has(e.model) && mine + e.bytes <= bounds.perModel) {
      if (total + e.bytes <= bounds.persistent) {
        byModel.set(e.model, mine + e.bytes);
        total += e.bytes;
        continue;
      }
      full = true;
    } else fullModels.add(e.model);
    out.push(e);
  }
  return out;
}
