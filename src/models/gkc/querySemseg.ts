/**
 * GKC's per-pixel class scores in one pass: upsample each query's mask logits bilinearly (PyTorch
 * `align_corners=False`), sigmoid, weight by p(q, c) and sum over queries, then smooth and argmax.
 *
 * It computes what `einsumQC(probs, sigmoidInPlace(upsamplePlanes(masks, ...)))` followed by
 * `argmaxLabels` computes, but row by row and only where it changes something:
 * - no [Q, H, W] buffer: each output row is summed, smoothed and compared while in cache;
 * - pairs (q, c) under `MIN_PROB` (the einsum's own cut-off) and, within `DROP_BUDGET`, the smallest
 *   others cost nothing: a query with no pair left (void) is not even upsampled;
 * - on the mask grid where that is exact: a mask cell whose four corner logits are equal has that
 *   logit at every pixel it covers, so its weighted sigmoid is summed once per band of output rows
 *   (`MaskBands`), and the argmax of columns where every query is flat is taken once per band;
 * - the sigmoid comes from a table (`querySigmoid`): under 5e-8 per value, below float32's
 *   resolution near 1.
 * With `budget: 0` the result is the reference's within float32 rounding of the sums' order.
 */
import { MaskBands } from './queryBands';
import { addSigmoids } from './querySigmoid';
import { blendInto, smoothingApplies } from '../../processing/smoothing';

/** p(q, c) under this adds nothing to the einsum (the reference `einsumQC` skips it too). */
const MIN_PROB = 1e-7;

export interface QuerySemsegInput {
  /** [Q, C] class probabilities per query. */
  probs: Float32Array;
  /** [Q, h, w] mask logits. */
  masks: Float32Array;
  Q: number;
  C: number;
  h: number;
  w: number;
  /** Score resolution. */
  H: number;
  W: number;
  /** Live video: scores become `history * previous + (1 - history) * current` (same layout). */
  previous?: Float32Array | null | undefined;
  history?: number | undefined;
  /** See `activePairs` (default DROP_BUDGET). */
  budget?: number | undefined;
}

export interface QuerySemseg {
  /** [C, H*W] class scores. */
  semseg: Float32Array;
  /** Argmax label per pixel (k + 1 = class k), no threshold applied. */
  labels: Uint16Array;
  /** Best class score per pixel. */
  scores: Float32Array;
}

export { fastSigmoid } from './querySigmoid';

/**
 * Largest change to any class score that dropping small pairs may cause (absolute; scores run from 0
 * to about the number of queries of a class). Far below what the goldens tolerate (semseg within
 * 1e-4, labels on >= 99.5 % of pixels); labels can only move where two classes tie within it.
 */
export const DROP_BUDGET = 1e-5;

/** The (query, class) pairs that are computed, grouped by query, queries ascending. */
export interface ActivePairs {
  /** Active queries (with at least one pair). */
  queries: Int32Array;
  /** Pairs of active query a: start[a] .. start[a + 1] - 1. */
  start: Int32Array;
  cls: Int32Array;
  prob: Float32Array;
}

/**
 * Pairs with p(q, c) >= MIN_PROB, less the smallest ones of each class while their sum stays within
 * `budget`: a sigmoid is at most 1, so class c's score moves by at most what was dropped from it.
 * A query keeps its cost only if one of its pairs survives: in a trained model most queries go to
 * void (every p(q, c) tiny), and those cost nothing. `budget = 0` keeps every pair over MIN_PROB.
 */
export function activePairs(probs: Float32Array, Q: number, C: number, budget = DROP_BUDGET): ActivePairs {
  const keep = new Uint8Array(Q * C);
  const order: number[] = [];
  for (let c = 0; c < C; c++) {
    order.length = 0;
    for (let q = 0; q < Q; q++) if (probs[q * C + c]! >= MIN_PROB) order.push(q);
    order.sort((a, b) => probs[a * C + c]! - probs[b * C + c]!);
    let dropped = 0,
      i = 0;
    for (; i < order.length; i++) {
      const p = probs[order[i]! * C + c]!;
      if (dropped + p > budget) break;
      dropped += p;
    }
    for (; i < order.length; i++) keep[order[i]! * C + c] = 1;
  }
  const queries: number[] = [];
  const start: number[] = [];
  const cls: number[] = [];
  const prob: number[] = [];
  for (let q = 0; q < Q; q++) {
    const first = cls.length;
    for (let c = 0; c < C; c++) {
      if (!keep[q * C + c]) continue;
      cls.push(c);
      prob.push(probs[q * C + c]!);
    }
    if (cls.length > first) {
      queries.push(q);
      start.push(first);
    }
  }
  start.push(cls.length);
  return {
    queries: Int32Array.from(queries),
    start: Int32Array.from(start),
    cls: Int32Array.from(cls),
    prob: Float32Array.from(prob),
  };
}

