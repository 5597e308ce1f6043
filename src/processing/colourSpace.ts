/**
 * CIELAB from 8-bit sRGB. The colours model's image graph (tools/colours/graphs.ts) computes
 * `rgbToFeature` exactly (same constants), so prototypes given as sRGB colours land where the graph
 * compares pixels against them; the palette measures colour differences with `rgbToLab`.
 *
 * CIELAB (D65) because Euclidean distances there roughly follow perceived
 * colour differences, which makes nearest-prototype naming behave; lightness
 * is down-weighted so that shading moves a pixel less than a change of hue.
 */

/** Weight of L* against a*, b* (1 = plain CIELAB). */
const L_WEIGHT = 0.6;

/** sRGB (D65) -> XYZ, each row divided by the white point so white = (1,1,1). */
export const RGB_TO_XYZN: readonly (readonly number[])[] = [
  [0.4124564 / 0.95047, 0.3575761 / 0.95047, 0.1804375 / 0.95047],
  [0.2126729, 0.7151522, 0.072175],
  [0.0193339 / 1.08883, 0.119192 / 1.08883, 0.9503041 / 1.08883],
];

/** CIELAB f(t): cube root above (6/29)^3, linear toe below. */
export const LAB_EPS = 216 / 24389;
export const LAB_TOE_SLOPE = 24389 / 27 / 116;
export const LAB_TOE_OFFSET = 16 / 116;

/** (f(x), f(y), f(z)) -> (L_WEIGHT*L, a, b) as a 3x3 matrix plus bias. */
export const F_TO_LAB: readonly (readonly number[])[] = [
  [0, 116 * L_WEIGHT, 0],
  [500, -500, 0],
  [0, 200, -200],
];
export const F_TO_LAB_BIAS: readonly number[] = [-16 * L_WEIGHT, 0, 0];

/** sRGB gamma decoding constants (IEC 61966-2-1). */
export const SRGB_KNEE = 0.04045;

function srgbToLinear(c: number): number {
  return c > SRGB_KNEE ? Math.pow((c + 0.055) / 1.055, 2.4) : c / 12.92;
}

function labF(t: number): number {
  return t > LAB_EPS ? Math.cbrt(t) : t * LAB_TOE_SLOPE + LAB_TOE_OFFSET;
}

function mat3(m: readonly (readonly number[])[], v: readonly number[], bias?: readonly number[]): number[] {
  return m.map((row, i) => row[0]! * v[0]! + row[1]! * v[1]! + row[2]! * v[2]! + (bias?.[i] ?? 0));
}

/** 8-bit sRGB -> the colours model's feature vector (weighted L, a, b). */
export function rgbToFeature(rgb: readonly [number, number, number]): [number, number, number] {
  const lin = rgb.map((c) => srgbToLinear(Math.min(Math.max(c / 255, 0), 1)));
  const f = mat3(RGB_TO_XYZN, lin).map(labF);
  const [l, a, b] = mat3(F_TO_LAB, f, F_TO_LAB_BIAS);
  return [l!, a!, b!];
}

/** 8-bit sRGB -> plain CIELAB (D65): L in 0..100. */
export function rgbToLab(rgb: readonly [number, number, number]): [number, number, number] {
  const [l, a, b] = rgbToFeature(rgb);
  return [l / L_WEIGHT, a, b];
}

/** CIE76 colour difference: about 2.3 is just noticeable; 20+ reads as another colour. */
export function deltaE(p: readonly number[], q: readonly number[]): number {
  return Math.hypot(p[0]! - q[0]!, p[1]! - q[1]!, p[2]! - q[2]!);
}
