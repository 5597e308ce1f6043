/**
 * SAM's prompt grid for automatic mask generation: upstream `build_point_grid` (numpy `linspace`
 * arithmetic), its points in the picture, and the same points in the model's resized frame
 * (`ResizeLongestSide.apply_coords`: scaled by resized / original per axis, no +0.5 and no padding
 * point: the exported decoder adds both).
 */
import { resizedSize } from './frame';

/** n x n points in [0, 1]^2, cell centres, row-major with x fastest: [x0, y0, x1, y1, ...]. */
export function buildPointGrid(n: number): Float64Array {
  if (!(Number.isInteger(n) && n >= 1)) throw new Error(`buildPointGrid: ${n} points per side`);
  const offset = 1 / (2 * n);
  const stop = 1 - offset;
  // numpy.linspace(offset, 1 - offset, n): i * step + start, the last one exactly `stop`.
  const step = (stop - offset) / (n - 1);
  const side = Array.from({ length: n }, (_, i) =>
    n === 1 ? offset : i === n - 1 ? stop : i * step + offset,
  );
  const out = new Float64Array(n * n * 2);
  for (let y = 0; y < n; y++)
    for (let x = 0; x < n; x++) {
      out[2 * (y * n + x)] = side[x]!;
      out[2 * (y * n + x) + 1] = side[y]!;
    }
  return out;
}

/** The grid in picture pixels (upstream `points_for_image = grid * [W, H]`). */
export function gridPoints(n: number, height: number, width: number): Float64Array {
  const g = buildPointGrid(n);
  for (let i = 0; i < g.length; i += 2) {
    g[i] = g[i]! * width;
    g[i + 1] = g[i + 1]! * height;
  }
  return g;
}

/** Picture points -> the decoder's `input_points` frame (float32), as upstream's `apply_coords`. */
export function toModelFrame(
  points: ArrayLike<number>,
  height: number,
  width: number,
  longSide = 1024,
): Float32Array {
  const r = resizedSize(height, width, longSide);
  const out = new Float32Array(points.length);
  for (let i = 0; i < points.length; i += 2) {
    out[i] = points[i]! * (r.w / width);
    out[i + 1] = points[i + 1]! * (r.h / height);
  }
  return out;
}
