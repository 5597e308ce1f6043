/** Bilinear interpolation of one class's scores (plane offset `b`) between four grid cells. */
function cornerScore(
  semseg: Float32Array,
  b: number,
  i00: number,
  i01: number,
  i10: number,
  i11: number,
  wx: number,
  wy: number,
): number {
  const top = semseg[b + i00]! + (semseg[b + i01]! - semseg[b + i00]!) * wx;
  const bot = semseg[b + i10]! + (semseg[b + i11]! - semseg[b + i10]!) * wx;
  return top + (bot - top) * wy;
}

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
  /**
   * Optional: the best score at each grid pixel (its label's own score). Where the four neighbours
   * agree, the pixel's score lies between theirs, so the threshold is decided without interpolating.
   */
  bestScores?: Float32Array,
): Uint16Array {
  if (h === H && w === W) return labels;
  const P = h * w;
  const src = rawLabels ?? labels;
  const out = new Uint16Array(H * W);
  const sy = h / H,
    sx = w / W;
  // Column sources and weights, once per column rather than once per pixel (float64, as before).
  const xa = new Int32Array(W),
    xb = new Int32Array(W),
    xw = new Float64Array(W);
  for (let x = 0; x < W; x++) {
    const fx = Math.max(0, (x + 0.5) * sx - 0.5);
    xa[x] = Math.min(Math.floor(fx), w - 1);
    xb[x] = Math.min(xa[x]! + 1, w - 1);
    xw[x] = fx - xa[x]!;
  }
  for (let y = 0; y < H; y++) {
    const fy = Math.max(0, (y + 0.5) * sy - 0.5);
    const y0 = Math.min(Math.floor(fy), h - 1);
    const y1 = Math.min(y0 + 1, h - 1);
    const wy = fy - y0;
    const r0 = y0 * w,
      r1 = y1 * w,
      ro = y * W;
    for (let x = 0; x < W; x++) {
      const x0 = xa[x]!,
        x1 = xb[x]!,
        wx = xw[x]!;
      const a = src[r0 + x0]!,
        b = src[r0 + x1]!,
        c = src[r1 + x0]!,
        d = src[r1 + x1]!;
      // Inside a region (four equal neighbours, most pixels) the one candidate needs no search.
      if (a === b && a === c && a === d) {
        if (a === 0) continue; // `out` is zero already
        if (bestScores) {
          const s00 = bestScores[r0 + x0]!,
            s01 = bestScores[r0 + x1]!,
            s10 = bestScores[r1 + x0]!,
            s11 = bestScores[r1 + x1]!;
          if (s00 >= threshold && s01 >= threshold && s10 >= threshold && s11 >= threshold) {
            out[ro + x] = a;
            continue;
          }
          if (s00 < threshold && s01 < threshold && s10 < threshold && s11 < threshold) continue;
        }
        out[ro + x] =
          cornerScore(semseg, (a - 1) * P, r0 + x0, r0 + x1, r1 + x0, r1 + x1, wx, wy) >= threshold ? a : 0;
        continue;
      }
      let best = 0,
        bestScore = -Infinity;
      // Candidates in the order a, b, c, d, each once, label 0 never (ties keep the first).
      for (let k = 0; k < 4; k++) {
        const l = k === 0 ? a : k === 1 ? b : k === 2 ? c : d;
        if (l === 0 || (k > 0 && l === a) || (k > 1 && l === b) || (k > 2 && l === c)) continue;
        const s = cornerScore(semseg, (l - 1) * P, r0 + x0, r0 + x1, r1 + x0, r1 + x1, wx, wy);
        if (s > bestScore) {
          bestScore = s;
          best = l;
        }
      }
      out[ro + x] = bestScore >= threshold ? best : 0;
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
