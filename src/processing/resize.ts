/** RGBA pixels, row-major, 4 bytes a pixel. */
export interface RgbaImage {
  width: number;
  height: number;
  data: Uint8ClampedArray | Uint8Array;
}

/**
 * Separable triangle-filter weights for one axis, like PIL's BILINEAR resize (which the Hugging Face
 * image processors use): the filter widens when downscaling, so it antialiases.
 */
function axisWeights(
  inSize: number,
  outSize: number,
): { start: Int32Array; count: Int32Array; w: Float32Array; k: number } {
  const scale = inSize / outSize;
  const support = Math.max(scale, 1);
  const k = Math.ceil(support) * 2 + 1;
  const start = new Int32Array(outSize);
  const count = new Int32Array(outSize);
  const w = new Float32Array(outSize * k);
  for (let i = 0; i < outSize; i++) {
    const center = (i + 0.5) * scale;
    const lo = Math.max(0, Math.floor(center - support + 0.5));
    const hi = Math.min(inSize, Math.floor(center + support + 0.5));
    let sum = 0;
    for (let j = lo; j < hi; j++) {
      const v = Math.max(0, 1 - Math.abs((j - center + 0.5) / support));
      w[i * k + (j - lo)] = v;
      sum += v;
    }
    if (sum > 0) for (let j = 0; j < hi - lo; j++) w[i * k + j]! /= sum;
    start[i] = lo;
    count[i] = hi - lo;
  }
  return { start, count, w, k };
}

/** Antialiased bilinear resize of an RGBA image (alpha ignored, set opaque). */
export function resizeRgba(src: RgbaImage, width: number, height: number): RgbaImage {
  if (src.width === width && src.height === height) return src;
  const xs = axisWeights(src.width, width);
  const ys = axisWeights(src.height, height);
  // Horizontal pass into a float buffer of height src.height, then vertical.
  const tmp = new Float32Array(src.height * width * 3);
  for (let y = 0; y < src.height; y++) {
    const row = y * src.width * 4;
    for (let x = 0; x < width; x++) {
      let r = 0,
        g = 0,
        b = 0;
      const s = xs.start[x]!;
      for (let j = 0; j < xs.count[x]!; j++) {
        const wt = xs.w[x * xs.k + j]!;
        const p = row + (s + j) * 4;
        r += src.data[p]! * wt;
        g += src.data[p + 1]! * wt;
        b += src.data[p + 2]! * wt;
      }
      const o = (y * width + x) * 3;
      tmp[o] = r;
      tmp[o + 1] = g;
      tmp[o + 2] = b;
    }
  }
  const out = new Uint8ClampedArray(width * height * 4);
  for (let y = 0; y < height; y++) {
    const s = ys.start[y]!;
    for (let x = 0; x < width; x++) {
      let r = 0,
        g = 0,
        b = 0;
      for (let j = 0; j < ys.count[y]!; j++) {
        const wt = ys.w[y * ys.k + j]!;
        const p = ((s + j) * width + x) * 3;
        r += tmp[p]! * wt;
        g += tmp[p + 1]! * wt;
        b += tmp[p + 2]! * wt;
      }
      const o = (y * width + x) * 4;
      // Uint8ClampedArray rounds to nearest itself: adding 0.5 here would bias every value up.
      out[o] = r;
      out[o + 1] = g;
      out[o + 2] = b;
      out[o + 3] = 255;
    }
  }
  return { width, height, data: out };
}

/**
 * Bilinear resampling of C float planes [C,h,w] -> [C,H,W] with PyTorch's
 * `interpolate(mode='bilinear', align_corners=False)` convention (GKC upsamples mask logits so).
 */
export function upsamplePlanes(
  src: Float32Array,
  c: number,
  h: number,
  w: number,
  H: number,
  W: number,
): Float32Array {
  const out = new Float32Array(c * H * W);
  const y0 = new Int32Array(H),
    y1 = new Int32Array(H),
    fy = new Float32Array(H);
  const x0 = new Int32Array(W),
    x1 = new Int32Array(W),
    fx = new Float32Array(W);
  const axis = (n: number, N: number, i0: Int32Array, i1: Int32Array, f: Float32Array) => {
    const scale = n / N;
    for (let i = 0; i < N; i++) {
      const s = Math.max(0, (i + 0.5) * scale - 0.5);
      const a = Math.min(Math.floor(s), n - 1);
      i0[i] = a;
      i1[i] = Math.min(a + 1, n - 1);
      f[i] = s - a;
    }
  };
  axis(h, H, y0, y1, fy);
  axis(w, W, x0, x1, fx);
  for (let k = 0; k < c; k++) {
    const base = k * h * w;
    const ob = k * H * W;
    for (let y = 0; y < H; y++) {
      const r0 = base + y0[y]! * w;
      const r1 = base + y1[y]! * w;
      const wy = fy[y]!;
      for (let x = 0; x < W; x++) {
        const a = x0[x]!,
          b = x1[x]!,
          wx = fx[x]!;
        const top = src[r0 + a]! + (src[r0 + b]! - src[r0 + a]!) * wx;
        const bot = src[r1 + a]! + (src[r1 + b]! - src[r1 + a]!) * wx;
        out[ob + y * W + x] = top + (bot - top) * wy;
      }
    }
  }
  return out;
}
