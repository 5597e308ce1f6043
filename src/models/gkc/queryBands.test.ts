import { describe, expect, it } from 'vitest';
import { prng as rng } from '../../../test-support/prng';
import { activePairs, DROP_BUDGET, fastSigmoid, querySemseg } from './querySemseg';
import { bilinearAxis } from '../../processing/resize';
import { randomMasks, randomProbs } from './queryTestData.testing';

const f32 = Math.fround;

/**
 * `querySemseg`'s documented sums pixel by pixel, in its order of operations: per class, the
 * weighted sigmoids of the queries whose mask cell is flat (four equal corners: the logit itself)
 * summed in float64 in query order and stored as float32; then each other query's sigmoid of its
 * interpolated logit added in float32, in query order (a query of several classes through one
 * float32 sigmoid row); then smoothing and the argmax (first best class).
 */
function reference(
  probs: Float32Array,
  masks: Float32Array,
  Q: number,
  C: number,
  h: number,
  w: number,
  H: number,
  W: number,
  budget: number,
  previous?: Float32Array,
  history = 0,
) {
  const P = H * W;
  const { queries, start, cls, prob } = activePairs(probs, Q, C, budget);
  const ys = bilinearAxis(h, H),
    xs = bilinearAxis(w, W);
  const semseg = new Float32Array(C * P);
  const labels = new Uint16Array(P);
  const scores = new Float32Array(P);
  for (let y = 0; y < H; y++)
    for (let x = 0; x < W; x++) {
      const p = y * W + x;
      const m = (q: number, r: number, c: number) => masks[(q * h + r) * w + c]!;
      const [m0, m1, n0, n1] = [ys.i0[y]!, ys.i1[y]!, xs.i0[x]!, xs.i1[x]!];
      const flatSum = new Float64Array(C);
      const flat = Array.from(queries, (q) => {
        const v = m(q, m0, n0);
        return v === m(q, m0, n1) && v === m(q, m1, n0) && v === m(q, m1, n1);
      });
      queries.forEach((q, a) => {
        if (!flat[a]) return;
        const s = fastSigmoid(m(q, m0, n0));
        for (let j = start[a]!; j < start[a + 1]!; j++) flatSum[cls[j]!] += prob[j]! * s;
      });
      const v = Array.from(flatSum, f32);
      queries.forEach((q, a) => {
        if (flat[a]) return;
        const top = m(q, m0, n0) + (m(q, m0, n1) - m(q, m0, n0)) * xs.f[x]!;
        const bot = m(q, m1, n0) + (m(q, m1, n1) - m(q, m1, n0)) * xs.f[x]!;
        const s = fastSigmoid(top + (bot - top) * ys.f[y]!);
        const single = start[a + 1]! - start[a]! === 1;
        for (let j = start[a]!; j < start[a + 1]!; j++)
          v[cls[j]!] = f32(v[cls[j]!]! + prob[j]! * (single ? s : f32(s)));
      });
      let best = 0,
        bestScore = -Infinity;
      for (let c = 0; c < C; c++) {
        let s = v[c]!;
        if (previous) s = f32(history * previous[c * P + p]! + (1 - history) * s);
        semseg[c * P + p] = s;
        if (s > bestScore) {
          bestScore = s;
          best = c + 1;
        }
      }
      labels[p] = best;
      scores[p] = bestScore;
    }
  return { semseg, labels, scores };
}

/**
 * Mask logits of the kinds the bands treat apart: a flat background (at -5, like the embedded model's,
 * or saturated), rows of one value but not the next row's, rectangles of other values, smooth
 * varying blobs, noise, signed zeros (equal numbers, different bits) and a NaN.
 */
