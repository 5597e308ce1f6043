import type { TextCache } from './runnerInputs';

/** Hands the values of finished runs to the cache as they come: `[prompt, value]` pairs. */
export type Keep<V> = (entries: [string, V][]) => Promise<void>;

/**
 * Cache-through text encoding, shared by the families: values for `prompts` (in their order) from
 * the cache where it has them, the rest from `encode`, which gets the missing prompts in order and
 * must return one value each. `encode` may pass values to `keep` after each of its runs: they are
 * stored at once, so a job stopped between runs (a newer vocabulary) keeps what it finished; what
 * it did not keep is stored before returning. `encoded`: how many prompts `encode` computed. A
 * prompt listed twice and missing is encoded twice (callers dedupe if they care).
 */
export async function cachedEncode<V>(
  cache: TextCache<V>,
  namespace: string,
  prompts: string[],
  encode: (missing: string[], keep: Keep<V>) => Promise<V[]>,
): Promise<{ values: V[]; encoded: number }> {
  const cached = await cache.lookup(namespace, prompts);
  const missing = prompts.filter((_, i) => !cached[i]);
  if (missing.length === 0) return { values: cached as V[], encoded: 0 };
  const kept = new Set<string>();
  const fresh = await encode(missing, async (entries) => {
    for (const [p] of entries) kept.add(p);
    await cache.store(namespace, entries);
  });
  if (fresh.length !== missing.length)
    throw new Error(`cachedEncode: ${fresh.length} values for ${missing.length} prompts`);
  const rest = missing.flatMap((p, i): [string, V][] => (kept.has(p) ? [] : [[p, fresh[i]!]]));
  if (rest.length > 0) await cache.store(namespace, rest);
  let j = 0;
  return { values: cached.map((c) => c ?? fresh[j++]!), encoded: missing.length };
}
