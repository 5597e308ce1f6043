/**
 * The per-class max over rows, shared by the families: a class with several names (or prompts) is
 * scored by its best row (GKC's rule). Rows fold into a [C, P] array that starts at -Infinity.
 */

/** A [C, P] array ready to fold rows into (a class with no row stays -Infinity). */
export const emptyClassMax = (numClasses: number, pixels: number): Float32Array =>
  new Float32Array(numClasses * pixels).fill(-Infinity);

/** Folds `P` values of `rows` from `from` into class `c`'s row of `out` [C, P]: the elementwise max. */
export function maxInto(
  out: Float32Array,
  c: number,
  rows: ArrayLike<number>,
  from: number,
  P: number,
): void {
  const dst = c * P;
  for (let i = 0; i < P; i++) if (rows[from + i]! > out[dst + i]!) out[dst + i] = rows[from + i]!;
}
