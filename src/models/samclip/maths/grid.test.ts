import { describe, expect, it } from 'vitest';
import { buildPointGrid, gridPoints, toModelFrame } from './grid';

// numpy 1.24's linspace(1 / (2n), 1 - 1 / (2n), n), printed by Python (repr).
const NUMPY_5 = [0.1, 0.30000000000000004, 0.5, 0.7000000000000001, 0.9];
const NUMPY_12 = [
  0.041666666666666664, 0.125, 0.20833333333333334, 0.2916666666666667, 0.37500000000000006,
  0.4583333333333334, 0.5416666666666666, 0.625, 0.7083333333333334, 0.7916666666666667, 0.8750000000000001,
  0.9583333333333334,
];

describe('buildPointGrid (upstream build_point_grid)', () => {
  it('has numpy linspace values to the last bit, row-major with x fastest', () => {
    for (const side of [NUMPY_5, NUMPY_12]) {
      const n = side.length;
      const g = buildPointGrid(n);
      expect(g).toHaveLength(n * n * 2);
      for (let y = 0; y < n; y++)
        for (let x = 0; x < n; x++)
          expect([g[2 * (y * n + x)], g[2 * (y * n + x) + 1]]).toEqual([side[x], side[y]]);
    }
  });

  it('is the centre for one point and refuses a bad count', () => {
    expect(Array.from(buildPointGrid(1))).toEqual([0.5, 0.5]);
    expect(() => buildPointGrid(0)).toThrow(/points per side/);
  });
});

describe('grid points in the picture and in the model frame', () => {
  it('scales by the picture size, then by resized / original per axis', () => {
    // 333 x 517: resized to 660 x 1024 (int(333 * 1024 / 517 + 0.5) = int(660.06)).
    const p = gridPoints(2, 333, 517);
    expect(Array.from(p)).toEqual([
      0.25 * 517,
      0.25 * 333,
      0.75 * 517,
      0.25 * 333,
      0.25 * 517,
      0.75 * 333,
      0.75 * 517,
      0.75 * 333,
    ]);
    const m = toModelFrame(p, 333, 517);
    expect(m[0]).toBe(Math.fround(0.25 * 517 * (1024 / 517)));
    expect(m[1]).toBe(Math.fround(0.25 * 333 * (660 / 333)));
    expect(m[7]).toBe(Math.fround(0.75 * 333 * (660 / 333)));
  });
});
