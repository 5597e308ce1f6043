import { describe, expect, it } from 'vitest';
import { floatToHalf, halfToFloat } from './half';

describe('half floats', () => {
  it('round-trips values exactly representable in half precision', () => {
    const v = [0, -0, 1, -2.5, 65504, 2 ** -24, 2 ** -14, 0.333251953125, Infinity, -Infinity];
    expect(Array.from(halfToFloat(floatToHalf(v)))).toEqual(v);
    expect(Number.isNaN(halfToFloat(floatToHalf([NaN]))[0])).toBe(true);
  });

  it('rounds to nearest even and saturates to infinity', () => {
    expect(halfToFloat(floatToHalf([1 + 2 ** -11]))[0]).toBe(1); // tie -> even (1)
    expect(halfToFloat(floatToHalf([1 + 3 * 2 ** -11]))[0]).toBe(1 + 2 ** -9); // tie -> even
    expect(halfToFloat(floatToHalf([1e6]))[0]).toBe(Infinity);
    expect(halfToFloat(floatToHalf([2 ** -26]))[0]).toBe(0);
    expect(halfToFloat(floatToHalf([3 * 2 ** -25]))[0]).toBe(2 ** -23); // subnormal rounding
  });

  it('decodes and re-encodes every half bit pattern to itself (NaNs stay NaN)', () => {
    const all = Uint16Array.from({ length: 65536 }, (_, i) => i);
    const back = floatToHalf(halfToFloat(all));
    const nan = (x: number) => (x & 0x7c00) === 0x7c00 && (x & 0x3ff) !== 0;
    const wrong = Array.from(all).filter((x) => (nan(x) ? !nan(back[x]!) : back[x] !== x));
    expect(wrong).toEqual([]);
  });
});
