/**
 * GKC's per-pixel class scores in one pass: upsample each query's mask logits bilinearly (PyTorch
 * `align_corners=False`), sigmoid, weight by p(q, c) and sum over queries, then smooth and argmax.
 *
 * It computes what `einsumQC(probs, sigmoidInPlace(upsamplePlanes(masks, ...)))` followed by
 * `argmaxLabels` computes, summing in the same order, but row by row: a [Q, H, W] buffer of upsampled
 * masks is never allocated, each output row is still in cache when its classes are summed and
 * compared, a mask row is interpolated horizontally once for all the output rows that use it, and
 * pairs (q, c) whose p(q, c) is under `MIN_PROB` (the einsum's own cut-off) cost nothing; a query with
 * no such pair is not even upsampled. The sigmoid comes from a table (`sigmoidTable`): the one
 * approximation, under 5e-8 per value, below float32's resolution near 1.
 */
import { bilinearAxis } from './resize';

/** p(q, c) under this adds nothing to the einsum (the reference `einsumQC` skips it too). */
export const MIN_PROB = 1e-7;

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

/** Table step: 1/512 keeps linear interpolation of the sigmoid within h^2/8 * max|s''| < 5e-8. */
export const STEPS = 512;
/** Beyond +-LIMIT the sigmoid is 0 or 1 within 4e-11. */
export const LIMIT = 24;
let table: Float64Array | null = null;

/** Sigmoid at (i / STEPS - LIMIT), i = 0 .. 2 * LIMIT * STEPS (+1 guard entry for interpolation). */
export function sigmoidTable(): Float64Array {
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

/** The same source rows/columns and weights as `upsamplePlanes` (one definition: `bilinearAxis`). */
const axis = bilinearAxis;

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

/**
 * The two mask rows an output row interpolates between, for every active query, interpolated
 * horizontally (float64, like the reference's intermediate) and kept while the output rows use the
 * same pair: `z(a, x) = tops[a*W+x] + (bots[a*W+x] - tops[a*W+x]) * wy` is the upsampled logit.
 */
export class MaskRows {
  tops: Float64Array;
  bots: Float64Array;
  readonly ys: ReturnType<typeof axis>;
  private xs: ReturnType<typeof axis>;
  private row0 = -1;
  private row1 = -1;

  constructor(
    private masks: Float32Array,
    private queries: Int32Array,
    private h: number,
    private w: number,
    H: number,
    private W: number,
  ) {
    this.tops = new Float64Array(queries.length * W);
    this.bots = new Float64Array(queries.length * W);
    this.ys = axis(h, H);
    this.xs = axis(w, W);
  }

  /** Makes tops/bots hold output row y's mask rows; returns its vertical weight. */
  at(y: number): number {
    const m0 = this.ys.i0[y]!,
      m1 = this.ys.i1[y]!;
    if (m0 !== this.row0 || m1 !== this.row1) {
      // Going down, the old bottom row is usually the new top one.
      if (m0 === this.row1) [this.tops, this.bots] = [this.bots, this.tops];
      else this.horizontal(this.tops, m0);
      if (m1 === m0) this.bots.set(this.tops);
      else this.horizontal(this.bots, m1);
      this.row0 = m0;
      this.row1 = m1;
    }
    return this.ys.f[y]!;
  }

  private horizontal(dst: Float64Array, row: number): void {
    const { masks, W } = this;
    const { i0, i1, f } = this.xs;
    const hw = this.h * this.w;
    for (let a = 0; a < this.queries.length; a++) {
      const m = this.queries[a]! * hw + row * this.w;
      const o = a * W;
      for (let x = 0; x < W; x++) {
        const x0 = m + i0[x]!;
        dst[o + x] = masks[x0]! + (masks[m + i1[x]!]! - masks[x0]!) * f[x]!;
      }
    }
  }
}

/**
 * dst[d + x] += p * sigmoid(z(x)) for one output row of one query, z interpolated between the mask
 * rows `tops` and `bots` (from offset o) by `wy`: the loop that runs once per computed query and
 * pixel, so `fastSigmoid` is inlined.
 */
function addSigmoids(
  tops: Float64Array,
  bots: Float64Array,
  o: number,
  wy: number,
  W: number,
  p: number,
  dst: Float32Array,
  d: number,
): void {
  const sig = sigmoidTable();
  // Flat stretches of a mask (a query's background, saturated logits) repeat the last logit exactly:
  // its weighted sigmoid is reused, the same number the table would give again.
  let last = Number.NaN,
    ps = 0;
  for (let x = 0; x < W; x++) {
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

export function querySemseg(inp: QuerySemsegInput): QuerySemseg {
  const { probs, masks, Q, C, h, w, H, W } = inp;
  const P = H * W;
  const pairs = activePairs(probs, Q, C, inp.budget ?? DROP_BUDGET);
  const pc = pairs.cls,
    pp = pairs.prob,
    pairStart = pairs.start;
  const nq = pairs.queries.length;
  const rows = new MaskRows(masks, pairs.queries, h, w, H, W);
  // Class rows are summed in place (a new array is zero): no per-row buffer to clear and copy.
  const semseg = new Float32Array(C * P);
  const labels = new Uint16Array(P);
  const scores = new Float32Array(P);
  const row = new Float32Array(W);
  const prev = inp.previous && inp.previous.length === semseg.length ? inp.previous : null;
  const k = inp.history ?? 0;
  for (let y = 0; y < H; y++) {
    const wy = rows.at(y);
    const { tops, bots } = rows;
    const ro = y * W;
    for (let a = 0; a < nq; a++) {
      const o = a * W;
      const j0 = pairStart[a]!,
        j1 = pairStart[a + 1]!;
      // One pair (the usual case: a query means one class): summed straight into the class row.
      if (j1 - j0 === 1) addSigmoids(tops, bots, o, wy, W, pp[j0]!, semseg, pc[j0]! * P + ro);
      else {
        row.fill(0);
        addSigmoids(tops, bots, o, wy, W, 1, row, 0);
        for (let j = j0; j < j1; j++) {
          const pj = pp[j]!;
          const d = pc[j]! * P + ro;
          for (let x = 0; x < W; x++) semseg[d + x] += pj * row[x]!;
        }
      }
    }
    if (prev && k > 0)
      for (let c = 0; c < C; c++) {
        const g = c * P + ro;
        for (let x = 0; x < W; x++) semseg[g + x] = k * prev[g + x]! + (1 - k) * semseg[g + x]!;
      }
    scores.fill(-Infinity, ro, ro + W);
    for (let c = 0; c < C; c++) {
      const g = c * P + ro;
      for (let x = 0; x < W; x++) {
        const s = semseg[g + x]!;
        if (s > scores[ro + x]!) {
          scores[ro + x] = s;
          labels[ro + x] = c + 1;
        }
      }
    }
  }
  return { semseg, labels, scores };
}
