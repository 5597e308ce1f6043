/**
 * Maps a label map computed at the score resolution (h, w) to the image size (H, W).
 * Each output pixel bilinearly interpolates the scores of the (at most four) classes that win at its
 * four source neighbours and keeps the best: the same answer as interpolating every class and taking
 * the argmax whenever the winner is among its neighbours' winners, at a cost independent of the
 * number of classes.
 */
export function upsampleLabels(
  labels: Uint16Array,
  semseg: Float32Array,
  h: number,
  w: number,
  H: number,
  W: number,
  threshold: number,
  /** Class scores that belong to label 0 pixels are still the class's own scores. */
  rawLabels?: Uint16Array,
): Uint16Array {
  if (h === H && w === W) return labels;
  const P = h * w;
  const src = rawLabels ?? labels;
  const out = new Uint16Array(H * W);
  const sy = h / H,
    sx = w / W;
  const cand = new Int32Array(4);
  for (let y = 0; y < H; y++) {
    const fy = Math.max(0, (y + 0.5) * sy - 0.5);
    const y0 = Math.min(Math.floor(fy), h - 1);
    const y1 = Math.min(y0 + 1, h - 1);
    const wy = fy - y0;
    for (let x = 0; x < W; x++) {
      const fx = Math.max(0, (x + 0.5) * sx - 0.5);
      const x0 = Math.min(Math.floor(fx), w - 1);
      const x1 = Math.min(x0 + 1, w - 1);
      const wx = fx - x0;
      const i00 = y0 * w + x0,
        i01 = y0 * w + x1,
        i10 = y1 * w + x0,
        i11 = y1 * w + x1;
      cand[0] = src[i00]!;
      cand[1] = src[i01]!;
      cand[2] = src[i10]!;
      cand[3] = src[i11]!;
      let best = 0,
        bestScore = -Infinity;
      for (let k = 0; k < 4; k++) {
        const l = cand[k]!;
        if (l === 0 || (k > 0 && cand.indexOf(l) < k)) continue;
        const b = (l - 1) * P;
        const top = semseg[b + i00]! + (semseg[b + i01]! - semseg[b + i00]!) * wx;
        const bot = semseg[b + i10]! + (semseg[b + i11]! - semseg[b + i10]!) * wx;
        const s = top + (bot - top) * wy;
        if (s > bestScore) {
          bestScore = s;
          best = l;
        }
      }
      out[y * W + x] = bestScore >= threshold ? best : 0;
    }
  }
  return out;
}

/** Pixel count per label (index 0 = unlabelled). */
export function labelHistogram(labels: Uint16Array, numLabels: number): Uint32Array {
  const counts = new Uint32Array(numLabels);
  for (let i = 0; i < labels.length; i++) counts[labels[i]!]!++;
  return counts;
}

/** Nearest-neighbour resampling of a float map (hover scores at image coordinates). */
export function sampleNearest(
  map: Float32Array,
  h: number,
  w: number,
  x: number,
  y: number,
  W: number,
  H: number,
): number {
  const sx = Math.min(w - 1, Math.max(0, Math.floor(((x + 0.5) * w) / W)));
  const sy = Math.min(h - 1, Math.max(0, Math.floor(((y + 0.5) * h) / H)));
  return map[sy * w + sx]!;
}
