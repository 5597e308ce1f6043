/**
 * The geometry of SAM's mask post-processing for one picture size (upstream `Sam.postprocess_masks`):
 * low-res logits (256 x 256) -> bilinear to the padded square (1024 x 1024) -> crop to the resized
 * picture (longest side 1024) -> bilinear to the picture. Per axis, the two torch resamplings and
 * their composition: each picture index reads at most 3 consecutive low-res indices.
 */
import { lerpf, torchAxis, type Axis } from './bilinear';

/** Consecutive low-res indices that one picture index reads (the composite of the two stages). */
export const TAPS = 3;

/** Upstream `ResizeLongestSide.get_preprocess_shape`: the picture resized so its longest side is `longSide`. */
export function resizedSize(height: number, width: number, longSide = 1024): { h: number; w: number } {
  const scale = (longSide * 1.0) / Math.max(height, width);
  return { h: Math.trunc(height * scale + 0.5), w: Math.trunc(width * scale + 0.5) };
}

/** One axis of the post-processing. */
export interface AxisPlan {
  /** Picture size along the axis. */
  size: number;
  /** Stage 1, low-res -> padded, its first `resized` indices (the crop). */
  low: Axis;
  /** Stage 2, resized -> picture. */
  pic: Axis;
  /** Per picture index: its first low-res index (its taps are start .. start + TAPS - 1). */
  start: Int32Array;
  /** [size * TAPS] the composite weights in double (exact products of the float32 stage weights). */
  weight: Float64Array;
  /** Low-res indices within some picture index's taps (weights 0 included): 0 .. used - 1. */
  used: number;
}

export interface SamFrame {
  height: number;
  width: number;
  resized: { h: number; w: number };
  lowRes: number;
  padded: number;
  rows: AxisPlan;
  cols: AxisPlan;
}

function axisPlan(size: number, resized: number, lowRes: number, padded: number): AxisPlan {
  const low = torchAxis(lowRes, padded, resized);
  const pic = torchAxis(resized, size);
  const start = new Int32Array(size);
  const weight = new Float64Array(size * TAPS);
  let used = 0;
  for (let i = 0; i < size; i++) {
    const mids = [pic.i0[i]!, pic.i1[i]!];
    const wm = [pic.w0[i]!, pic.w1[i]!];
    const first = Math.min(low.i0[mids[0]!]!, lowRes - TAPS);
    start[i] = first;
    for (let k = 0; k < 2; k++) {
      const m = mids[k]!;
      for (const [j, w] of [
        [low.i0[m]!, low.w0[m]!],
        [low.i1[m]!, low.w1[m]!],
      ] as const) {
        const t = j - first;
        if (t < 0 || t >= TAPS)
          throw new Error(`samFrame: a picture index reads beyond ${TAPS} low-res taps`);
        weight[i * TAPS + t]! += wm[k]! * w;
      }
    }
    used = Math.max(used, first + TAPS);
  }
  return { size, low, pic, start, weight, used };
}

/** The post-processing plan for a height x width picture and SAM's low-res masks. */
export function samFrame(height: number, width: number, lowRes = 256, padded = 1024): SamFrame {
  if (!(height >= 1 && width >= 1)) throw new Error(`samFrame: bad picture size ${width}x${height}`);
  if (lowRes < TAPS || lowRes >= padded)
    throw new Error(`samFrame: low-res ${lowRes} must upsample to ${padded}`);
  const resized = resizedSize(height, width, padded);
  return {
    height,
    width,
    resized,
    lowRes,
    padded,
    rows: axisPlan(height, resized.h, lowRes, padded),
    cols: axisPlan(width, resized.w, lowRes, padded),
  };
}

/** Stage 1 at one padded-frame pixel (y, x): torch's float32 arithmetic. */
function stage1(low: Float32Array, n: number, ry: Axis, rx: Axis, y: number, x: number): number {
  const r0 = ry.i0[y]! * n;
  const r1 = ry.i1[y]! * n;
  const a = rx.i0[x]!;
  const b = rx.i1[x]!;
  const t0 = lerpf(low[r0 + a]!, low[r0 + b]!, rx.w0[x]!, rx.w1[x]!);
  const t1 = lerpf(low[r1 + a]!, low[r1 + b]!, rx.w0[x]!, rx.w1[x]!);
  return lerpf(t0, t1, ry.w0[y]!, ry.w1[y]!);
}

/**
 * The picture-size logit at (y, x), bit for bit what the two torch resamplings give there (the
 * fast path asks it only where a value sits within a rounding hair of a threshold).
 */
export function exactLogit(frame: SamFrame, low: Float32Array, y: number, x: number): number {
  const { rows, cols, lowRes: n } = frame;
  const y0 = rows.pic.i0[y]!;
  const y1 = rows.pic.i1[y]!;
  const x0 = cols.pic.i0[x]!;
  const x1 = cols.pic.i1[x]!;
  const wx0 = cols.pic.w0[x]!;
  const wx1 = cols.pic.w1[x]!;
  const s = (yy: number, xx: number) => stage1(low, n, rows.low, cols.low, yy, xx);
  const t0 = lerpf(s(y0, x0), s(y0, x1), wx0, wx1);
  const t1 = lerpf(s(y1, x0), s(y1, x1), wx0, wx1);
  return lerpf(t0, t1, rows.pic.w0[y]!, rows.pic.w1[y]!);
}
