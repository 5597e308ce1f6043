/**
 * The sigmoid of GKC's query combine, by table: the one approximation of `querySemseg`, under 5e-8
 * per value (below float32's resolution near 1), and `addSigmoids`, the loop it runs per pixel.
 */

/** Table step: 1/512 keeps linear interpolation of the sigmoid within h^2/8 * max|s''| < 5e-8. */
const STEPS = 512;
/** Beyond +-LIMIT the sigmoid is 0 or 1 within 4e-11. */
const LIMIT = 24;
let table: Float64Array | null = null;

/** Sigmoid at (i / STEPS - LIMIT), i = 0 .. 2 * LIMIT * STEPS (+1 guard entry for interpolation). */
function sigmoidTable(): Float64Array {
  if (table) return table;
  const n = 2 * LIMIT * STEPS + 2;
  table = new Float64Array(n);
  for (let i = 0; i < n; i++) table[i] = 1 / (1 + Math.exp(-(i / STEPS - LIMIT)));
  return table;
}

/** The sigmoid by table and linear interpolation (see `sigmoidTable`); NaN stays NaN. */
export function fastSigmoid(z: number): number {
  const t = sigmoidTable();
  if (z <= -LIMIT) return 0;
  if (z >= LIMIT) return 1;
  const u = (z + LIMIT) * STEPS;
  const i = u | 0;
  return t[i]! + (t[i + 1]! - t[i]!) * (u - i);
}

/**
 * dst[d + x] += p * sigmoid(z(x)) for x0 <= x < x1, z interpolated between the rows `tops` and
 * `bots` (from offset o) by `wy`. This runs once per computed query and pixel, so `fastSigmoid` is
 * inlined here.
 */
export function addSigmoids(
  tops: Float64Array,
  bots: Float64Array,
  o: number,
  x0: number,
  x1: number,
  wy: number,
  p: number,
  dst: Float32Array,
  d: number,
): void {
  const sig = sigmoidTable();
  // Stretches of one logit (a saturated or flat mask) reuse the last value: the same number.
  let last = Number.NaN,
    ps = 0;
  for (let x = x0; x < x1; x++) {
    const top = tops[o + x]!;
    const z = top + (bots[o + x]! - top) * wy;
    if (z !== last) {
      last = z;
      let s: number;
      if (z <= -LIMIT) s = 0;
      else if (z >= LIMIT) s = 1;
      else {
        const u = (z + LIMIT) * STEPS;
        const i = u | 0;
        const t0 = sig[i]!;
        s = t0 + (sig[i + 1]! - t0) * (u - i);
      }
      ps = p * s;
    }
    dst[d + x] += ps;
  }
}