export function querySemseg(inp: QuerySemsegInput): QuerySemseg {
  const { probs, masks, Q, C, h, w, H, W } = inp;
  const P = H * W;
  const pairs = activePairs(probs, Q, C, inp.budget ?? DROP_BUDGET);
  const bands = new MaskBands(masks, pairs, C, h, w, H, W);
  const semseg = new Float32Array(C * P);
  const labels = new Uint16Array(P);
  const scores = new Float32Array(P);
  const prev = smoothingApplies(inp.previous, semseg.length, inp.history) ? inp.previous : null;
  scoreRows(bands, pairs, C, H, W, semseg, labels, scores, prev, inp.history ?? 0);
  return { semseg, labels, scores };
}

/**
 * The rows of `querySemseg`. A function of its own: the engine optimises a long loop while it
 * runs, and code after such a loop that had never run then sends every later call back to the
 * interpreter at its end.
 */
function scoreRows(
  bands: MaskBands,
  pairs: ActivePairs,
  C: number,
  H: number,
  W: number,
  semseg: Float32Array,
  labels: Uint16Array,
  scores: Float32Array,
  prev: ArrayLike<number> | null,
  k: number,
): void {
  const P = H * W;
  const pc = pairs.cls,
    pp = pairs.prob,
    pairStart = pairs.start;
  const nq = pairs.queries.length;
  const { ys, cstRows, tops, bots, runStart, runX0, runX1 } = bands;
  const row = new Float32Array(W);
  let m0 = -1,
    m1 = -1;
  for (let y = 0; y < H; y++) {
    if (ys.i0[y] !== m0 || ys.i1[y] !== m1) bands.band((m0 = ys.i0[y]!), (m1 = ys.i1[y]!));
    const wy = ys.f[y]!;
    const ro = y * W;
    // The flat cells' sums start each class row; the other cells add their queries pixel by pixel.
    for (let c = 0; c < C; c++) semseg.set(cstRows[c]!, c * P + ro);
    for (let a = 0; a < nq; a++) {
      const o = a * W;
      const j0 = pairStart[a]!,
        j1 = pairStart[a + 1]!;
      for (let r = runStart[a]!; r < runStart[a + 1]!; r++) {
        const x0 = runX0[r]!,
          x1 = runX1[r]!;
        // One pair (the usual case: a query means one class): summed straight into the class row.
        if (j1 - j0 === 1) addSigmoids(tops, bots, o, x0, x1, wy, pp[j0]!, semseg, pc[j0]! * P + ro);
        else {
          row.fill(0, x0, x1);
          addSigmoids(tops, bots, o, x0, x1, wy, 1, row, 0);
          for (let j = j0; j < j1; j++) {
            const pj = pp[j]!;
            const d = pc[j]! * P + ro;
            for (let x = x0; x < x1; x++) semseg[d + x] += pj * row[x]!;
          }
        }
      }
    }
    if (prev) for (let c = 0; c < C; c++) blendInto(semseg, c * P + ro, prev, c * P + ro, W, k);
    // Where every query is flat the band's argmax holds; elsewhere (or smoothed) it is redone.
    const smoothed = prev !== null;
    if (!smoothed) {
      labels.set(bands.bestLabel, ro);
      scores.set(bands.bestScore, ro);
    }
    const nd = smoothed ? 1 : bands.dirty;
    for (let r = 0; r < nd; r++) {
      const x0 = smoothed ? 0 : bands.dirtyX0[r]!,
        x1 = smoothed ? W : bands.dirtyX1[r]!;
      // Pixel by pixel over the classes: the best stays in registers, written once.
      for (let x = x0; x < x1; x++) {
        let best = 0,
          bestScore = -Infinity;
        for (let g = ro + x, c = 1; c <= C; c++, g += P) {
          const s = semseg[g]!;
          if (s > bestScore) {
            bestScore = s;
            best = c;
          }
        }
        scores[ro + x] = bestScore;
        labels[ro + x] = best;
      }
    }
  }
}

/**
 * The probabilities `querySemseg` sums with, as a [C, Q] matrix (transposed, for a MatMul over
 * queries): p(q, c) where `activePairs` keeps the pair, 0 where it leaves it out. A graph that sums
 * every pair of this matrix drops what `querySemseg` drops.
 */
export function pairWeights(probs: Float32Array, Q: number, C: number, budget = DROP_BUDGET): Float32Array {
  const { queries, start, cls, prob } = activePairs(probs, Q, C, budget);
  const out = new Float32Array(C * Q);
  for (let a = 0; a < queries.length; a++)
    for (let j = start[a]!; j < start[a + 1]!; j++) out[cls[j]! * Q + queries[a]!] = prob[j]!;
  return out;
}
