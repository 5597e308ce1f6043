import { describe, expect, it } from 'vitest';
import { softmaxClasses } from './softmax';

describe('softmaxClasses', () => {
  it('gives probabilities over classes per pixel, shift-invariant', () => {
    const x = Float32Array.of(0, 1000, 1, 1000, 2, 1000); // [C=3, P=2]
    softmaxClasses(x, 3);
    const e = [1, Math.E, Math.E ** 2];
    const z = e[0]! + e[1]! + e[2]!;
    expect(x[0]).toBeCloseTo(e[0]! / z, 6);
    expect(x[4]).toBeCloseTo(e[2]! / z, 6);
    expect(x[1]).toBeCloseTo(1 / 3, 6);
  });
});
