import { describe, expect, it } from 'vitest';
import { blendInto, smoothingApplies, smoothScores } from './smoothing';

describe('temporal smoothing', () => {
  it('is the exponential moving average history * previous + (1 - history) * current', () => {
    const current = Float32Array.from([1, 0, 0.5, -2]);
    const previous = Float32Array.from([0, 1, 0.5, 2]);
    const out = smoothScores(current, previous, 0.75);
    expect(Array.from(out)).toEqual([0.25, 0.75, 0.5, 1]);
    // A new array: the current frame's scores stay as they were.
    expect(Array.from(current)).toEqual([1, 0, 0.5, -2]);
  });

  it('does not apply without a previous frame, to another layout, or at weight 0', () => {
    const current = Float32Array.from([1, 2]);
    expect(smoothScores(current, null, 0.5)).toBe(current);
    expect(smoothScores(current, Float32Array.from([1, 2, 3]), 0.5)).toBe(current);
    expect(smoothScores(current, Float32Array.from([5, 5]), 0)).toBe(current);
    expect(smoothingApplies(undefined, 2, 0.5)).toBe(false);
    expect(smoothingApplies([0, 0], 2, undefined)).toBe(false);
    expect(smoothingApplies([0, 0], 2, 0.1)).toBe(true);
  });

  it('blends a slice in place at its own offsets', () => {
    const acc = Float32Array.from([9, 9, 4, 8]);
    blendInto(acc, 2, [0, 0, 0, 2, 4], 3, 2, 0.5);
    expect(Array.from(acc)).toEqual([9, 9, 3, 6]);
  });
});
