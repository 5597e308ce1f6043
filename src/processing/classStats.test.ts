import { describe, expect, it } from 'vitest';
import { prng } from '../../test-support/prng';
import { meanScoreByLabel } from './classStats';
import { sampleNearest } from './labels';

describe('meanScoreByLabel', () => {
  it('averages the nearest-sampled score over each label, as the pointer read-out samples it', () => {
    const r = prng(4);
    const [W, H, w, h, L] = [37, 23, 8, 5, 4];
    const labels = Uint16Array.from({ length: W * H }, () => Math.floor(r() * 3)); // label 3 never used
    const scores = Float32Array.from({ length: w * h }, () => r());
    const got = meanScoreByLabel(labels, W, H, scores, w, h, L);
    for (let l = 0; l < 3; l++) {
      let s = 0,
        n = 0;
      for (let y = 0; y < H; y++)
        for (let x = 0; x < W; x++)
          if (labels[y * W + x] === l) {
            s += sampleNearest(scores, h, w, x, y, W, H);
            n++;
          }
      expect(got[l]).toBeCloseTo(s / n, 12);
    }
    expect(got[3]).toBeNaN();
  });

  it('ignores labels beyond the count and reads equal-size maps one to one', () => {
    const labels = Uint16Array.from([1, 1, 9, 0]);
    const got = meanScoreByLabel(labels, 2, 2, Float32Array.from([0.5, 0.25, 1, 0.75]), 2, 2, 2);
    expect(Array.from(got)).toEqual([0.75, 0.375]);
  });
});
