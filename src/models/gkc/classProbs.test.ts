import { describe, expect, it } from 'vitest';
import { prng as rng } from '../../../test-support/prng';
import { classProbs, einsumQC } from './classProbs';

const randn = (r: () => number, n: number): number[] => Array.from({ length: n }, () => r() * 2 - 1);

const expectClose = (a: ArrayLike<number>, b: ArrayLike<number>, digits = 5) => {
  expect(a.length).toBe(b.length);
  for (let i = 0; i < a.length; i++) expect(a[i]).toBeCloseTo(b[i]!, digits);
};

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
