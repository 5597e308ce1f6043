import { describe, expect, it } from 'vitest';
import { prng as rng } from '../../test-support/prng';
import { labelHistogram, upsampleLabelMap, upsampleLabels } from './labels';

/**
 * The per-pixel definition of `upsampleLabels`, pixel by pixel: bilinear interpolation (float64, half
 * pixel centres, clamped) of the scores of the classes that win at the four source neighbours,
 * the best of them (first on ties), then the threshold. With best scores, four equal neighbours all
 * at or above the threshold give their label, all below give 0, without interpolating.
 */
function reference(
  src: Uint16Array,
  semseg: Float32Array,
  h: number,
  w: number,
  H: number,
  W: number,
  t: number,
  best?: Float32Array,
): Uint16Array {
  const P = h * w;
  const out = new Uint16Array(H * W);
  const axis = (i: number, n: number, N: number) => {
    const f = Math.max(0, ((i + 0.5) * n) / N - 0.5);
    const a = Math.min(Math.floor(f), n - 1);
    return [a, Math.min(a + 1, n - 1), f - a] as const;
  };
  for (let y = 0; y < H; y++) {
    const [y0, y1, wy] = axis(y, h, H);
    for (let x = 0; x < W; x++) {
      const [x0, x1, wx] = axis(x, w, W);
      const corners = [y0 * w + x0, y0 * w + x1, y1 * w + x0, y1 * w + x1];
      const ls = corners.map((i) => src[i]!);
      const score = (l: number) => {
        const v = corners.map((i) => semseg[(l - 1) * P + i]!);
        const top = v[0]! + (v[1]! - v[0]!) * wx;
        const bot = v[2]! + (v[3]! - v[2]!) * wx;
        return top + (bot - top) * wy;
      };
      let label = 0;
      if (ls.every((l) => l === ls[0])) {
        const a = ls[0]!;
        const bs = best && corners.map((i) => best[i]!);
        if (a === 0) label = 0;
        else if (bs?.every((s) => s >= t)) label = a;
        else if (bs?.every((s) => s < t)) label = 0;
        else label = score(a) >= t ? a : 0;
      } else {
        let bestScore = -Infinity;
        for (const l of new Set(ls)) {
          if (l === 0) continue;
          const s = score(l);
          if (s > bestScore) {
            bestScore = s;
            label = l;
          }
        }
        if (!(bestScore >= t)) label = 0;
      }
      out[y * W + x] = label;
    }
  }
  return out;
}

type Kind = 'blocks' | 'noise' | 'flat' | 'stripes';

/** Labels and scores of one kind: large regions, pixel noise, one label, or thin stripes. */
function labelMap(r: () => number, kind: Kind, C: number, h: number, w: number) {
  const P = h * w;
  const semseg = Float32Array.from({ length: C * P }, () => r());
  const labels = new Uint16Array(P);
  const cx = Array.from({ length: 4 }, () => r() * w),
    cy = Array.from({ length: 4 }, () => r() * h);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      let l: number;
      if (kind === 'noise') l = Math.floor(r() * (C + 1));
      else if (kind === 'flat') l = 1 + (C > 1 ? 1 : 0);
      else if (kind === 'stripes') l = (Math.floor(x / 2) + y) % (C + 1);
      else l = 1 + (((x > cx[0]! ? 1 : 0) + (y > cy[0]! ? 2 : 0) + (x + y > cx[1]! + cy[1]! ? 1 : 0)) % C);
      labels[y * w + x] = l;
      // The winner's score is its class's, so that the scores match the labels like an argmax.
      if (l > 0) semseg[(l - 1) * P + y * w + x] = 0.3 + 0.7 * r();
    }
  const best = Float32Array.from(labels, (l, i) => (l > 0 ? semseg[(l - 1) * P + i]! : r() * 0.3));
  return { semseg, labels, best };
}

