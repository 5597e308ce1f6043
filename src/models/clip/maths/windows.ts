/**
 * The dense-CLIP family's picture maths on plain typed arrays (no ORT, no DOM). The image is
 * resized to a short side (default 448) and covered by 224x224 windows with a stride; each window's
 * patch logits are averaged where windows overlap (mmsegmentation's slide inference, as
 * ClearCLIP/SCLIP run it), upsampled bilinearly, then argmax with "unlabelled" (label 0) under the
 * threshold; label k + 1 is class k. Or one pass at a larger grid (`singlePassGrid`).
 */
import { argmaxLabels } from '../../../processing/argmax';
import { upsamplePlanes } from '../../../processing/resize';
import { softmaxClasses } from '../../../processing/softmax';

export const DEFAULT_SHORT_SIDE = 448;
export const WINDOW = 224;
export const DEFAULT_STRIDE = 112;
/** Size with the short side at `short` (at least one window), the long side in proportion. */
/**
 * Size with the short side at `short` (at least `min`), the long side in proportion, both rounded to
 * a `multiple` (16 keeps windows on the patch grid, so they can be averaged per patch).
 */
export function shortSideSize(
  width: number,
  height: number,
  short = DEFAULT_SHORT_SIDE,
  min = WINDOW,
  multiple = 1,
) {
  const s = Math.max(short, min) / Math.min(width, height);
  const round = (v: number) => Math.max(min, Math.round((v * s) / multiple) * multiple);
  return { width: round(width), height: round(height) };
}

/** Single-pass grid: short side at `short`, both sides rounded to whole patches. */
export function singlePassGrid(width: number, height: number, patch: number, short = DEFAULT_SHORT_SIDE) {
  const { width: w, height: h } = shortSideSize(width, height, short, patch);
  return { h: Math.max(1, Math.round(h / patch)), w: Math.max(1, Math.round(w / patch)) };
}

/** Window origins covering [H, W] with `crop` windows every `stride` (the last ones flush with the edge). */
export function slidingWindows(H: number, W: number, crop = WINDOW, stride = DEFAULT_STRIDE) {
  if (H < crop || W < crop)
    throw new Error(`slidingWindows: image ${W}x${H} is smaller than a ${crop} window`);
  if (!(stride >= 1 && stride <= crop))
    throw new Error(`slidingWindows: stride ${stride} not in [1, ${crop}]`);
  const starts = (L: number) => {
    const n = Math.ceil((L - crop) / stride) + 1;
    return Array.from({ length: n }, (_, i) => Math.min(i * stride, L - crop));
  };
  const ys = starts(H);
  const xs = starts(W);
  return ys.flatMap((y) => xs.map((x) => ({ y, x })));
}

/** The [C, h, w] crop at (y, x) of a [C, H, W] image. */
export function cropChw(
  src: Float32Array,
  C: number,
  H: number,
  W: number,
  y: number,
  x: number,
  h: number,
  w: number,
) {
  if (y < 0 || x < 0 || y + h > H || x + w > W)
    throw new Error(`cropChw: ${w}x${h} at (${x}, ${y}) leaves ${W}x${H}`);
  const out = new Float32Array(C * h * w);
  for (let c = 0; c < C; c++)
    for (let r = 0; r < h; r++)
      out.set(src.subarray(c * H * W + (y + r) * W + x, c * H * W + (y + r) * W + x + w), (c * h + r) * w);
  return out;
}

/**
 * Averages per-window logits over a [C, H / cell, W / cell] canvas. With `cell` = the patch size and
 * windows on the patch grid, a window's [C, 14, 14] logits add to the canvas as they are, and the
 * canvas is upsampled once at the end (bilinear upsampling is linear, so this equals upsampling each
 * window first except within a patch of a window's edge); it needs C x H x W / 256 floats instead of
 * C x H x W (150 classes at 448x592: 0.6 MB instead of 160 MB). `cell` = 1: mmsegmentation's way.
 */
export class WindowAverager {
  readonly sum: Float32Array;
  readonly count: Uint16Array;
  /** Canvas size. */
  readonly h: number;
  readonly w: number;
  constructor(
    readonly C: number,
    H: number,
    W: number,
    readonly cell = 1,
  ) {
    if (H % cell || W % cell)
      throw new Error(`WindowAverager: ${W}x${H} is not a whole number of ${cell} cells`);
    this.h = H / cell;
    this.w = W / cell;
    this.sum = new Float32Array(C * this.h * this.w);
    this.count = new Uint16Array(this.h * this.w);
  }

  /** Adds one window's [C, gh, gw] logits, resampled bilinearly to its `crop` x `crop` cells, at (y, x). */
  add(logits: Float32Array, gh: number, gw: number, y: number, x: number, crop = WINDOW): void {
    const { cell, h, w, C } = this;
    if (y % cell || x % cell || crop % cell)
      throw new Error(`WindowAverager: window at (${x}, ${y}) is off the cells`);
    const k = crop / cell;
    const [cy, cx] = [y / cell, x / cell];
    if (cy + k > h || cx + k > w) throw new Error(`WindowAverager: window at (${x}, ${y}) leaves the canvas`);
    const up = k === gh && k === gw ? logits : upsamplePlanes(logits, C, gh, gw, k, k);
    for (let c = 0; c < C; c++)
      for (let r = 0; r < k; r++) {
        const o = c * h * w + (cy + r) * w + cx;
        const s = c * k * k + r * k;
        for (let j = 0; j < k; j++) this.sum[o + j]! += up[s + j]!;
      }
    for (let r = 0; r < k; r++) for (let j = 0; j < k; j++) this.count[(cy + r) * w + cx + j]!++;
  }

  /** The averaged logits [C, h, w] (canvas size); throws if a cell was never covered. */
  result(): Float32Array {
    const P = this.h * this.w;
    const out = new Float32Array(this.sum.length);
    for (let p = 0; p < P; p++) {
      const n = this.count[p]!;
      if (!n) throw new Error('WindowAverager: a pixel is covered by no window');
      for (let c = 0; c < this.C; c++) out[c * P + p] = this.sum[c * P + p]! / n;
    }
    return out;
  }
}

/**
 * Label map from [C, h, w] class logits: softmax over classes, bilinear upsampling to the image
 * size, argmax; label 0 where the best probability is under `threshold`.
 */
export function labelsFromLogits(
  logits: Float32Array,
  C: number,
  h: number,
  w: number,
  width: number,
  height: number,
  threshold = 0,
): { labels: Uint16Array; scores: Float32Array } {
  const probs = softmaxClasses(Float32Array.from(logits), C);
  const up = h === height && w === width ? probs : upsamplePlanes(probs, C, h, w, height, width);
  return argmaxLabels(up, C, width * height, threshold);
}
