import { describe, expect, it } from 'vitest';
import { cachedEncode } from './promptCache';
import type { TextCache } from './runnerInputs';

/** A plain in-memory cache keyed by namespace and prompt, recording what was stored. */
function memoryCache(): TextCache<string> & { stored: [string, string][] } {
  const mem = new Map<string, string>();
  const stored: [string, string][] = [];
  return {
    stored,
    lookup: async (ns, prompts) => prompts.map((p) => mem.get(`${ns}/${p}`)),
    store: async (ns, entries) => {
      for (const [p, v] of entries) {
        mem.set(`${ns}/${p}`, v);
        stored.push([p, v]);
      }
    },
  };
}

describe('cachedEncode', () => {
  it('encodes only the prompts not cached, in order, and returns values in prompt order', async () => {
    const cache = memoryCache();
    const calls: string[][] = [];
    const encode = async (missing: string[]) => {
      calls.push(missing);
      return missing.map((p) => p.toUpperCase());
    };
    const first = await cachedEncode(cache, 'm', ['a', 'b'], encode);
    expect(first).toEqual({ values: ['A', 'B'], encoded: 2 });
    const second = await cachedEncode(cache, 'm', ['c', 'a', 'd', 'b'], encode);
    expect(second).toEqual({ values: ['C', 'A', 'D', 'B'], encoded: 2 });
    expect(calls).toEqual([
      ['a', 'b'],
      ['c', 'd'],
    ]);
    expect(cache.stored.map(([p]) => p)).toEqual(['a', 'b', 'c', 'd']);
  });

  it('runs nothing when every prompt is cached, and keeps namespaces apart', async () => {
    const cache = memoryCache();
    const encode = async (missing: string[]) => missing.map((p) => `${p}!`);
    await cachedEncode(cache, 'one', ['x'], encode);
    const again = await cachedEncode(cache, 'one', ['x'], () => Promise.reject(new Error('ran')));
    expect(again).toEqual({ values: ['x!'], encoded: 0 });
    const other = await cachedEncode(cache, 'two', ['x'], async (m) => m.map(() => 'other'));
    expect(other).toEqual({ values: ['other'], encoded: 1 });
  });

  it('stores what each run kept at once: a job stopped after its first run keeps that run', async () => {
    const cache = memoryCache();
    const stopped = new Error('superseded');
    const job = cachedEncode(cache, 'm', ['a', 'b', 'c'], async (missing, keep) => {
      await keep([[missing[0]!, 'A']]);
      throw stopped;
    });
    await expect(job).rejects.toBe(stopped);
    expect(cache.stored).toEqual([['a', 'A']]);
    const calls: string[][] = [];
    const again = await cachedEncode(cache, 'm', ['a', 'b', 'c'], async (missing, keep) => {
      calls.push(missing);
      const values = missing.map((p) => p.toUpperCase());
      await keep([[missing[0]!, values[0]!]]); // the rest left to cachedEncode
      return values;
    });
    expect(again).toEqual({ values: ['A', 'B', 'C'], encoded: 2 });
    expect(calls).toEqual([['b', 'c']]);
    expect(cache.stored.map(([p]) => p)).toEqual(['a', 'b', 'c']); // each once
  });

  it('refuses an encoder that returns the wrong number of values', async () => {
    await expect(cachedEncode(memoryCache(), 'm', ['a', 'b'], async () => ['A'])).rejects.toThrow(
      '1 values for 2 prompts',
    );
  });
});
