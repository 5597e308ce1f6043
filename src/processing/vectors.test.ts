import { describe, expect, it } from 'vitest';
import { prng as rng } from '../../test-support/prng';
import { ensembleTemplates, normalizeRows } from './vectors';

const randn = (r: () => number, n: number): number[] => Array.from({ length: n }, () => r() * 2 - 1);

const expectClose = (a: ArrayLike<number>, b: ArrayLike<number>, digits = 5) => {
  expect(a.length).toBe(b.length);
  for (let i = 0; i < a.length; i++) expect(a[i]).toBeCloseTo(b[i]!, digits);
};

describe('normalizeRows', () => {
  it('L2-normalises each row in place and returns the same array', () => {
    const m = new Float32Array([3, 4, 0, -2, 0, 0]);
    const out = normalizeRows(m, 2);
    expect(out).toBe(m);
    expectClose(m, [0.6, 0.8, 0, -1, 0, 0]);
  });

  it('adds eps to the norm (GKC: x / (|x| + eps))', () => {
    const m = normalizeRows(new Float32Array([3, 4]), 2, 1);
    // |x| = 5, 5 + 1 = 6
    expectClose(m, [3 / 6, 4 / 6]);
    const small = normalizeRows(new Float32Array([1e-7, 0]), 2, 1e-7);
    expectClose(small, [0.5, 0], 6);
  });

  it('keeps zero rows zero (no NaN)', () => {
    const m = normalizeRows(new Float32Array([0, 0, 0, 1, 1, 1]), 3);
    expect(Array.from(m.slice(0, 3))).toEqual([0, 0, 0]);
    for (const v of m) expect(Number.isFinite(v)).toBe(true);
    expectClose(m.slice(3), [1 / Math.sqrt(3), 1 / Math.sqrt(3), 1 / Math.sqrt(3)]);
    const withEps = normalizeRows(new Float32Array([0, 0]), 2, 1e-7);
    expect(Array.from(withEps)).toEqual([0, 0]);
  });
});

describe('ensembleTemplates', () => {
  it('averages the normalised template embeddings and renormalises the mean', () => {
    // 2 names x 2 templates, dim 2.
    const embeds = new Float32Array([
      // name 0: [2, 0] and [0, 3] -> normalised [1, 0], [0, 1] -> mean [.5, .5] -> [1/√2, 1/√2]
      2, 0, 0, 3,
      // name 1: [1, 0] and [10, 0] -> both [1, 0] (so raw magnitudes do not weigh in)
      1, 0, 10, 0,
    ]);
    const out = ensembleTemplates(embeds, 2, 2);
    expect(out.length).toBe(4);
    expectClose(out, [Math.SQRT1_2, Math.SQRT1_2, 1, 0]);
  });

  it('matches an independent reference on random data and keeps unknown (zero) names zero', () => {
    const r = rng(7);
    const dim = 5,
      templates = 3,
      names = 4;
    const raw = randn(r, names * templates * dim);
    // Name 2: every template embeds to zero (the model knows none of its words).
    for (let t = 0; t < templates; t++) for (let i = 0; i < dim; i++) raw[(2 * templates + t) * dim + i] = 0;
    const norm = (v: number[]) => {
      const n = Math.hypot(...v);
      return n > 0 ? v.map((x) => x / n) : v.map(() => 0);
    };
    const expected: number[] = [];
    for (let n = 0; n < names; n++) {
      const mean = new Array<number>(dim).fill(0);
      for (let t = 0; t < templates; t++) {
        const row = norm(raw.slice((n * templates + t) * dim, (n * templates + t + 1) * dim));
        row.forEach((v, i) => (mean[i] += v / templates));
      }
      expected.push(...norm(mean));
    }
    const out = ensembleTemplates(Float32Array.from(raw), dim, templates);
    expectClose(out, expected);
    expect(Array.from(out.slice(2 * dim, 3 * dim))).toEqual([0, 0, 0, 0, 0]);
  });
});

/** Straightforward reference of GKC's class probabilities, in float64 with plain arrays. */
