import type { TextCache } from './runnerInputs';

/**
 * Cache-through text encoding, shared by the families: values for `prompts` (in their order) from
 * the cache where it has them, the rest from `encode`, which gets the missing prompts in order and
 * must return one value each; fresh values are stored before returning. `encoded`: how many prompts
 * `encode` computed. A prompt listed twice and missing is encoded twice (callers dedupe if they care).
 */
export async function cachedEncode<V>(
  cache: TextCache<V>,
  namespace: string,
  prompts: string[],
  encode: (missing: string[]) => Promise<V[]>,
): Promise<{ values: V[]; encoded: number }> {
  const cached = await cache.lookup(namespace, prompts);
  const missing = prompts.filter((_, i) => !cached[i]);
  if (missing.length === 0) return { values: cached as V[], encoded: 0 };
  const fresh = await encode(missing);
  if (fresh.length !== missing.length)
    throw new Error(`cachedEncode: ${fresh.length} values for ${missing.length} prompts`);
  await cache.store(
    namespace,
    missing.map((p, i): [string, V] => [p, fresh[i]!]),
  );
  let j = 0;
  return { values: cached.map((c) => c ?? fresh[j++]!), encoded: missing.length };
}
