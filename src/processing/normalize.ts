import type { RgbaImage } from './resize';

/** RGBA bytes -> NCHW float32 pixel values: (v/255 - mean) / std per channel. */
export function toPixelValues(img: RgbaImage, mean: readonly number[], std: readonly number[]): Float32Array {
  const n = img.width * img.height;
  const out = new Float32Array(3 * n);
  for (let c = 0; c < 3; c++) {
    // Fold the division into one multiply-add per value.
    const a = 1 / (255 * std[c]!);
    const b = -mean[c]! / std[c]!;
    const plane = c * n;
    for (let i = 0; i < n; i++) out[plane + i] = img.data[i * 4 + c]! * a + b;
  }
  return out;
}

/** Size the model is fed with, from the manifest's input policy and the image size. */
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
