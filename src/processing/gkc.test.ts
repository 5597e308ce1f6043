import { describe, expect, it } from 'vitest';
import { prng as rng } from '../../test-support/prng';
import { argmaxLabels, classProbs, einsumQC, ensembleTemplates, normalizeRows } from './gkc';

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
function refClassProbs(
  queries: number[][],
  names: number[][],
  nameToClass: number[],
  C: number,
  scale: number,
  voidEmb: number[] | null,
): number[][] {
  const unit = (v: number[], eps = 0) => {
    const n = Math.hypot(...v) + eps;
    return n > 1e-12 ? v.map((x) => x / n) : v.map(() => 0);
  };
  const dot = (a: number[], b: number[]) => a.reduce((s, x, i) => s + x * b[i]!, 0);
  return queries.map((q0) => {
    const q = unit(q0, 1e-7);
    // Max over a class's names, on the logits (before the softmax).
    const logits: number[] = [];
    for (let c = 0; c < C; c++) {
      const ls = names.filter((_, n) => nameToClass[n] === c).map((e) => scale * dot(q, e));
      logits.push(Math.max(...ls));
    }
    if (voidEmb) logits.push(scale * dot(q, unit(voidEmb)));
    const mx = Math.max(...logits);
    const ex = logits.map((l) => Math.exp(l - mx));
    const s = ex.reduce((a, b) => a + b, 0);
    // The void column is part of the softmax and then dropped.
    return ex.slice(0, C).map((e) => e / s);
  });
}

describe('classProbs', () => {
  const r = rng(42);
  const Q = 6,
    D = 4,
    C = 3;
  // Class 0 has three names, class 1 two, class 2 one.
  const nameToClass = [0, 1, 0, 2, 1, 0];
  const queries = Array.from({ length: Q }, () => randn(r, D).map((x) => x * 3));
  const names = nameToClass.map(() => {
    const v = randn(r, D);
    const n = Math.hypot(...v);
    return v.map((x) => x / n);
  });
  const voidEmb = randn(r, D).map((x) => x * 5); // not normalised: classProbs normalises it
  const input = (voidEmbedding: Float32Array | null) => ({
    queryEmbeds: Float32Array.from(queries.flat()),
    nameEmbeds: Float32Array.from(names.flat()),
    nameToClass: Int32Array.from(nameToClass),
    numClasses: C,
    dim: D,
    logitScale: 7.5,
    voidEmbedding,
  });

  it('matches the reference with a void column (rows sum to less than 1)', () => {
    const out = classProbs(input(Float32Array.from(voidEmb)));
    expect(out.length).toBe(Q * C);
    const ref = refClassProbs(queries, names, nameToClass, C, 7.5, voidEmb);
    expectClose(out, ref.flat());
    for (let q = 0; q < Q; q++) {
      const s = out[q * C]! + out[q * C + 1]! + out[q * C + 2]!;
      expect(s).toBeLessThan(1);
      expect(s).toBeGreaterThan(0);
    }
  });

  it('matches the reference without void (rows sum to 1)', () => {
    const out = classProbs(input(null));
    const ref = refClassProbs(queries, names, nameToClass, C, 7.5, null);
    expectClose(out, ref.flat());
    for (let q = 0; q < Q; q++) expect(out[q * C]! + out[q * C + 1]! + out[q * C + 2]!).toBeCloseTo(1, 5);
  });

  it('does not modify its inputs', () => {
    const inp = input(Float32Array.from(voidEmb));
    const before = [Float32Array.from(inp.queryEmbeds), Float32Array.from(inp.voidEmbedding!)];
    classProbs(inp);
    expect(inp.queryEmbeds).toEqual(before[0]);
    expect(inp.voidEmbedding).toEqual(before[1]);
  });

  it('takes the max over names before the softmax (not a mean or sum of probabilities)', () => {
    // One query along x. Class 0: names at cos 1 and cos 0; class 1: one name at cos 0.
    const out = classProbs({
      queryEmbeds: new Float32Array([2, 0]),
      nameEmbeds: new Float32Array([1, 0, 0, 1, 0, 1]),
      nameToClass: [0, 0, 1],
      numClasses: 2,
      dim: 2,
      logitScale: 2,
      voidEmbedding: null,
    });
    // logits: class 0 = max(2, 0) = 2, class 1 = 0
    const e = Math.exp(2);
    expectClose(out, [e / (e + 1), 1 / (e + 1)], 6);
  });

  it('gives a zero (unknown) name a logit of 0 and void its own share', () => {
    const out = classProbs({
      queryEmbeds: new Float32Array([0, 1]),
      nameEmbeds: new Float32Array([0, 0, 1, 0]),
      nameToClass: [0, 1],
      numClasses: 2,
      dim: 2,
      logitScale: 3,
      voidEmbedding: new Float32Array([0, 4]),
    });
    // logits: [0, 0, void = 3]
    const s = 2 + Math.exp(3);
    expectClose(out, [1 / s, 1 / s], 6);
  });
});

describe('einsumQC', () => {
  it('equals the naive triple loop sum_q probs[q,c] * masks[q,p]', () => {
    const r = rng(3);
    const Q = 5,
      C = 4,
      P = 7;
    const probs = Float32Array.from({ length: Q * C }, () => r());
    probs[2] = 0; // skipped entries must not matter
    probs[5] = 1e-9;
    const masks = Float32Array.from({ length: Q * P }, () => r());
    const expected: number[] = [];
    for (let c = 0; c < C; c++)
      for (let p = 0; p < P; p++) {
        let s = 0;
        for (let q = 0; q < Q; q++) s += probs[q * C + c]! * masks[q * P + p]!;
        expected.push(s);
      }
    const out = einsumQC(probs, masks, Q, C, P);
    expect(out.length).toBe(C * P);
    expectClose(out, expected, 6);
  });
});

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
