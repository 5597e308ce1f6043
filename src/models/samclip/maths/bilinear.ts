/**
 * PyTorch's CPU bilinear resampling (`F.interpolate(mode='bilinear', align_corners=False)`, no
 * antialias) in float32, bit for bit as torch 1.13's AVX2 kernels compute it (the build that made the
 * SAM fixtures; fixtures/sam-postprocess checks it): per axis the source index is
 * `scale * (i + 0.5) - 0.5` in double with `scale = float32(n / N)`, clamped at 0; the weights are
 * `w1 = float32(src - floor(src))` and `w0 = float32(1 - w1)`; each two-tap step is
 * `fma(a, w0, float32(b * w1))` (the compiler contracts the first product into an FMA), along x
 * first, then along y.
 */

const f32 = Math.fround;

/** One axis of a resampling n -> N: the two source indices and float32 weights of each output index. */
export interface Axis {
  i0: Int32Array;
  i1: Int32Array;
  w0: Float32Array;
  w1: Float32Array;
}

/** The taps of the first `count` output indices (a crop keeps a prefix) of an n -> N axis. */
export function torchAxis(n: number, N: number, count = N): Axis {
  const ax: Axis = {
    i0: new Int32Array(count),
    i1: new Int32Array(count),
    w0: new Float32Array(count),
    w1: new Float32Array(count),
  };
  const scale = f32(n / N);
  for (let i = 0; i < count; i++) {
    // Equal sizes: torch's copy branch, both taps on the same index with weights (1, 0).
    const src = n === N ? i : Math.max(0, scale * (i + 0.5) - 0.5);
    const a = Math.floor(src);
    const w1 = f32(Math.min(Math.max(src - a, 0), 1));
    ax.i0[i] = a;
    ax.i1[i] = a < n - 1 && n !== N ? a + 1 : a;
    ax.w1[i] = w1;
    ax.w0[i] = f32(1 - w1);
  }
  return ax;
}

/**
 * float32 fused multiply-add, `float32(a * b + c)` rounded once, for float32 a, b, c. The double
 * product is exact (2 x 24 bits); TwoSum gives the double sum's error, which decides the rounding
 * only when the sum lands exactly halfway between two float32 numbers.
 */
export function fmaf(a: number, b: number, c: number): number {
  const p = a * b;
  const s = p + c;
  const bb = s - p;
  const e = p - (s - bb) + (c - bb);
  const r = f32(s);
  if (e === 0) return r;
  const d = s - r;
  const other = r + 2 * d;
  if (d !== 0 && f32(other) === other) return e > 0 === other > r ? other : r;
  return r;
}

/** torch's two-tap step: `fma(a, w0, float32(b * w1))`. */
export const lerpf = (a: number, b: number, w0: number, w1: number): number => fmaf(a, w0, f32(b * w1));

/**
 * Resamples one [h, w] float32 plane to the top-left `rows` x `cols` of its [H, W] resampling (all of
 * it by default), exactly as torch does: each output is its two rows' x-steps combined by a y-step.
 */
export function resizeTorch(
  src: Float32Array,
  h: number,
  w: number,
  H: number,
  W: number,
  rows = H,
  cols = W,
): Float32Array {
  const ay = torchAxis(h, H, rows);
  const ax = torchAxis(w, W, cols);
  const out = new Float32Array(rows * cols);
  for (let y = 0; y < rows; y++) {
    const r0 = ay.i0[y]! * w;
    const r1 = ay.i1[y]! * w;
    const wy0 = ay.w0[y]!;
    const wy1 = ay.w1[y]!;
    for (let x = 0; x < cols; x++) {
      const a = ax.i0[x]!;
      const b = ax.i1[x]!;
      const wx0 = ax.w0[x]!;
      const wx1 = ax.w1[x]!;
      const t0 = lerpf(src[r0 + a]!, src[r0 + b]!, wx0, wx1);
      const t1 = lerpf(src[r1 + a]!, src[r1 + b]!, wx0, wx1);
      out[y * cols + x] = lerpf(t0, t1, wy0, wy1);
    }
  }
  return out;
}
