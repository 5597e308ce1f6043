import { resizeRgba, type ResampleFilter, type RgbaImage } from './resize';

/**
 * RGBA bytes -> NCHW float32 pixel values: (v/255 - mean) / std per channel, each step rounded to
 * float32 as the reference processors compute it in numpy (so equal inputs give bit-equal values).
 * Only 256 values a channel exist: a table per channel does the arithmetic once.
 */
export function toPixelValues(img: RgbaImage, mean: readonly number[], std: readonly number[]): Float32Array {
  const n = img.width * img.height;
  const out = new Float32Array(3 * n);
  const f = Math.fround;
  const lut = new Float32Array(256);
  for (let c = 0; c < 3; c++) {
    const m = f(mean[c]!);
    const s = f(std[c]!);
    for (let v = 0; v < 256; v++) lut[v] = f(f(f(v / 255) - m) / s);
    const plane = c * n;
    const data = img.data;
    for (let i = 0; i < n; i++) out[plane + i] = lut[data[i * 4 + c]!]!;
  }
  return out;
}

/** The size and filter a picture is resized to: what a family's runner asks for (`Runner.inputFor`). */
export interface InputSize {
  width: number;
  height: number;
  resample?: ResampleFilter | undefined;
}

/** Size a picture is fed at under a manifest's policy: a baked size, or the long side scaled to whole multiples. */
export function modelInputSize(
  policy:
    | { kind: 'fixed'; height: number; width: number }
    | { kind: 'dynamic'; longSide: number; multiple: number },
  width: number,
  height: number,
): { width: number; height: number } {
  if (policy.kind === 'fixed') return { width: policy.width, height: policy.height };
  const s = policy.longSide / Math.max(width, height);
  const m = policy.multiple;
  const round = (v: number) => Math.max(m, Math.round((v * s) / m) * m);
  return { width: round(width), height: round(height) };
}

/**
 * The model's input from an upright RGBA image, as its reference processor makes it: PIL's resize to
 * the size its runner asks for (its filter, bilinear by default), then normalisation. The browser's
 * worker and the command line both call this, so one picture gives one input everywhere.
 */
export function preprocess(
  img: RgbaImage,
  size: InputSize,
  pixel: { mean: readonly number[]; std: readonly number[] },
): { data: Float32Array; width: number; height: number } {
  const { width, height } = size;
  const resized = resizeRgba(img, width, height, size.resample ?? 'bilinear');
  return { data: toPixelValues(resized, pixel.mean, pixel.std), width, height };
}
