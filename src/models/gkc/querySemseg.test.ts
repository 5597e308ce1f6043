import { describe, expect, it } from 'vitest';
import { prng as rng } from '../../../test-support/prng';
import { argmaxLabels } from '../../processing/argmax';
import { sigmoidInPlace } from '../../processing/vectors';
import { einsumQC } from './classProbs';
import { activePairs, DROP_BUDGET, fastSigmoid, querySemseg } from './querySemseg';
import { upsamplePlanes } from '../../processing/resize';
import { randomMasks, randomProbs } from './queryTestData.testing';

/** The straightforward pipeline: upsample all masks, sigmoid, einsum, smoothing, argmax. */
function reference(
  probs: Float32Array,
  masks: Float32Array,
  Q: number,
  C: number,
  h: number,
  w: number,
  H: number,
  W: number,
  previous?: Float32Array,
  history = 0,
) {
  const sig = sigmoidInPlace(upsamplePlanes(masks, Q, h, w, H, W));
  const semseg = einsumQC(probs, sig, Q, C, H * W);
  if (previous)
    for (let i = 0; i < semseg.length; i++) semseg[i] = history * previous[i]! + (1 - history) * semseg[i]!;
  return { semseg, ...argmaxLabels(semseg, C, H * W, 0) };
}

const maxAbs = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
};

/** Labels equal except where the reference's two best classes are within `eps` (a tie). */
function expectSameLabels(got: Uint16Array, ref: Uint16Array, semseg: Float32Array, C: number, eps = 1e-6) {
  const P = got.length;
  for (let i = 0; i < P; i++) {
    if (got[i] === ref[i]) continue;
    const a = semseg[(got[i]! - 1) * P + i]!,
      b = semseg[(ref[i]! - 1) * P + i]!;
    expect(Math.abs(a - b), `pixel ${i}: ${got[i]} vs ${ref[i]} (${C} classes)`).toBeLessThan(eps);
  }
}

describe('fastSigmoid', () => {
  it('is within 5e-8 of 1 / (1 + exp(-x)) everywhere, and saturates like it', () => {
    let worst = 0;
    for (let x = -30; x <= 30; x += 0.000731)
      worst = Math.max(worst, Math.abs(fastSigmoid(x) - 1 / (1 + Math.exp(-x))));
    expect(worst).toBeLessThan(5e-8);
    expect(fastSigmoid(-1e9)).toBe(0);
    expect(fastSigmoid(1e9)).toBe(1);
    expect(fastSigmoid(Number.NaN)).toBeNaN();
  });
});

