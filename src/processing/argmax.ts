/**
 * Per-pixel argmax over [C, P] scores. Label k+1 for class k; 0 where the best score is under
 * `threshold` (unlabelled). Returns labels and the best score per pixel.
 */
export function argmaxLabels(
  semseg: Float32Array,
  C: number,
  P: number,
  threshold: number,
): { labels: Uint16Array; scores: Float32Array } {
  const labels = new Uint16Array(P);
  const scores = new Float32Array(P).fill(-Infinity);
  for (let c = 0; c < C; c++) {
    const b = c * P;
    for (let i = 0; i < P; i++) {
      const s = semseg[b + i]!;
      if (s > scores[i]!) {
        scores[i] = s;
        labels[i] = c + 1;
      }
    }
  }
  if (threshold > 0) for (let i = 0; i < P; i++) if (scores[i]! < threshold) labels[i] = 0;
  return { labels, scores };
}
