/**
 * One band of `querySemseg`'s output: the output rows that interpolate between the same two mask
 * rows. Over a mask cell whose four corner logits are equal, the upsampled logit is that value
 * exactly (an interpolation of equal numbers), so its weighted sigmoid is computed once per cell and
 * band, on the mask grid, instead of once per pixel: a query's background or a saturated region
 * costs nothing per pixel. The other cells get their two mask rows interpolated horizontally, for
 * the per-pixel pass (`addSigmoids`).
 */
import { bilinearAxis } from './resize';
import { fastSigmoid } from './querySigmoid';

/** The pairs (query, class) computed, grouped by query (see `activePairs`). */
export interface BandPairs {
  queries: Int32Array;
  start: Int32Array;
  cls: Int32Array;
  prob: Float32Array;
}

export class MaskBands {
  /** Output rows and columns: source indices and weights (`upsamplePlanes`'s, one definition). */
  readonly ys: ReturnType<typeof bilinearAxis>;
  readonly xs: ReturnType<typeof bilinearAxis>;
  /** Column segment (mask cell) of each output column; segments in column order. */
  readonly segOf: Int32Array;
  readonly nseg: number;
  private segX0: Int32Array;
  /** Sum over flat (query, cell) of p(q, c) * sigmoid: [C, nseg], for the current band. */
  readonly cst: Float64Array;
  /** The same per output column, [C, W]: how every class row of the band starts. */
  readonly cstRow: Float32Array;
  /** Argmax of `cstRow` per column: the answer where no query has a non-flat cell. */
  readonly bestLabel: Uint16Array;
  readonly bestScore: Float32Array;
  /** Runs of columns where some query is not flat (the argmax must be redone there). */
  dirty = 0;
  readonly dirtyX0: Int32Array;
  readonly dirtyX1: Int32Array;
  private segDirty: Uint8Array;
  /** Horizontally interpolated mask rows of the non-flat cells, [active query, W]. */
  readonly tops: Float64Array;
  readonly bots: Float64Array;
  /** Runs of non-flat columns of active query a: runX0/runX1[runStart[a] .. runStart[a + 1] - 1]. */
  readonly runStart: Int32Array;
  readonly runX0: Int32Array;
  readonly runX1: Int32Array;

  private C: number;

  constructor(
    private masks: Float32Array,
    private pairs: BandPairs,
    C: number,
    private h: number,
    private w: number,
    H: number,
    private W: number,
  ) {
    this.ys = bilinearAxis(h, H);
    this.xs = bilinearAxis(w, W);
    const { i0, i1 } = this.xs;
    this.segOf = new Int32Array(W);
    const x0: number[] = [];
    for (let x = 0; x < W; x++) {
      if (x === 0 || i0[x] !== i0[x - 1] || i1[x] !== i1[x - 1]) x0.push(x);
      this.segOf[x] = x0.length - 1;
    }
    this.nseg = x0.length;
    this.segX0 = Int32Array.from([...x0, W]);
    const nq = pairs.queries.length;
    this.cst = new Float64Array(C * this.nseg);
    this.cstRow = new Float32Array(C * W);
    this.bestLabel = new Uint16Array(W);
    this.bestScore = new Float32Array(W);
    this.dirtyX0 = new Int32Array(this.nseg);
    this.dirtyX1 = new Int32Array(this.nseg);
    this.segDirty = new Uint8Array(this.nseg);
    this.C = C;
    this.tops = new Float64Array(nq * W);
    this.bots = new Float64Array(nq * W);
    this.runStart = new Int32Array(nq + 1);
    this.runX0 = new Int32Array(nq * this.nseg);
    this.runX1 = new Int32Array(nq * this.nseg);
  }

  /** Prepares the band between mask rows m0 and m1. */
  band(m0: number, m1: number): void {
    const { masks, w, W, nseg, segX0, cst, tops, bots, runX0, runX1 } = this;
    const { queries, start, cls, prob } = this.pairs;
    const { i0, i1, f } = this.xs;
    const hw = this.h * w;
    cst.fill(0);
    const segDirty = this.segDirty;
    segDirty.fill(0);
    let nr = 0;
    for (let a = 0; a < queries.length; a++) {
      const r0 = queries[a]! * hw + m0 * w,
        r1 = queries[a]! * hw + m1 * w;
      const o = a * W;
      this.runStart[a] = nr;
      let open = -1,
        lastV = Number.NaN,
        sv = 0;
      for (let s = 0; s < nseg; s++) {
        const xa = segX0[s]!,
          xb = segX0[s + 1]!;
        const n0 = i0[xa]!,
          n1 = i1[xa]!;
        const v = masks[r0 + n0]!;
        if (v === masks[r0 + n1] && v === masks[r1 + n0] && v === masks[r1 + n1]) {
          // A query's background is mostly one value: its sigmoid is looked up once.
          if (v !== lastV) sv = fastSigmoid((lastV = v));
          for (let j = start[a]!; j < start[a + 1]!; j++) cst[cls[j]! * nseg + s] += prob[j]! * sv;
          if (open >= 0) {
            runX0[nr] = open;
            runX1[nr++] = xa;
            open = -1;
          }
          continue;
        }
        if (open < 0) open = xa;
        segDirty[s] = 1;
        for (let x = xa; x < xb; x++) {
          const fx = f[x]!;
          const t0 = masks[r0 + i0[x]!]!,
            b0 = masks[r1 + i0[x]!]!;
          tops[o + x] = t0 + (masks[r0 + i1[x]!]! - t0) * fx;
          bots[o + x] = b0 + (masks[r1 + i1[x]!]! - b0) * fx;
        }
      }
      if (open >= 0) {
        runX0[nr] = open;
        runX1[nr++] = W;
      }
    }
    this.runStart[queries.length] = nr;
    this.finish();
  }

  /** Column-wise constants, their argmax, and the dirty runs, from `cst` and `segDirty`. */
  private finish(): void {
    const { C, W, nseg, cst, cstRow, segOf, bestLabel, bestScore, segDirty, segX0 } = this;
    for (let c = 0; c < C; c++) {
      const g = c * W,
        cb = c * nseg;
      for (let x = 0; x < W; x++) cstRow[g + x] = cst[cb + segOf[x]!]!;
    }
    // The same comparison as the per-pixel argmax (class order, strictly better), on the same floats.
    bestScore.fill(-Infinity);
    bestLabel.fill(0);
    for (let c = 0; c < C; c++) {
      const g = c * W;
      for (let x = 0; x < W; x++) {
        const v = cstRow[g + x]!;
        if (v > bestScore[x]!) {
          bestScore[x] = v;
          bestLabel[x] = c + 1;
        }
      }
    }
    let n = 0;
    for (let s = 0; s < nseg; s++) {
      if (!segDirty[s]) continue;
      if (n > 0 && this.dirtyX1[n - 1] === segX0[s]) this.dirtyX1[n - 1] = segX0[s + 1]!;
      else {
        this.dirtyX0[n] = segX0[s]!;
        this.dirtyX1[n++] = segX0[s + 1]!;
      }
    }
    this.dirty = n;
  }
}