function mixedMasks(r: () => number, Q: number, h: number, w: number): Float32Array {
  const smooth = randomMasks(r, Q, h, w);
  const out = new Float32Array(Q * h * w);
  for (let q = 0; q < Q; q++) {
    const kind = q % 5;
    const bg = [-5, 4, -40, 30][Math.floor(r() * 4)]!;
    const o = q * h * w;
    for (let y = 0; y < h; y++)
      for (let x = 0; x < w; x++) {
        const i = o + y * w + x;
        if (kind === 0) out[i] = bg;
        else if (kind === 1)
          out[i] = y % 3 === 0 ? bg : -bg / 2; // flat rows, changing values
        else if (kind === 4)
          out[i] = q % 2 ? (r() - 0.5) * 12 : r() < 0.5 ? 0 : -0; // noise, or signed zeros
        else out[i] = kind === 3 ? smooth[i]! : bg;
      }
    // A NaN logit: its cells are never flat, and their sums are NaN, in both computations.
    if (q === 7) out[o + Math.floor(r() * h * w)] = Number.NaN;
    if (kind === 2 || kind === 3) {
      // A rectangle (an object's mask) of one value, or of a gradient.
      const x0 = Math.floor(r() * w),
        y0 = Math.floor(r() * h);
      const val = (r() - 0.5) * 16;
      for (let y = y0; y < Math.min(h, y0 + 1 + Math.floor(r() * h)); y++)
        for (let x = x0; x < Math.min(w, x0 + 1 + Math.floor(r() * w)); x++)
          out[o + y * w + x] = kind === 2 ? val : val + x * 0.3;
    }
  }
  return out;
}

/** Probabilities with one class per query mostly, and some queries of several classes. */
function mixedProbs(r: () => number, Q: number, C: number): Float32Array {
  const probs = randomProbs(r, Q, C);
  for (let q = 0; q < Q; q += 3) {
    probs.fill(0, q * C, q * C + C);
    probs[q * C + Math.floor(r() * C)] = 0.5 + 0.5 * r();
  }
  return probs;
}

describe('querySemseg (bands and flat cells)', () => {
  const cases = [
    { Q: 14, C: 6, h: 9, w: 12, H: 36, W: 48 }, // 4x, like the embedded model
    { Q: 9, C: 4, h: 7, w: 10, H: 23, W: 17 }, // odd, one axis shrinking
    { Q: 6, C: 3, h: 8, w: 8, H: 8, W: 8 }, // same size
    { Q: 5, C: 2, h: 1, w: 6, H: 5, W: 13 }, // one mask row
    { Q: 10, C: 5, h: 12, w: 9, H: 5, W: 7 }, // downscale
  ];
  for (const k of cases)
    it(`is the per-pixel sums bit for bit (${k.Q}q ${k.C}c ${k.h}x${k.w} -> ${k.H}x${k.W})`, () => {
      for (let seed = 1; seed <= 4; seed++) {
        const r = rng(seed * 977 + k.Q);
        const probs = mixedProbs(r, k.Q, k.C);
        const masks = seed === 4 ? randomMasks(r, k.Q, k.h, k.w) : mixedMasks(r, k.Q, k.h, k.w);
        for (const budget of [0, DROP_BUDGET]) {
          const want = reference(probs, masks, k.Q, k.C, k.h, k.w, k.H, k.W, budget);
          const got = querySemseg({ probs, masks, ...k, budget });
          expect(Array.from(got.semseg)).toEqual(Array.from(want.semseg));
          expect(Array.from(got.scores)).toEqual(Array.from(want.scores));
          expect(Array.from(got.labels)).toEqual(Array.from(want.labels));
        }
        const previous = Float32Array.from({ length: k.C * k.H * k.W }, () => r());
        const want = reference(probs, masks, k.Q, k.C, k.h, k.w, k.H, k.W, DROP_BUDGET, previous, 0.6);
        const got = querySemseg({ probs, masks, ...k, previous, history: 0.6 });
        expect(Array.from(got.semseg)).toEqual(Array.from(want.semseg));
        expect(Array.from(got.labels)).toEqual(Array.from(want.labels));
      }
    });

  it('sees every query flat in most bands of a flat-background case (the fast path is taken)', () => {
    // Every query one value except one object: the bands' constants are reused, and still exact.
    const k = { Q: 8, C: 3, h: 16, w: 16, H: 64, W: 64 };
    const masks = new Float32Array(k.Q * k.h * k.w).fill(-5);
    for (let y = 5; y < 9; y++) masks.fill(4, 4 * 256 + y * 16 + 4, 4 * 256 + y * 16 + 11);
    const probs = new Float32Array(k.Q * k.C);
    for (let q = 0; q < k.Q; q++) probs[q * k.C + (q % k.C)] = 0.9;
    const want = reference(probs, masks, k.Q, k.C, k.h, k.w, k.H, k.W, 0);
    const got = querySemseg({ probs, masks, ...k, budget: 0 });
    expect(Array.from(got.semseg)).toEqual(Array.from(want.semseg));
    expect(Array.from(got.labels)).toEqual(Array.from(want.labels));
    expect(new Set(got.labels).size).toBe(2); // the object's class and the background's winner
  });
});