describe('upsampleLabelMap', () => {
  const shapes = [
    { h: 12, w: 16, H: 48, W: 64 }, // 4x
    { h: 9, w: 13, H: 31, W: 22 }, // odd, uneven
    { h: 288 / 8, w: 384 / 8, H: 480 / 8, W: 640 / 8 }, // the app's 384 -> 640 ratio
    { h: 20, w: 17, H: 7, W: 11 }, // downscale
    { h: 1, w: 5, H: 3, W: 9 }, // one source row
    { h: 6, w: 1, H: 10, W: 4 }, // one source column
  ];
  const kinds: Kind[] = ['blocks', 'noise', 'flat', 'stripes'];

  it('gives the per-pixel definition on every pixel, and counts what it wrote', () => {
    let compared = 0;
    for (const k of shapes)
      for (const kind of kinds)
        for (const t of [0, 0.45, 0.8])
          for (let seed = 1; seed <= 3; seed++) {
            const r = rng(seed * 101 + k.H * 7 + k.W);
            const C = 1 + Math.floor(r() * 6);
            const { semseg, labels, best } = labelMap(r, kind, C, k.h, k.w);
            for (const withBest of [false, true]) {
              const b = withBest ? best : undefined;
              const want = reference(labels, semseg, k.h, k.w, k.H, k.W, t, b);
              const got = upsampleLabelMap(labels, semseg, k.h, k.w, k.H, k.W, t, C + 1, undefined, b);
              expect(Array.from(got.labels)).toEqual(Array.from(want));
              expect(Array.from(got.counts)).toEqual(Array.from(labelHistogram(want, C + 1)));
              expect(Array.from(upsampleLabels(labels, semseg, k.h, k.w, k.H, k.W, t, undefined, b))).toEqual(
                Array.from(want),
              );
              compared += want.length;
            }
          }
    expect(compared).toBeGreaterThan(100000);
  });

  it('takes the candidates from rawLabels when the labels were thresholded', () => {
    const r = rng(7);
    const C = 4,
      h = 14,
      w = 11,
      H = 45,
      W = 29,
      t = 0.6;
    const { semseg, labels, best } = labelMap(r, 'blocks', C, h, w);
    const thresholded = labels.map((l, i) => (best[i]! >= t ? l : 0));
    expect(thresholded.includes(0)).toBe(true);
    for (const b of [undefined, best]) {
      const want = reference(labels, semseg, h, w, H, W, t, b);
      const got = upsampleLabelMap(thresholded, semseg, h, w, H, W, t, C + 1, labels, b);
      expect(Array.from(got.labels)).toEqual(Array.from(want));
      expect(Array.from(got.counts)).toEqual(Array.from(labelHistogram(want, C + 1)));
    }
  });

  it('decides NaN best scores and scores per pixel, as the definition does', () => {
    const r = rng(3);
    const C = 3,
      h = 10,
      w = 10;
    const { semseg, labels, best } = labelMap(r, 'blocks', C, h, w);
    for (let i = 0; i < 12; i++) best[Math.floor(r() * h * w)] = Number.NaN;
    semseg[Math.floor(r() * C * h * w)] = Number.NaN;
    for (const t of [0, 0.5]) {
      const want = reference(labels, semseg, h, w, 33, 27, t, best);
      const got = upsampleLabelMap(labels, semseg, h, w, 33, 27, t, C + 1, undefined, best);
      expect(Array.from(got.labels)).toEqual(Array.from(want));
    }
  });

  it('counts only labels under numLabels, like labelHistogram, and returns equal sizes as they are', () => {
    const r = rng(5);
    const { semseg, labels, best } = labelMap(r, 'blocks', 5, 8, 8);
    const got = upsampleLabelMap(labels, semseg, 8, 8, 20, 20, 0, 3, undefined, best);
    expect(Array.from(got.counts)).toEqual(Array.from(labelHistogram(got.labels, 3)));
    expect(upsampleLabelMap(labels, semseg, 8, 8, 20, 20, 0, 0).counts.length).toBe(0);
    const same = upsampleLabelMap(labels, semseg, 8, 8, 8, 8, 0.5, 6);
    expect(same.labels).toBe(labels);
    expect(Array.from(same.counts)).toEqual(Array.from(labelHistogram(labels, 6)));
  });
});

describe('labelHistogram', () => {
  it('counts like one increment per pixel, on runs, noise and labels past numLabels', () => {
    for (let seed = 1; seed <= 6; seed++) {
      const r = rng(seed);
      const n = 1 + Math.floor(r() * 5000);
      const runs = seed % 2 === 0;
      let l = 0;
      const labels = Uint16Array.from({ length: n }, () => {
        if (!runs || r() < 0.05) l = Math.floor(r() * 9);
        return l;
      });
      for (const numLabels of [0, 3, 9, 12]) {
        const want = new Array<number>(numLabels).fill(0);
        for (const v of labels) if (v < numLabels) want[v]!++;
        expect(Array.from(labelHistogram(labels, numLabels))).toEqual(want);
      }
    }
  });
});

describe('upsampleLabelMap at the threshold', () => {
  it('decides scores at, next to and far from the threshold, and non-finite ones, as the pixels do', () => {
    const t = 0.3;
    const near = [t, Math.fround(t), t + 2 ** -54, t - 2 ** -54, 0.30000001, 0.29999998];
    const odd = [0, -0, 1e30, -1e30, 1e-40, Infinity, -Infinity, Number.NaN, 1, -1];
    for (let seed = 1; seed <= 8; seed++) {
      const r = rng(seed);
      const C = 2,
        h = 10,
        w = 12;
      const P = h * w;
      const values = seed <= 4 ? near : [...near, ...odd];
      const pick = () => values[Math.floor(r() * values.length)]!;
      // Large regions of one label, so that most cells have four equal labels and open thresholds.
      const labels = Uint16Array.from({ length: P }, (_, i) => (i % w < 7 ? 1 : 2));
      const semseg = Float32Array.from({ length: C * P }, pick);
      // A block of infinite scores: interpolating them gives NaN, never the label.
      if (seed > 4) for (let y = 2; y < 5; y++) semseg.fill(Infinity, y * w + 1, y * w + 4);
      const best = Float32Array.from(labels, (l, i) => semseg[(l - 1) * P + i]!);
      for (const threshold of [t, Math.fround(t), 0, -0.5]) {
        for (const b of [undefined, best]) {
          const want = reference(labels, semseg, h, w, 41, 37, threshold, b);
          const got = upsampleLabelMap(labels, semseg, h, w, 41, 37, threshold, C + 1, undefined, b);
          expect(Array.from(got.labels)).toEqual(Array.from(want));
        }
      }
    }
  });
});
