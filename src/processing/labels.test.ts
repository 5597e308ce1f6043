import { describe, expect, it } from 'vitest';
import { prng as rng } from '../../test-support/prng';
import { argmaxLabels } from './argmax';
import { labelHistogram, sampleNearest, upsampleLabels } from './labels';
import { upsamplePlanes } from './resize';

/** Brute force: bilinearly upsample every class score map, then argmax (+ threshold). */
function bruteForce(
  semseg: Float32Array,
  C: number,
  h: number,
  w: number,
  H: number,
  W: number,
  threshold: number,
): Uint16Array {
  const up = upsamplePlanes(semseg, C, h, w, H, W);
  const out = new Uint16Array(H * W);
  for (let p = 0; p < H * W; p++) {
    let best = 0,
      bestScore = -Infinity;
    for (let c = 0; c < C; c++)
      if (up[c * H * W + p]! > bestScore) {
        bestScore = up[c * H * W + p]!;
        best = c + 1;
      }
    out[p] = bestScore >= threshold ? best : 0;
  }
  return out;
}

/**
 * Random class score maps that vary smoothly over the low-resolution grid, like real GKC scores
 * (einsums of upsampled mask probabilities): a few Gaussian blobs per class, scores in [0, 1].
 */
function smoothScores(r: () => number, C: number, h: number, w: number): Float32Array {
  const out = new Float32Array(C * h * w);
  for (let c = 0; c < C; c++) {
    const blobs = Array.from({ length: 3 }, () => ({
      cx: r() * w,
      cy: r() * h,
      s: 1.5 + r() * 2,
      a: 0.3 + 0.7 * r(),
    }));
    for (let y = 0; y < h; y++)
      for (let x = 0; x < w; x++) {
        let v = 0;
        for (const b of blobs)
          v = Math.max(v, b.a * Math.exp(-((x - b.cx) ** 2 + (y - b.cy) ** 2) / (2 * b.s * b.s)));
        out[c * h * w + y * w + x] = v;
      }
  }
  return out;
}

const agreement = (a: Uint16Array, b: Uint16Array) => {
  expect(a.length).toBe(b.length);
  let same = 0;
  for (let i = 0; i < a.length; i++) if (a[i] === b[i]) same++;
  return same / a.length;
};

