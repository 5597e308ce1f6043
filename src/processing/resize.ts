/** RGBA pixels, row-major, 4 bytes a pixel. */
export interface RgbaImage {
  width: number;
  height: number;
  data: Uint8ClampedArray | Uint8Array;
}

/** The resampling filters of the reference image processors (PIL's BILINEAR and BICUBIC). */
export type ResampleFilter = 'bilinear' | 'bicubic';

const FILTERS: Record<ResampleFilter, { support: number; f: (x: number) => number }> = {
  bilinear: {
    support: 1,
    f: (x) => {
      if (x < 0) x = -x;
      return x < 1 ? 1 - x : 0;
    },
  },
  // Keys' cubic with a = -0.5, as PIL writes it.
  bicubic: {
    support: 2,
    f: (x) => {
      const a = -0.5;
      if (x < 0) x = -x;
      if (x < 1) return ((a + 2) * x - (a + 3)) * x * x + 1;
      if (x < 2) return (((x - 5) * x + 8) * x - 4) * a;
      return 0;
    },
  },
};

/** PIL's fixed point: 8-bit values times coefficients of 22 fractional bits fit an int32 sum. */
const PRECISION_BITS = 32 - 8 - 2;
const HALF = 1 << (PRECISION_BITS - 1);

/** One axis's resampling plan: output i reads `count[i]` inputs from `first[i]`, weights `k[i * ksize + j]`. */
interface Axis {
  first: Int32Array;
  count: Int32Array;
  k: Int32Array;
  ksize: number;
}

/**
 * PIL's `precompute_coeffs` + `normalize_coeffs_8bpc` (libImaging/Resample.c), step for step: the
 * filter widens by the scale when downscaling (antialiasing), each output's weights are normalised
 * in doubles and then rounded to fixed point. Any other order of operations moves values by one
 * grey level, which the models' logits amplify.
 */
function axisPlan(inSize: number, outSize: number, filter: ResampleFilter): Axis {
  const { support: fs, f } = FILTERS[filter];
  const scale = inSize / outSize;
  const filterscale = Math.max(scale, 1);
  const support = fs * filterscale;
  const ksize = Math.ceil(support) * 2 + 1;
  const first = new Int32Array(outSize);
  const count = new Int32Array(outSize);
  const k = new Int32Array(outSize * ksize);
  const w = new Float64Array(ksize);
  const ss = 1 / filterscale;
  for (let xx = 0; xx < outSize; xx++) {
    const center = (xx + 0.5) * scale;
    // C's (int) truncates; negative starts are clamped to 0 either way.
    const xmin = Math.max(0, Math.trunc(center - support + 0.5));
    const xmax = Math.min(inSize, Math.trunc(center + support + 0.5)) - xmin;
    let ww = 0;
    for (let x = 0; x < xmax; x++) {
      w[x] = f((x + xmin - center + 0.5) * ss);
      ww += w[x]!;
    }
    for (let x = 0; x < xmax; x++) {
      const v = ww !== 0 ? w[x]! / ww : w[x]!;
      k[xx * ksize + x] = Math.trunc(
        v < 0 ? -0.5 + v * (1 << PRECISION_BITS) : 0.5 + v * (1 << PRECISION_BITS),
      );
    }
    first[xx] = xmin;
    count[xx] = Math.max(0, xmax);
  }
  return { first, count, k, ksize };
}

/** Plans are reused frame after frame (a webcam stream keeps its sizes): a few per filter and size. */
const plans = new Map<string, Axis>();
function cachedPlan(inSize: number, outSize: number, filter: ResampleFilter): Axis {
  const key = `${filter}:${inSize}:${outSize}`;
  let p = plans.get(key);
  if (!p) {
    if (plans.size >= 16) plans.delete(plans.keys().next().value!);
    p = axisPlan(inSize, outSize, filter);
    plans.set(key, p);
  }
  return p;
}

const clip8 = (v: number) => {
  const s = v >> PRECISION_BITS;
  return s < 0 ? 0 : s > 255 ? 255 : s;
};

