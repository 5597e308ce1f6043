import { describe, expect, it } from 'vitest';
import { resizeGridBicubic } from './bicubic';

describe('resizeGridBicubic', () => {
  const grid = [0, 1, 4, 2, -1, 3, 5, 0.5, -2];
  // Token-major [9, D=2]: channel 1 is 2x - 1.
  const src = Float32Array.from(grid.flatMap((v) => [v, 2 * v - 1]));
  it('matches PyTorch interpolate(bicubic, align_corners=False) 3x3 -> 5x4', () => {
    // torch 1.13: F.interpolate(x[None], size=(5, 4), mode='bicubic', align_corners=False), channel 0.
    const torch0 = [
      [-0.29134, 0.37423, 2.390512, 4.304442],
      [0.59187, -0.147636, 1.456736, 4.248772],
      [2.215332, -0.358398, 0.111816, 3.287109],
      [4.281896, 1.279312, -0.654212, -0.125252],
      [5.621335, 2.660686, -0.991943, -2.704232],
    ].flat();
    const out = resizeGridBicubic(src, 2, 3, 3, 5, 4);
    torch0.forEach((v, i) => {
      expect(out[i * 2]).toBeCloseTo(v, 5);
      expect(out[i * 2 + 1]).toBeCloseTo(2 * v - 1, 5);
    });
  });
  it('is the identity at the same size', () => {
    expect(Array.from(resizeGridBicubic(src, 2, 3, 3, 3, 3))).toEqual(Array.from(src));
  });
});
