import { describe, expect, it } from 'vitest';
import { patchClassLogits } from './patchLogits';

describe('patchClassLogits', () => {
  it('is scale x cosine, the max over a class names', () => {
    const s = Math.SQRT1_2;
    // Two unit patches; class 0 named [e1], class 1 named [e2, (e1 + e2) / sqrt 2].
    const patches = Float32Array.of(1, 0, 0, 1);
    const names = Float32Array.of(1, 0, 0, 1, s, s);
    const out = patchClassLogits(patches, names, [0, 1, 1], 2, 2, 50);
    // [C, N]: class 0 at patch 0 and 1, then class 1.
    expect(Array.from(out)).toEqual([50, 0, Math.fround(50 * s), 50].map(Math.fround));
  });
  it('rejects a name row without a class', () => {
    expect(() => patchClassLogits(new Float32Array(2), new Float32Array(2), [3], 2, 2, 100)).toThrow(
      /no class 3/,
    );
  });
});
