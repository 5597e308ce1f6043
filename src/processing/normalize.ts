import { shortSideSize } from './clipDense';
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

/**
 * The dense-CLIP family's picture for sliding windows: the short side scaled to `shortSide` (at
 * least `min`, one window), each side rounded to a `multiple` (the patch size).
 */
export interface ShortSideInput {
  kind: 'short';
  shortSide: number;
  min: number;
  multiple: number;
  resample?: ResampleFilter | undefined;
}

/** Size the model is fed with, from the manifest's input policy and the image size. */
export function modelInputSize(
  policy:
    | { kind: 'fixed'; height: number; width: number }
    | { kind: 'dynamic'; longSide: number; multiple: number }
    | ShortSideInput,
  width: number,
  height: number,
): { width: number; height: number } {
  if (policy.kind === 'fixed') return { width: policy.width, height: policy.height };
  if (policy.kind === 'short')
    return shortSideSize(width, height, policy.shortSide, policy.min, policy.multiple);
  const s = policy.longSide / Math.max(width, height);
  const m = policy.multiple;
  const round = (v: number) => Math.max(m, Math.round((v * s) / m) * m);
  return { width: round(width), height: round(height) };
}

/**
 * The model's input from an upright RGBA image, as its reference processor makes it: PIL's resize to
 * the input size (the manifest's filter, bilinear by default), then normalisation. The browser's
 * worker and the command line both call this, so one picture gives one input everywhere.
 */
export function preprocess(
  img: RgbaImage,
  input: Parameters<typeof modelInputSize>[0] & { resample?: ResampleFilter | undefined },
  pixel: { mean: readonly number[]; std: readonly number[] },
): { data: Float32Array; width: number; height: number } {
  const { width, height } = modelInputSize(input, img.width, img.height);
  const resized = resizeRgba(img, width, height, input.resample ?? 'bilinear');
  return { data: toPixelValues(resized, pixel.mean, pixel.std), width, height };
}