describe('querySemseg', () => {
  const cases = [
    { Q: 12, C: 5, h: 9, w: 11, H: 36, W: 44 }, // 4x, like the colours model
    { Q: 7, C: 9, h: 8, w: 10, H: 21, W: 17 }, // odd scales, one axis shrinking
    { Q: 5, C: 3, h: 6, w: 6, H: 6, W: 6 }, // same size
    { Q: 3, C: 1, h: 1, w: 4, H: 5, W: 9 }, // one mask row
  ];
  for (const k of cases)
    it(`matches upsample + sigmoid + einsum + argmax (${k.Q}q ${k.C}c ${k.h}x${k.w} -> ${k.H}x${k.W})`, () => {
      const r = rng(k.Q * 31 + k.H);
      const probs = randomProbs(r, k.Q, k.C);
      const masks = randomMasks(r, k.Q, k.h, k.w);
      const ref = reference(probs, masks, k.Q, k.C, k.h, k.w, k.H, k.W);
      // Every pair over the einsum's cut-off: the same sums as the reference.
      const got = querySemseg({ probs, masks, ...k, budget: 0 });
      expect(maxAbs(got.semseg, ref.semseg)).toBeLessThan(1e-6);
      expect(maxAbs(got.scores, ref.scores)).toBeLessThan(1e-6);
      expectSameLabels(got.labels, ref.labels, ref.semseg, k.C);
      // The default drops small pairs: scores move by at most the budget, labels only at such ties.
      const fast = querySemseg({ probs, masks, ...k });
      expect(maxAbs(fast.semseg, ref.semseg)).toBeLessThan(DROP_BUDGET + 1e-6);
      expectSameLabels(fast.labels, ref.labels, ref.semseg, k.C, 2 * DROP_BUDGET + 1e-6);
    });

  it('drops the pairs of void queries within the budget, and no more', () => {
    // Like a trained model: a few queries own a class, the rest went to void (tiny, flat p(q, c)).
    const Q = 40,
      C = 6;
    const r = rng(5);
    const probs = Float32Array.from({ length: Q * C }, () => 1e-7 + r() * 5e-7);
    for (let q = 0; q < 8; q++) probs[q * C + (q % C)] = 0.9 + r() * 0.1;
    const pairs = activePairs(probs, Q, C);
    const kept = new Set<number>();
    pairs.queries.forEach((q, a) => {
      for (let j = pairs.start[a]!; j < pairs.start[a + 1]!; j++) kept.add(q * C + pairs.cls[j]!);
    });
    for (let c = 0; c < C; c++) {
      const all = Array.from({ length: Q }, (_, q) => q * C + c);
      const dropped = all.filter((i) => !kept.has(i)).map((i) => probs[i]!);
      const keptP = all.filter((i) => kept.has(i)).map((i) => probs[i]!);
      const sum = dropped.reduce((x, y) => x + y, 0);
      expect(sum).toBeLessThanOrEqual(DROP_BUDGET);
      // The smallest are dropped first, and as many as the budget allows.
      expect(Math.min(...keptP)).toBeGreaterThanOrEqual(Math.max(...dropped));
      expect(sum + Math.min(...keptP)).toBeGreaterThan(DROP_BUDGET);
    }
    // Void queries with every pair dropped cost nothing; with no budget all of them are computed.
    expect(pairs.queries.length).toBeLessThan(Q);
    expect(activePairs(probs, Q, C, 0).queries.length).toBe(Q);
    const masks = randomMasks(r, Q, 6, 8);
    const ref = reference(probs, masks, Q, C, 6, 8, 24, 32);
    const got = querySemseg({ probs, masks, Q, C, h: 6, w: 8, H: 24, W: 32 });
    expect(maxAbs(got.semseg, ref.semseg)).toBeLessThan(DROP_BUDGET + 1e-6);
    expectSameLabels(got.labels, ref.labels, ref.semseg, C, 2 * DROP_BUDGET + 1e-6);
  });

  it('computes flat (repeated) logits as the table does', () => {
    // Saturated and constant masks take the reuse branch; they must sum to the same numbers.
    const k = { Q: 4, C: 2, h: 4, w: 5, H: 16, W: 20 };
    const masks = new Float32Array(k.Q * k.h * k.w).fill(-5);
    masks.fill(30, 20, 30); // query 1 saturated high in two rows
    masks.fill(-40, 40, 60); // query 2 saturated low
    masks[65] = 2.5; // query 3: one bump
    const probs = Float32Array.from([0.7, 0.2, 0.1, 0.8, 0.5, 0.5, 0.3, 0.6]);
    const ref = reference(probs, masks, k.Q, k.C, k.h, k.w, k.H, k.W);
    const got = querySemseg({ probs, masks, ...k, budget: 0 });
    expect(maxAbs(got.semseg, ref.semseg)).toBeLessThan(1e-6);
    expectSameLabels(got.labels, ref.labels, ref.semseg, k.C);
  });

  it('smooths with the previous frame before the argmax', () => {
    const k = { Q: 6, C: 4, h: 5, w: 7, H: 20, W: 28 };
    const r = rng(99);
    const probs = randomProbs(r, k.Q, k.C);
    const masks = randomMasks(r, k.Q, k.h, k.w);
    const previous = Float32Array.from({ length: k.C * k.H * k.W }, () => r());
    const ref = reference(probs, masks, k.Q, k.C, k.h, k.w, k.H, k.W, previous, 0.7);
    const got = querySemseg({ probs, masks, ...k, previous, history: 0.7, budget: 0 });
    expect(maxAbs(got.semseg, ref.semseg)).toBeLessThan(1e-6);
    expectSameLabels(got.labels, ref.labels, ref.semseg, k.C);
    // A previous frame of another layout is ignored, as the reference would not smooth.
    const plain = querySemseg({ probs, masks, ...k, previous: new Float32Array(3), history: 0.7, budget: 0 });
    const refPlain = reference(probs, masks, k.Q, k.C, k.h, k.w, k.H, k.W);
    expect(maxAbs(plain.semseg, refPlain.semseg)).toBeLessThan(1e-6);
  });
});
