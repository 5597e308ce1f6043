import { LabelCells, MIX } from './labelCells';

/** A label map and its pixel count per label (index 0 = unlabelled). */
export interface LabelMap {
  labels: Uint16Array;
  counts: Uint32Array;
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
  return upsampleLabelMap(labels, semseg, h, w, H, W, threshold, 0, rawLabels, bestScores).labels;
}

/**
 * `upsampleLabels` with the histogram of the result (`numLabels` counts; 0 counts nothing), the
 * same pixels computed cheaper. Most output pixels lie in cells (source rows y0, y1 by columns x0,
 * x1) whose four labels agree and whose four best scores are on one side of the threshold: such a
 * cell is decided once per pair of source rows and written as a run (`fill`); an output row with
 * the same source rows as the one above is that row again (`copyWithin`) except in the cells that
 * are decided per pixel, because those depend on the row's weight. The pixels decided per pixel
 * see the same float64 operations in the same order as the per-pixel definition.
 */
export function upsampleLabelMap(
  labels: Uint16Array,
  semseg: Float32Array,
  h: number,
  w: number,
  H: number,
  W: number,
  threshold: number,
  numLabels: number,
  rawLabels?: Uint16Array,
  bestScores?: Float32Array,
): LabelMap {
  if (h === H && w === W) return { labels, counts: labelHistogram(labels, numLabels) };
  const P = h * w;
  const src = rawLabels ?? labels;
  const out = new Uint16Array(H * W);
  const counts = new Uint32Array(numLabels);
  const sy = h / H,
    sx = w / W;
  // Column sources and weights, once per column (float64, as the per-pixel definition).
  const xa = new Int32Array(W),
    xb = new Int32Array(W),
    xw = new Float64Array(W);
  for (let x = 0; x < W; x++) {
    const fx = Math.max(0, (x + 0.5) * sx - 0.5);
    xa[x] = Math.min(Math.floor(fx), w - 1);
    xb[x] = Math.min(xa[x]! + 1, w - 1);
    xw[x] = fx - xa[x]!;
  }
  const cells = new LabelCells(src, bestScores, threshold, semseg, h, w, W, xa);
  const { fillX0, fillX1, fillL, pixX0, pixX1, pixCode } = cells;
  // Per column of a `one` run: its label's scores interpolated along x on both source rows, which
  // every output row of the pair shares.
  const tops = new Float64Array(W),
    bots = new Float64Array(W);
  let py0 = -1,
    py1 = -1;
  for (let y = 0; y < H; y++) {
    const fy = Math.max(0, (y + 0.5) * sy - 0.5);
    const y0 = Math.min(Math.floor(fy), h - 1);
    const y1 = Math.min(y0 + 1, h - 1);
    const wy = fy - y0;
    const r0 = y0 * w,
      r1 = y1 * w,
      ro = y * W;
    if (y0 !== py0 || y1 !== py1) {
      py0 = y0;
      py1 = y1;
      cells.pair(y0, y1);
      for (let r = 0; r < cells.npix; r++) {
        const code = pixCode[r]!;
        if (code === MIX) continue;
        const b = (-1 - code - 1) * P;
        for (let x = pixX0[r]!; x < pixX1[r]!; x++) {
          const i0 = xa[x]!,
            i1 = xb[x]!,
            wx = xw[x]!;
          tops[x] = semseg[b + r0 + i0]! + (semseg[b + r0 + i1]! - semseg[b + r0 + i0]!) * wx;
          bots[x] = semseg[b + r1 + i0]! + (semseg[b + r1 + i1]! - semseg[b + r1 + i0]!) * wx;
        }
      }
      for (let r = 0; r < cells.nfill; r++) {
        const l = fillL[r]!;
        if (l !== 0) out.fill(l, ro + fillX0[r]!, ro + fillX1[r]!);
      }
    } else out.copyWithin(ro, ro - W, ro);
    for (let r = 0; r < cells.nfill; r++) {
      const l = fillL[r]!;
      if (l < numLabels) counts[l] += fillX1[r]! - fillX0[r]!;
    }
    for (let r = 0; r < cells.npix; r++) {
      const code = pixCode[r]!,
        x0r = pixX0[r]!,
        x1r = pixX1[r]!;
      if (code !== MIX) {
        const a = -1 - code;
        for (let x = x0r; x < x1r; x++) {
          const top = tops[x]!;
          const l = top + (bots[x]! - top) * wy >= threshold ? a : 0;
          out[ro + x] = l;
          if (l < numLabels) counts[l]++;
        }
        continue;
      }
      for (let x = x0r; x < x1r; x++) {
        const l = mixedLabel(semseg, src, P, r0, r1, xa[x]!, xb[x]!, xw[x]!, wy, threshold);
        out[ro + x] = l;
        if (l < numLabels) counts[l]++;
      }
    }
  }
  return { labels: out, counts };
}

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

/** The best of the four neighbours' labels at one pixel (a, b, c, d in order, ties keep the first). */
function mixedLabel(
  semseg: Float32Array,
  src: Uint16Array,
  P: number,
  r0: number,
  r1: number,
  x0: number,
  x1: number,
  wx: number,
  wy: number,
  threshold: number,
): number {
  const a = src[r0 + x0]!,
    b = src[r0 + x1]!,
    c = src[r1 + x0]!,
    d = src[r1 + x1]!;
  let best = 0,
    bestScore = -Infinity;
  // Candidates in the order a, b, c, d, each once, label 0 never.
  for (let k = 0; k < 4; k++) {
    const l = k === 0 ? a : k === 1 ? b : k === 2 ? c : d;
    if (l === 0 || (k > 0 && l === a) || (k > 1 && l === b) || (k > 2 && l === c)) continue;
    const s = cornerScore(semseg, (l - 1) * P, r0 + x0, r0 + x1, r1 + x0, r1 + x1, wx, wy);
    if (s > bestScore) {
      bestScore = s;
      best = l;
    }
  }
  return bestScore >= threshold ? best : 0;
}

/** Pixel count per label (index 0 = unlabelled). */
export function labelHistogram(labels: Uint16Array, numLabels: number): Uint32Array {
  const counts = new Uint32Array(numLabels);
  const n = labels.length;
  if (n === 0) return counts;
  // Label maps are runs of one label: counted a run at a time (labels >= numLabels are not counted).
  let last = labels[0]!,
    start = 0;
  for (let i = 1; i < n; i++) {
    const l = labels[i]!;
    if (l === last) continue;
    if (last < numLabels) counts[last] += i - start;
    last = l;
    start = i;
  }
  if (last < numLabels) counts[last] += n - start;
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

/** Share of positions whose label differs between two label maps of one size (live flicker). */
export function changedShare(prev: Uint16Array, next: Uint16Array): number {
  let changed = 0;
  for (let i = 0; i < prev.length; i++) if (prev[i] !== next[i]) changed++;
  return changed / prev.length;
}
