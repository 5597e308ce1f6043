/**
 * The dense-CLIP family's maths on plain typed arrays (no ORT, no DOM).
 *
 * Per patch: class logit = logitScale x cosine(patch embedding, name embedding), max over a class's
 * names, softmax over classes; the grid of probabilities is upsampled bilinearly to the image size;
 * argmax, with "unlabelled" (label 0) under the threshold; label k + 1 is class k.
 * Resolution: the image is resized to a short side (default 448) and covered by 224x224 windows with
 * a stride; each window's patch logits are upsampled to the window and averaged where windows overlap
 * (mmsegmentation's slide inference, as ClearCLIP/SCLIP run it). Or, one pass at a larger grid with
 * the position embeddings resized bicubically (`resizeGridBicubic`, used by the model at load).
 */
import { argmaxLabels } from './gkc';
import { upsamplePlanes } from './resize';

/** CLIP's pixel normalisation (OpenAI CLIP, also every Hugging Face CLIP preprocessor). */
export const CLIP_MEAN = [0.48145466, 0.4578275, 0.40821073] as const;
export const CLIP_STD = [0.26862954, 0.26130258, 0.27577711] as const;
/** CLIP's learned logit scale at the end of training (exp(4.6052) = 100). */
export const CLIP_LOGIT_SCALE = 100;
export const DEFAULT_SHORT_SIDE = 448;
export const WINDOW = 224;
export const DEFAULT_STRIDE = 112;
/** A short list of CLIP prompt templates (from OpenAI's ImageNet ensemble), `{}` is the name. */
export const DEFAULT_TEMPLATES: readonly string[] = [
  'a photo of a {}.',
  'a photo of the {}.',
  'a photo of a small {}.',
  'a photo of a large {}.',
  'a bad photo of a {}.',
  'a cropped photo of a {}.',
  'a good photo of a {}.',
  'art of the {}.',
];
/**
 * [C, N] class logits from L2-normalised patch embeddings [N, D] and normalised name embeddings
 * [R, D] (row r names class rowToClass[r]): scale x cosine, max over each class's names.
 */
export function patchClassLogits(
  patches: Float32Array,
  names: Float32Array,
  rowToClass: ArrayLike<number>,
  numClasses: number,
  dim: number,
  scale = CLIP_LOGIT_SCALE,
): Float32Array {
  const N = patches.length / dim;
  const R = rowToClass.length;
  if (!Number.isInteger(N) || names.length !== R * dim)
    throw new Error(
      `patchClassLogits: ${patches.length} / ${names.length} values do not fit dim ${dim}, ${R} names`,
    );
  const out = new Float32Array(numClasses * N).fill(-Infinity);
  for (let r = 0; r < R; r++) {
    const c = rowToClass[r]!;
    if (!(c >= 0 && c < numClasses)) throw new Error(`patchClassLogits: name ${r} has no class ${c}`);
    for (let p = 0; p < N; p++) {
      let s = 0;
      for (let i = 0; i < dim; i++) s += patches[p * dim + i]! * names[r * dim + i]!;
      s *= scale;
      if (s > out[c * N + p]!) out[c * N + p] = s;
    }
  }
  return out;
}

/** Softmax over classes of [C, P] logits, in place. */
export function softmaxClasses(x: Float32Array, C: number): Float32Array {
  const P = x.length / C;
  for (let p = 0; p < P; p++) {
    let m = -Infinity;
    for (let c = 0; c < C; c++) m = Math.max(m, x[c * P + p]!);
    let s = 0;
    for (let c = 0; c < C; c++) s += x[c * P + p] = Math.exp(x[c * P + p]! - m);
    for (let c = 0; c < C; c++) x[c * P + p]! /= s;
  }
  return x;
}

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

/**
 * PyTorch `interpolate(mode='bicubic', align_corners=False)` of a token grid: `src` is [h0*w0, D]
 * (row-major tokens), the result [h*w, D]. Cubic convolution with a = -0.75, borders clamped.
 */
export function resizeGridBicubic(
  src: Float32Array,
  D: number,
  h0: number,
  w0: number,
  h: number,
  w: number,
) {
  if (src.length !== h0 * w0 * D)
    throw new Error(`resizeGridBicubic: ${src.length} values are not ${h0}x${w0}x${D}`);
  const A = -0.75;
  const cubic = (t: number): [number, number, number, number] => {
    const c1 = (x: number) => ((A + 2) * x - (A + 3)) * x * x + 1;
    const c2 = (x: number) => ((A * x - 5 * A) * x + 8 * A) * x - 4 * A;
    return [c2(t + 1), c1(t), c1(1 - t), c2(2 - t)];
  };
  const taps = (n0: number, n: number) =>
    Array.from({ length: n }, (_, i) => {
      const real = (n0 / n) * (i + 0.5) - 0.5;
      const f = Math.floor(real);
      const idx = [f - 1, f, f + 1, f + 2].map((k) => Math.min(Math.max(k, 0), n0 - 1));
      return { idx, wt: cubic(real - f) };
    });
  const ty = taps(h0, h);
  const tx = taps(w0, w);
  const out = new Float32Array(h * w * D);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      const o = (y * w + x) * D;
      for (let a = 0; a < 4; a++)
        for (let b = 0; b < 4; b++) {
          const wgt = ty[y]!.wt[a]! * tx[x]!.wt[b]!;
          const s = (ty[y]!.idx[a]! * w0 + tx[x]!.idx[b]!) * D;
          for (let d = 0; d < D; d++) out[o + d]! += wgt * src[s + d]!;
        }
    }
  return out;
}
