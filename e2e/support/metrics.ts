/** Comparisons between label maps, masks and reference arrays. */

/** Intersection over union of (labels === value) and a 0/1 mask. */
export function iou(labels: ArrayLike<number>, value: number, mask: ArrayLike<number>): number {
  if (labels.length !== mask.length) throw new Error(`sizes differ: ${labels.length} vs ${mask.length}`);
  let inter = 0;
  let union = 0;
  for (let i = 0; i < labels.length; i++) {
    const a = labels[i] === value;
    const b = mask[i] === 1;
    if (a && b) inter++;
    if (a || b) union++;
  }
  return union === 0 ? 1 : inter / union;
}

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`lengths differ: ${a.length} vs ${b.length}`);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

/** Share of positions where a[i] === b[i] + offset. */
export function agreement(a: ArrayLike<number>, b: ArrayLike<number>, offset = 0): number {
  if (a.length !== b.length) throw new Error(`lengths differ: ${a.length} vs ${b.length}`);
  let same = 0;
  for (let i = 0; i < a.length; i++) if (a[i] === b[i]! + offset) same++;
  return same / a.length;
}
