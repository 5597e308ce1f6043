import { describe, expect, it } from 'vitest';
import {
  classifyCut,
  concatPrompts,
  floatToHalf,
  halfToFloat,
  slicePrompts,
  stackCut,
  type CutValue,
} from './cut';

const f32 = (dims: number[], fill: (i: number) => number): CutValue => {
  const n = dims.reduce((a, b) => a * b, 1);
  return { type: 'float32', data: Float32Array.from({ length: n }, (_, i) => fill(i)), dims };
};
const i64 = (values: number[]): CutValue => ({
  type: 'int64',
  data: BigInt64Array.from(values, (v) => BigInt(v)),
  dims: [values.length],
});

describe('classifyCut', () => {
  it('finds the batch axis, also when it is not the first', () => {
    const byN = [1, 2, 3].map((n) => f32([4, n, 2], (i) => i));
    expect(classifyCut('x', byN)).toEqual({
      name: 'x',
      kind: 'batched',
      type: 'float32',
      axis: 1,
      sliceDims: [4, 1, 2],
      lengthDependent: false,
    });
    // [N, S] (token ids passed through): batched, and its slices depend on the prompt length.
    const ids = [1, 2, 3].map((n) => f32([n, 5], () => 1));
    expect(
      classifyCut(
        'ids',
        ids,
        f32([1, 3], () => 1),
      ),
    ).toMatchObject({ axis: 0, lengthDependent: true });
  });

  it('keeps constants once and re-creates values affine in N', () => {
    expect(classifyCut('c', [i64([7, 16]), i64([7, 16]), i64([7, 16])], i64([7, 16]))).toMatchObject({
      kind: 'fixed',
    });
    const count = classifyCut('n', [i64([1, -1, 16]), i64([2, -1, 16]), i64([3, -1, 16])], i64([1, -1, 16]));
    expect(count).toEqual({
      name: 'n',
      kind: 'count',
      type: 'int64',
      dims: [3],
      base: [0, -1, 16],
      slope: [1, 0, 0],
    });
    const heads = classifyCut('h', [i64([8]), i64([16]), i64([24])]);
    expect(heads).toMatchObject({ kind: 'count', base: [0], slope: [8] });
  });

  it('refuses tensors that cannot be cached per prompt', () => {
    // Depends on the prompt length, not on N.
    expect(() => classifyCut('s', [i64([4]), i64([5]), i64([5])])).toThrow(/cannot be cached/);
    // Constant for N but different for another prompt of another length.
    expect(() => classifyCut('s', [i64([4]), i64([4]), i64([4])], i64([5]))).toThrow(/cannot be cached/);
    // Shape changes without an N axis.
    expect(() => classifyCut('q', [f32([4], () => 0), f32([5], () => 0), f32([5], () => 0)])).toThrow(
      /no batch axis/,
    );
    // Two axes of size N: no single axis to slice prompts on.
    expect(() =>
      classifyCut(
        'nn',
        [1, 2, 3].map((n) => f32([n, n], () => 0)),
      ),
    ).toThrow(/no batch axis/);
  });
});

describe('slice, concat, stack', () => {
  it('slicing then concatenating along any axis gives the tensor back', () => {
    for (const axis of [0, 1, 2]) {
      const dims = [2, 3, 4];
      dims[axis] = 3;
      const v = f32(dims, (i) => i * 0.5);
      const parts = slicePrompts(v, axis, 3);
      expect(parts[0]!.dims[axis]).toBe(1);
      const back = concatPrompts(parts, axis);
      expect(back.dims).toEqual(v.dims);
      expect(Array.from(back.data as Float32Array)).toEqual(Array.from(v.data as Float32Array));
      // Reordered prompts come out reordered.
      const swapped = concatPrompts([parts[2]!, parts[0]!], axis);
      expect(swapped.dims[axis]).toBe(2);
      expect(Array.from(slicePrompts(swapped, axis, 2)[0]!.data as Float32Array)).toEqual(
        Array.from(parts[2]!.data as Float32Array),
      );
    }
  });

  it('slices are copies (a cache must not keep the whole batch alive)', () => {
    const v = f32([2, 3], (i) => i);
    const [a] = slicePrompts(v, 0, 2);
    expect(a!.data.buffer).not.toBe(v.data.buffer);
  });

  it('stacks batched, fixed and count tensors for any N', () => {
    const layouts = [
      {
        name: 'e',
        kind: 'batched' as const,
        type: 'float32',
        axis: 0,
        sliceDims: [1, 2],
        lengthDependent: false,
      },
      { name: 'c', kind: 'fixed' as const, value: i64([5]) },
      { name: 'n', kind: 'count' as const, type: 'int64', dims: [2], base: [0, 16], slope: [1, 0] },
    ];
    const p = (x: number) => ({ e: f32([1, 2], () => x) });
    const s = stackCut(layouts, [p(1), p(2), p(3), p(4)]);
    expect(s.e!.dims).toEqual([4, 2]);
    expect(Array.from(s.e!.data as Float32Array)).toEqual([1, 1, 2, 2, 3, 3, 4, 4]);
    expect(s.c!.data).toEqual(BigInt64Array.from([5n]));
    expect(s.n!.data).toEqual(BigInt64Array.from([4n, 16n]));
    expect(() => stackCut(layouts, [])).toThrow(/No prompt/);
    expect(() => stackCut(layouts, [p(1), { e: f32([1, 3], () => 0) }])).toThrow(/differ/);
  });
});

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
