import { describe, expect, it } from 'vitest';
import { emptyClassMax, maxInto } from './classMax';

describe('per-class max over rows', () => {
  it('keeps, per class and pixel, the best of the rows folded into it', () => {
    // 3 rows of 2 pixels: rows 0 and 2 name class 1, row 1 names class 0; class 2 has no row.
    const rows = Float32Array.from([0.1, 0.9, -1, 2, 0.5, 0.3]);
    const out = emptyClassMax(3, 2);
    [1, 0, 1].forEach((c, r) => maxInto(out, c, rows, r * 2, 2));
    expect(Array.from(out)).toEqual([-1, 2, 0.5, 0.9, -Infinity, -Infinity].map(Math.fround));
  });
});
