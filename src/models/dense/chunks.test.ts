import { describe, expect, it } from 'vitest';
import { decoderRuns } from './chunks';

const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);

describe('decoderRuns', () => {
  it('splits rows into the fewest runs of at most max, as equal as possible', () => {
    expect(decoderRuns(79, 48)).toEqual([40, 39]);
    expect(decoderRuns(150, 48)).toEqual([38, 38, 37, 37]);
    expect(decoderRuns(20, 48)).toEqual([20]);
    expect(decoderRuns(48, 48)).toEqual([48]);
    expect(decoderRuns(49, 48)).toEqual([25, 24]);
    expect(decoderRuns(0, 48)).toEqual([]);
    expect(decoderRuns(5, 1)).toEqual([1, 1, 1, 1, 1]);
    for (let n = 1; n < 400; n += 7)
      for (const max of [1, 3, 16, 48]) {
        const r = decoderRuns(n, max);
        expect(sum(r)).toBe(n);
        expect(r.length).toBe(Math.ceil(n / max));
        expect(Math.max(...r) - Math.min(...r)).toBeLessThanOrEqual(1);
        expect(Math.max(...r)).toBeLessThanOrEqual(max);
      }
  });

  it('keeps full runs first when the sizes must stay fixed (WebGPU)', () => {
    expect(decoderRuns(79, 16, false)).toEqual([16, 16, 16, 16, 15]);
    expect(decoderRuns(20, 16, false)).toEqual([16, 4]);
  });
});
