import { describe, expect, it } from 'vitest';
import { approxBytes, evictions, modelOf, type KeptEntry } from './cacheBounds';

const e = (key: string, model: string, bytes: number, used: number): KeptEntry => ({
  key,
  model,
  bytes,
  used,
});
const keys = (list: KeptEntry[]) => list.map((x) => x.key).sort();

describe('approxBytes', () => {
  it('counts typed arrays by their bytes and containers by their contents', () => {
    expect(approxBytes(new Float32Array(1000))).toBe(4000);
    expect(approxBytes('abcd')).toBe(8);
    const cut = { cond: { type: 'float32', data: new Float32Array(512), dims: [1, 512] } };
    expect(approxBytes(cut)).toBeGreaterThan(2048);
    expect(approxBytes(cut)).toBeLessThan(2048 + 200);
    expect(approxBytes(null)).toBe(0);
  });

  it('stops at a small depth (a deep value cannot make the count itself expensive)', () => {
    let deep: unknown = new Float32Array(1 << 20);
    for (let i = 0; i < 10; i++) deep = { deeper: deep };
    expect(approxBytes(deep)).toBeLessThan(1000);
  });
});

describe('modelOf', () => {
  it('is the content key before a variant suffix', () => {
    expect(modelOf('sha256:ab12@cond')).toBe('sha256:ab12');
    expect(modelOf('sha256:ab12')).toBe('sha256:ab12');
  });
});

describe('evictions', () => {
  const bounds = { perModel: 100, persistent: 250 };

  it('keeps everything within the bounds', () => {
    expect(evictions([e('a', 'm', 50, 1), e('b', 'm', 50, 2), e('c', 'n', 100, 3)], bounds)).toEqual([]);
  });

  it("evicts a model's least recently used entries beyond its bound, not another model's", () => {
    const list = [e('old', 'm', 40, 1), e('mid', 'm', 40, 2), e('new', 'm', 40, 3), e('x', 'n', 90, 0)];
    expect(keys(evictions(list, bounds))).toEqual(['old']);
  });

  it('evicts strictly by age: a small old entry goes once a newer one did not fit', () => {
    const list = [e('tiny-old', 'm', 5, 1), e('big', 'm', 80, 2), e('new', 'm', 30, 3)];
    expect(keys(evictions(list, bounds))).toEqual(['big', 'tiny-old']);
  });

  it('keeps the whole store within its bound, the least recently used out whatever their model', () => {
    const list = [e('x1', 'x', 60, 1), e('y1', 'y', 60, 2), e('z1', 'z', 100, 3), e('w1', 'w', 100, 4)];
    const out = evictions(list, bounds);
    expect(keys(out)).toEqual(['x1', 'y1']);
    const left = list.filter((x) => !out.includes(x));
    expect(left.reduce((n, x) => n + x.bytes, 0)).toBeLessThanOrEqual(bounds.persistent);
  });

  it('evicts an entry larger than a model may hold at all', () => {
    expect(keys(evictions([e('huge', 'm', 101, 5)], bounds))).toEqual(['huge']);
  });
});
