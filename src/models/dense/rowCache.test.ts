import { describe, expect, it } from 'vitest';
import { ROW_CACHE_BYTES, RowCache } from './rowCache';

const row = (n: number, v = 0) => new Float32Array(n).fill(v);

describe('RowCache', () => {
  it('keeps rows within its byte budget, least recently used out first', () => {
    const c = new RowCache(3 * 400); // three rows of 100 floats
    c.set('a', row(100, 1));
    c.set('b', row(100, 2));
    c.set('c', row(100, 3));
    expect(c.get('a')![0]).toBe(1); // a is now the most recent
    c.set('d', row(100, 4));
    expect([c.has('a'), c.has('b'), c.has('c'), c.has('d')]).toEqual([true, false, true, true]);
    expect([c.size, c.bytes]).toEqual([3, 1200]);
  });

  it('replaces a row under the same key, skips a row larger than the budget, clears', () => {
    const c = new RowCache(1000);
    c.set('a', row(100, 1));
    c.set('a', row(50, 2));
    expect([c.size, c.bytes, c.get('a')![0]]).toEqual([1, 200, 2]);
    c.set('huge', row(1000));
    expect(c.has('huge')).toBe(false);
    expect(c.has('a')).toBe(true);
    c.clear();
    expect([c.size, c.bytes]).toEqual([0, 0]);
  });

  it('by default holds 150 rows of 352 x 352 float32 logits (ADE-150 in mean mode)', () => {
    expect(ROW_CACHE_BYTES).toBeGreaterThanOrEqual(150 * 352 * 352 * 4);
  });
});
