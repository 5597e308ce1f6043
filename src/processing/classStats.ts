/**
 * Each label's mean score over its pixels: the legend's counterpart of the pointer read-out (which
 * gives the score at one pixel), so keyboard and screen-reader users read how sure the model is of
 * each class. Scores are `[h, w]` best class scores, sampled nearest at each of the `W` x `H`
 * label-map pixels, as `sampleNearest` does. Index 0 is "unlabelled"; NaN where a label has no pixel.
 */
export function meanScoreByLabel(
  labels: Uint16Array,
  W: number,
  H: number,
  scores: Float32Array,
  w: number,
  h: number,
  labelCount: number,
): Float64Array {
  const sum = new Float64Array(labelCount);
  const n = new Float64Array(labelCount);
  const col = Int32Array.from({ length: W }, (_, x) => Math.min(w - 1, Math.floor(((x + 0.5) * w) / W)));
  for (let y = 0; y < H; y++) {
    const row = Math.min(h - 1, Math.floor(((y + 0.5) * h) / H)) * w;
    for (let x = 0; x < W; x++) {
      const l = labels[y * W + x]!;
      if (l >= labelCount) continue;
      sum[l]! += scores[row + col[x]!]!;
      n[l]!++;
    }
  }
  for (let l = 0; l < labelCount; l++) sum[l] = n[l] ? sum[l]! / n[l]! : NaN;
  return sum;
}
