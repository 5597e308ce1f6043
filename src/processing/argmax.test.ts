import { describe, expect, it } from 'vitest';
import { argmaxLabels } from './argmax';

const expectClose = (a: ArrayLike<number>, b: ArrayLike<number>, digits = 5) => {
  expect(a.length).toBe(b.length);
  for (let i = 0; i < a.length; i++) expect(a[i]).toBeCloseTo(b[i]!, digits);
};

describe('argmaxLabels', () => {
  // C = 3 classes, P = 4 pixels, class-major [C, P].
  const semseg = new Float32Array([
    0.1,
    0.5,
    0.2,
    0.3, // class 0
    0.7,
    0.1,
    0.2,
    0.3, // class 1
    0.2,
    0.2,
    0.1,
    0.3, // class 2
  ]);

  it('labels class k as k + 1 and returns the best score', () => {
    const { labels, scores } = argmaxLabels(semseg, 3, 4, 0);
    // Pixel 2: classes 0 and 1 tie at 0.2 -> the first one wins. Pixel 3: three-way tie -> class 0.
    expect(Array.from(labels)).toEqual([2, 1, 1, 1]);
    expectClose(scores, [0.7, 0.5, 0.2, 0.3], 6);
  });

  it('gives 0 (unlabelled) where the best score is under the threshold', () => {
    const { labels, scores } = argmaxLabels(semseg, 3, 4, 0.3);
    expect(Array.from(labels)).toEqual([2, 1, 0, 1]); // 0.3 is not under 0.3 (float32 equal)
    expectClose(scores, [0.7, 0.5, 0.2, 0.3], 6);
    expect(Array.from(argmaxLabels(semseg, 3, 4, 0.6).labels)).toEqual([2, 0, 0, 0]);
  });

  it('ignores the threshold when it is 0, even for negative scores', () => {
    const { labels } = argmaxLabels(new Float32Array([-1, -3, -2, -0.5]), 2, 2, 0);
    expect(Array.from(labels)).toEqual([1, 2]);
  });
});