/**
 * Resizes RGBA pixels exactly as PIL's `Image.resize(size, BILINEAR | BICUBIC)` resizes an RGB image,
 * which is what the Hugging Face image processors (and so the models' reference outputs) use:
 * separable, horizontal pass first over the rows the vertical pass needs, each pass rounded to 8 bits.
 * Alpha is ignored (the processors convert to RGB) and the output is opaque.
 */
export function resizeRgba(
  src: RgbaImage,
  width: number,
  height: number,
  filter: ResampleFilter = 'bilinear',
): RgbaImage {
  if (src.width === width && src.height === height) return src;
  const xs = cachedPlan(src.width, width, filter);
  const ys = cachedPlan(src.height, height, filter);
  let rows: Uint8Array | Uint8ClampedArray = src.data;
  let stride = 4; // bytes a pixel in `rows`
  let rowOffset = 0; // first source row held in `rows`
  let rowsWidth = src.width;
  if (width !== src.width) {
    const yFirst = ys.first[0]!;
    const yLast = ys.first[height - 1]! + ys.count[height - 1]!;
    rows = horizontal(src, xs, width, yFirst, yLast);
    stride = 3;
    rowOffset = yFirst;
    rowsWidth = width;
  }
  const out = new Uint8ClampedArray(width * height * 4);
  if (height === src.height) {
    for (let i = 0, n = width * height; i < n; i++) {
      out[i * 4] = rows[i * stride]!;
      out[i * 4 + 1] = rows[i * stride + 1]!;
      out[i * 4 + 2] = rows[i * stride + 2]!;
      out[i * 4 + 3] = 255;
    }
    return { width, height, data: out };
  }
  const { first, count, k, ksize } = ys;
  const line = rowsWidth * stride;
  for (let y = 0; y < height; y++) {
    const y0 = first[y]! - rowOffset;
    const n = count[y]!;
    const kb = y * ksize;
    for (let x = 0; x < width; x++) {
      let r = HALF,
        g = HALF,
        b = HALF;
      let p = y0 * line + x * stride;
      for (let j = 0; j < n; j++, p += line) {
        const wt = k[kb + j]!;
        r += rows[p]! * wt;
        g += rows[p + 1]! * wt;
        b += rows[p + 2]! * wt;
      }
      const o = (y * width + x) * 4;
      out[o] = clip8(r);
      out[o + 1] = clip8(g);
      out[o + 2] = clip8(b);
      out[o + 3] = 255;
    }
  }
  return { width, height, data: out };
}

/** PIL's horizontal pass over source rows [yFirst, yLast), into packed RGB bytes. */
function horizontal(src: RgbaImage, xs: Axis, width: number, yFirst: number, yLast: number): Uint8Array {
  const { first, count, k, ksize } = xs;
  const data = src.data;
  const out = new Uint8Array((yLast - yFirst) * width * 3);
  let o = 0;
  for (let y = yFirst; y < yLast; y++) {
    const row = y * src.width * 4;
    for (let x = 0; x < width; x++) {
      let r = HALF,
        g = HALF,
        b = HALF;
      const n = count[x]!;
      const kb = x * ksize;
      let p = row + first[x]! * 4;
      for (let j = 0; j < n; j++, p += 4) {
        const wt = k[kb + j]!;
        r += data[p]! * wt;
        g += data[p + 1]! * wt;
        b += data[p + 2]! * wt;
      }
      out[o++] = clip8(r);
      out[o++] = clip8(g);
      out[o++] = clip8(b);
    }
  }
  return out;
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
  const { i0: y0, i1: y1, f: fy } = bilinearAxis(h, H);
  const { i0: x0, i1: x1, f: fx } = bilinearAxis(w, W);
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

/** Source rows/columns and weights of one bilinear axis (half-pixel centres, edges clamped). */
export function bilinearAxis(n: number, N: number): { i0: Int32Array; i1: Int32Array; f: Float32Array } {
  const i0 = new Int32Array(N),
    i1 = new Int32Array(N),
    f = new Float32Array(N);
  const scale = n / N;
  for (let i = 0; i < N; i++) {
    const s = Math.max(0, (i + 0.5) * scale - 0.5);
    const a = Math.min(Math.floor(s), n - 1);
    i0[i] = a;
    i1[i] = Math.min(a + 1, n - 1);
    f[i] = s - a;
  }
  return { i0, i1, f };
}
