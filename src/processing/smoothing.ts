/**
 * Temporal smoothing of live frames (GKC's video setting): class scores become an exponential moving
 * average across frames, `history * previous + (1 - history) * current`. Every family smooths with
 * these, so a live stream behaves the same whatever the model.
 */

/** Whether `previous` can smooth a frame of `length` scores: same layout, and a weight above 0. */
export function smoothingApplies(
  previous: ArrayLike<number> | null | undefined,
  length: number,
  history: number | undefined,
): previous is ArrayLike<number> {
  return !!previous && previous.length === length && (history ?? 0) > 0;
}

/** `current[at .. at+n)` blended in place with `previous[from .. from+n)`. */
export function blendInto(
  current: Float32Array,
  at: number,
  previous: ArrayLike<number>,
  from: number,
  n: number,
  history: number,
): void {
  for (let x = 0; x < n; x++)
    current[at + x] = history * previous[from + x]! + (1 - history) * current[at + x]!;
}

/** Smoothed scores (a new array), or `current` itself when smoothing does not apply. */
export function smoothScores(
  current: Float32Array,
  previous: ArrayLike<number> | null | undefined,
  history: number | undefined,
): Float32Array {
  if (!smoothingApplies(previous, current.length, history)) return current;
  const out = current.slice();
  blendInto(out, 0, previous, 0, out.length, history!);
  return out;
}