describe('upsampleLabels', () => {
  const shapes = [
    { C: 5, h: 6, w: 7, H: 23, W: 17 },
    { C: 3, h: 4, w: 4, H: 16, W: 16 },
    { C: 8, h: 9, w: 5, H: 36, W: 41 },
    { C: 4, h: 5, w: 6, H: 20, W: 24 },
    { C: 6, h: 8, w: 8, H: 31, W: 29 },
    { C: 2, h: 3, w: 10, H: 12, W: 40 },
  ];

  for (const threshold of [0, 0.3, 0.6]) {
    it(`agrees with upsample-every-class-then-argmax on >= 99% of pixels of random smooth cases (threshold ${threshold})`, () => {
      let same = 0,
        total = 0;
      for (let seed = 1; seed <= 20; seed++)
        for (const k of shapes) {
          const r = rng(seed * 31 + k.C);
          const P = k.h * k.w;
          const semseg = smoothScores(r, k.C, k.h, k.w);
          const raw = argmaxLabels(semseg, k.C, P, 0);
          const out = upsampleLabels(raw.labels, semseg, k.h, k.w, k.H, k.W, threshold);
          expect(out.length).toBe(k.H * k.W);
          const a = agreement(out, bruteForce(semseg, k.C, k.h, k.w, k.H, k.W, threshold));
          expect(a).toBeGreaterThan(0.9); // no single case far off
          same += a * k.H * k.W;
          total += k.H * k.W;
        }
      expect(same / total).toBeGreaterThanOrEqual(0.99);
    });
  }

  it("is exact wherever the true winner is among the four neighbours' winners (even on white noise)", () => {
    for (let seed = 1; seed <= 10; seed++)
      for (const k of shapes) {
        const r = rng(seed);
        const P = k.h * k.w;
        const semseg = Float32Array.from({ length: k.C * P }, () => r());
        const raw = argmaxLabels(semseg, k.C, P, 0);
        const threshold = seed % 2 ? 0 : 0.5;
        const out = upsampleLabels(raw.labels, semseg, k.h, k.w, k.H, k.W, threshold);
        const winners = bruteForce(semseg, k.C, k.h, k.w, k.H, k.W, 0);
        const ref = bruteForce(semseg, k.C, k.h, k.w, k.H, k.W, threshold);
        let checked = 0,
          wrong = 0;
        for (let y = 0; y < k.H; y++) {
          const y0 = Math.min(Math.floor(Math.max(0, ((y + 0.5) * k.h) / k.H - 0.5)), k.h - 1);
          const y1 = Math.min(y0 + 1, k.h - 1);
          for (let x = 0; x < k.W; x++) {
            const x0 = Math.min(Math.floor(Math.max(0, ((x + 0.5) * k.w) / k.W - 0.5)), k.w - 1);
            const x1 = Math.min(x0 + 1, k.w - 1);
            const cands = [y0 * k.w + x0, y0 * k.w + x1, y1 * k.w + x0, y1 * k.w + x1].map(
              (i) => raw.labels[i],
            );
            if (!cands.includes(winners[y * k.W + x])) continue;
            checked++;
            if (out[y * k.W + x] !== ref[y * k.W + x]) wrong++;
          }
        }
        expect(checked).toBeGreaterThan(0);
        expect(wrong).toBe(0);
      }
  });

  it('uses rawLabels for the candidates when the labels were thresholded', () => {
    const r = rng(11);
    const C = 4,
      h = 5,
      w = 5,
      H = 17,
      W = 19,
      threshold = 0.55;
    const P = h * w;
    const semseg = Float32Array.from({ length: C * P }, () => r());
    const raw = argmaxLabels(semseg, C, P, 0);
    const thresholded = argmaxLabels(semseg, C, P, threshold).labels;
    expect(thresholded.includes(0)).toBe(true);
    const out = upsampleLabels(thresholded, semseg, h, w, H, W, threshold, raw.labels);
    expect(agreement(out, bruteForce(semseg, C, h, w, H, W, threshold))).toBeGreaterThanOrEqual(0.99);
  });

  it('is exact when one class dominates everywhere', () => {
    const r = rng(9);
    const C = 5,
      h = 4,
      w = 6,
      P = h * w;
    const semseg = Float32Array.from({ length: C * P }, (_, i) =>
      Math.floor(i / P) === 2 ? 1 + 0.01 * r() : 0.5 * r(),
    );
    const raw = argmaxLabels(semseg, C, P, 0);
    const out = upsampleLabels(raw.labels, semseg, h, w, 13, 21, 0);
    const ref = bruteForce(semseg, C, h, w, 13, 21, 0);
    expect(Array.from(out)).toEqual(Array.from(ref));
    expect(out.every((l) => l === 3)).toBe(true);
    // The same, thresholded above the dominant score: everything unlabelled.
    expect(upsampleLabels(raw.labels, semseg, h, w, 13, 21, 2).every((l) => l === 0)).toBe(true);
  });

  it('returns the labels unchanged when sizes are equal', () => {
    const labels = new Uint16Array([1, 2, 0, 3, 3, 1]);
    const semseg = new Float32Array(3 * 6);
    const out = upsampleLabels(labels, semseg, 2, 3, 2, 3, 0.5);
    expect(Array.from(out)).toEqual([1, 2, 0, 3, 3, 1]);
  });
});

describe('labelHistogram', () => {
  it('counts pixels per label, index 0 = unlabelled', () => {
    const counts = labelHistogram(new Uint16Array([0, 1, 1, 3, 0, 0, 3, 1, 1]), 5);
    expect(Array.from(counts)).toEqual([3, 4, 0, 2, 0]);
    expect(Array.from(labelHistogram(new Uint16Array(0), 2))).toEqual([0, 0]);
  });
});

describe('sampleNearest', () => {
  // 2 x 3 map, sampled at a 4 x 6 image: each map cell covers a 2x2 block of image pixels.
  const map = new Float32Array([10, 11, 12, 20, 21, 22]);

  it('picks the map cell under each image pixel', () => {
    for (let y = 0; y < 4; y++)
      for (let x = 0; x < 6; x++)
        expect(sampleNearest(map, 2, 3, x, y, 6, 4)).toBe(map[Math.floor(y / 2) * 3 + Math.floor(x / 2)]);
  });

  it('handles non-integer ratios and clamps out-of-range coordinates', () => {
    // 3-pixel-wide map at 5 image pixels: floor((x + 0.5) * 3 / 5) -> 0, 0, 1, 2, 2.
    const row = new Float32Array([1, 2, 3]);
    expect([0, 1, 2, 3, 4].map((x) => sampleNearest(row, 1, 3, x, 0, 5, 1))).toEqual([1, 1, 2, 3, 3]);
    expect(sampleNearest(map, 2, 3, -5, -5, 6, 4)).toBe(10);
    expect(sampleNearest(map, 2, 3, 100, 100, 6, 4)).toBe(22);
  });
});
