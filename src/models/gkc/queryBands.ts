/**
 * One band of `querySemseg`'s output: the output rows that interpolate between the same two mask
 * rows. Over a mask cell whose four corner logits are equal, the upsampled logit is that value
 * exactly (an interpolation of equal numbers), so its weighted sigmoid is computed once per cell and
 * band, on the mask grid, instead of once per pixel: a query's background or a saturated region
 * costs nothing per pixel. The other cells get their two mask rows interpolated horizontally, for
 * the per-pixel pass (`addSigmoids`).
 */
import { bilinearAxis } from '../../processing/resize';
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
  /** Column segments (mask cells), in column order: `segX0[s]` .. `segX0[s + 1]` - 1. */
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
  /**
   * Per active query and mask row: whether the row is one value (`rowValue`). A band between two
   * such rows of the same value is flat in every cell: a query's background, most of the time.
   */
  private rowFlat: Uint8Array;
  private rowValue: Float32Array;
  /** `cst` of the band that `cstRow`, `bestLabel` and `bestScore` were computed from. */
  private lastCst: Float64Array;
  private acc: Float64Array;
  private uni: Uint8Array;
  private hasLast = false;
  /** One view per class row of `cstRow`, made once (a view per output row is garbage). */
  readonly cstRows: Float32Array[];

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
    const x0: number[] = [];
    for (let x = 0; x < W; x++) if (x === 0 || i0[x] !== i0[x - 1] || i1[x] !== i1[x - 1]) x0.push(x);
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
    this.lastCst = new Float64Array(C * this.nseg);
    this.acc = new Float64Array(C);
    this.uni = new Uint8Array(C);
    this.cstRows = Array.from({ length: C }, (_, c) => this.cstRow.subarray(c * W, c * W + W));
    this.rowFlat = new Uint8Array(nq * h);
    this.rowValue = new Float32Array(nq * h);
    // Compared as bit patterns (cheaper than float compares): equal bits are equal numbers unless
    // NaN, which is never flat (NaN equals nothing, as in the per-cell test); a row of +0 and -0
    // is equal as numbers but not flat here, which only sends it to the per-cell test.
    const bits = new Int32Array(masks.buffer, masks.byteOffset, masks.length);
    for (let a = 0; a < nq; a++)
      for (let y = 0; y < h; y++) {
        const r = pairs.queries[a]! * h * w + y * w;
        const v = bits[r]!;
        let x = 1;
        while (x < w && bits[r + x] === v) x++;
        this.rowFlat[a * h + y] = x === w && masks[r] === masks[r] ? 1 : 0;
        this.rowValue[a * h + y] = masks[r]!;
      }
  }

  /** Prepares the band between mask rows m0 and m1. */
  band(m0: number, m1: number): void {
    const { masks, w, W, nseg, segX0, cst, tops, bots, runX0, runX1 } = this;
    const { queries, start, cls, prob } = this.pairs;
    const { i0, i1, f } = this.xs;
    const hw = this.h * w;
    // Each class's sums are one number for every segment (`acc`) until a query of the class is
    // flat in some cells only: most classes never leave that state in a band.
    const { acc, uni } = this;
    acc.fill(0);
    uni.fill(1);
    const segDirty = this.segDirty;
    segDirty.fill(0);
    let nr = 0;
    const { rowFlat, rowValue, h } = this;
    for (let a = 0; a < queries.length; a++) {
      const r0 = queries[a]! * hw + m0 * w,
        r1 = queries[a]! * hw + m1 * w;
      const o = a * W;
      this.runStart[a] = nr;
      const f0 = a * h + m0,
        f1 = a * h + m1;
      if (rowFlat[f0] && rowFlat[f1] && rowValue[f0] === rowValue[f1]) {
        // Every cell flat at one value: the per-cell sums below, in the same order, without the tests.
        const sv = fastSigmoid(rowValue[f0]!);
        for (let j = start[a]!; j < start[a + 1]!; j++) {
          const ps = prob[j]! * sv,
            c = cls[j]!,
            cb = c * nseg;
          if (uni[c]) acc[c] += ps;
          else for (let s = 0; s < nseg; s++) cst[cb + s] += ps;
        }
        continue;
      }
      for (let j = start[a]!; j < start[a + 1]!; j++) {
        const c = cls[j]!;
        if (!uni[c]) continue;
        cst.fill(acc[c]!, c * nseg, c * nseg + nseg);
        uni[c] = 0;
      }
      let open = -1,
        lastV = Number.NaN,
        sv = 0;
      // A query of one class (the usual case) adds without the loop over its pairs.
      const j0 = start[a]!,
        j1 = start[a + 1]!;
      const p0 = prob[j0]!,
        cb0 = cls[j0]! * nseg;
      for (let s = 0; s < nseg; s++) {
        const xa = segX0[s]!,
          xb = segX0[s + 1]!;
        const n0 = i0[xa]!,
          n1 = i1[xa]!;
        const v = masks[r0 + n0]!;
        if (v === masks[r0 + n1] && v === masks[r1 + n0] && v === masks[r1 + n1]) {
          // A query's background is mostly one value: its sigmoid is looked up once.
          if (v !== lastV) sv = fastSigmoid((lastV = v));
          if (j1 - j0 === 1) cst[cb0 + s] += p0 * sv;
          else for (let j = j0; j < j1; j++) cst[cls[j]! * nseg + s] += prob[j]! * sv;
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
    for (let c = 0; c < this.C; c++) if (uni[c]) cst.fill(acc[c]!, c * nseg, c * nseg + nseg);
    this.finish();
  }

  /** Column-wise constants and their argmax where `cst` changed, and the dirty runs. */
  private finish(): void {
    const { C, W, nseg, cst, lastCst, cstRow, segX0, bestLabel, bestScore } = this;
    for (let s = 0; s < nseg; s++) {
      // A segment whose constants are the last band's keeps its columns: away from every query's
      // edges, most of them.
      if (this.hasLast) {
        let c = 0;
        while (c < C && cst[c * nseg + s] === lastCst[c * nseg + s]) c++;
        if (c === C) continue;
      }
      const x0 = segX0[s]!,
        x1 = segX0[s + 1]!;
      // The per-column argmax on the same float32 values (class order, strictly better), once per
      // segment since its columns hold equal values.
      let best = 0,
        bestV = -Infinity;
      for (let c = 0; c < C; c++) {
        const i = c * nseg + s;
        const v = Math.fround((lastCst[i] = cst[i]!));
        // Segments are a few columns wide: a loop costs less than a call to fill.
        for (let x = c * W + x0; x < c * W + x1; x++) cstRow[x] = v;
        if (v > bestV) {
          bestV = v;
          best = c + 1;
        }
      }
      for (let x = x0; x < x1; x++) {
        bestLabel[x] = best;
        bestScore[x] = bestV;
      }
    }
    this.hasLast = true;
    this.dirtyRuns();
  }

  private dirtyRuns(): void {
    const { nseg, segDirty, segX0 } = this;
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
