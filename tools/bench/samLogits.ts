/**
 * Synthetic SAM-like decoder outputs for the post-processing tests and benchmark: per prompt point,
 * three low-res (256 x 256) logit planes shaped like SAM's multimask outputs (a part, an object, a
 * larger region around the point): a wavy disc whose logit falls by `slope` per low-res pixel across
 * its edge, clipped to SAM's usual range, plus slow ripples so that no two edges are the same.
 */
import { prng } from '../../test-support/prng';

export interface SamLikeOptions {
  /** Low-res side (SAM: 256). */
  lowRes?: number;
  /** Logit change per low-res pixel across a mask edge. */
  slope?: number;
  /** Radii of the three outputs, low-res pixels. */
  radii?: readonly [number, number, number];
}

/** Fills `out` (offset `at`) with one wavy-disc plane centred on (cx, cy), low-res pixels. */
function disc(
  out: Float32Array,
  at: number,
  n: number,
  cx: number,
  cy: number,
  r0: number,
  slope: number,
  rand: () => number,
): void {
  const a3 = 0.25 * (rand() - 0.5);
  const b3 = 0.25 * (rand() - 0.5);
  const a2 = 0.3 * (rand() - 0.5);
  const ripple = 0.4 + rand();
  const f = 0.05 + 0.1 * rand();
  for (let y = 0; y < n; y++) {
    const dy = y - cy;
    for (let x = 0; x < n; x++) {
      const dx = x - cx;
      const d = Math.sqrt(dx * dx + dy * dy) + 1e-9;
      const c = dx / d;
      const s = dy / d;
      // cos 3t, sin 3t and cos 2t from cos t and sin t: no trigonometry per pixel.
      const r = r0 * (1 + a3 * (4 * c * c * c - 3 * c) + b3 * (3 * s - 4 * s * s * s) + a2 * (c * c - s * s));
      const v = slope * (r - d) + ripple * Math.sin(f * x) * Math.cos(f * y);
      out[at + y * n + x] = Math.max(-28, Math.min(18, v));
    }
  }
}

/**
 * Decoder outputs for `points` (x, y in the 1024 frame): iou [P * 3] uniform in [iouLow, 1) and
 * low-res masks [P * 3 * n * n].
 */
export function samLikeBatch(
  points: ArrayLike<number>,
  seed: number,
  iouLow: number,
  opts: SamLikeOptions = {},
): { iou: Float32Array; masks: Float32Array } {
  const n = opts.lowRes ?? 256;
  const slope = opts.slope ?? 4;
  const radii = opts.radii ?? [10, 24, 48];
  const P = points.length / 2;
  const rand = prng(seed);
  const iou = new Float32Array(P * 3);
  const masks = new Float32Array(P * 3 * n * n);
  for (let p = 0; p < P; p++)
    for (let k = 0; k < 3; k++) {
      iou[p * 3 + k] = iouLow + (1 - iouLow) * rand();
      const cx = (points[2 * p]! * n) / 1024 - 0.5;
      const cy = (points[2 * p + 1]! * n) / 1024 - 0.5;
      disc(masks, (p * 3 + k) * n * n, n, cx, cy, radii[k]! * (0.7 + 0.6 * rand()), slope, rand);
    }
  return { iou, masks };
}
