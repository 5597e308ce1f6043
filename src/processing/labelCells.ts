/**
 * The cells of `upsampleLabelMap` (two source rows by two source columns) grouped into runs of
 * output columns that are decided alike, from run-length codes of the source rows: a pair of rows
 * costs its number of label (and threshold side) changes, not its width.
 */

/** Cell code: its pixels search the four neighbours' labels one by one. */
export const MIX = -1;
/** Cell code of four labels `a` whose threshold is decided per pixel (codes >= 0 fill that label). */
const one = (a: number) => -1 - a;

/** Reused between calls: the label maps of one stream have one size, and these can be large. */
let boundBuffer = new Int32Array(0);
let runKeyBuffer = new Int32Array(0);

/**
 * The code of a cell from its four corner keys (label << 2 | threshold side, 0 for label 0): the
 * per-pixel definition's shortcuts, decided once. Side 1 is "best score >= threshold", 2 "below",
 * 0 neither (NaN, or no best scores): four equal labels all on side 1 are that label, all on side 2
 * or label 0 are 0, otherwise the label's own score decides per pixel; unequal labels search.
 */
function code4(a: number, b: number, c: number, d: number): number {
  const l = a >> 2;
  if (l !== b >> 2 || l !== c >> 2 || l !== d >> 2) return MIX;
  if (l === 0) return 0;
  const side = a & b & c & d & 3;
  return side === 1 ? l : side === 2 ? 0 : one(l);
}

export class LabelCells {
  /** Runs of the last pair of rows: filled ones (label `fillL`) and those decided per pixel. */
  nfill = 0;
  readonly fillX0: Int32Array;
  readonly fillX1: Int32Array;
  readonly fillL: Int32Array;
  npix = 0;
  readonly pixX0: Int32Array;
  readonly pixX1: Int32Array;
  readonly pixCode: Int32Array;
  /**
   * Run-length codes of the rows' keys: the columns x > 0 where a row's key changes (row r's at
   * rowB[r] .. rowB[r + 1] - 1), the key from there on, and each row's first key.
   */
  private bounds: Int32Array;
  private runKey: Int32Array;
  private rowB: Int32Array;
  private rowFirst: Int32Array;
  /** First output column of each cell (the cell of source columns j, j + 1), and W at the end. */
  private cs: Int32Array;
  private runCode = 0;
  private runX0 = 0;
  private runX1 = 0;

  private P: number;
  private y0 = 0;
  private y1 = 0;

  constructor(
    src: Uint16Array,
    bestScores: Float32Array | undefined,
    private threshold: number,
    /** Class planes [C, h * w], for the cells decided by their label's own scores. */
    private semseg: Float32Array,
    h: number,
    private w: number,
    W: number,
    /** Left source column of each output column (non-decreasing). */
    xa: Int32Array,
  ) {
    const P = (this.P = h * w);
    if (boundBuffer.length < P) {
      boundBuffer = new Int32Array(P);
      runKeyBuffer = new Int32Array(P);
    }
    const bounds = (this.bounds = boundBuffer);
    const runKey = (this.runKey = runKeyBuffer);
    const rowB = (this.rowB = new Int32Array(h + 1));
    const rowFirst = (this.rowFirst = new Int32Array(h));
    const keys = new Int32Array(w);
    let nb = 0;
    for (let r = 0; r < h; r++) {
      const o = r * w;
      // Two tight passes (a row's keys, then their changes) run faster than one with both.
      if (bestScores)
        for (let x = 0; x < w; x++) {
          const l = src[o + x]!,
            s = bestScores[o + x]!;
          keys[x] = l === 0 ? 0 : (l << 2) | (s >= threshold ? 1 : s < threshold ? 2 : 0);
        }
      else for (let x = 0; x < w; x++) keys[x] = src[o + x]! << 2;
      let last = (rowFirst[r] = keys[0]!);
      for (let x = 1; x < w; x++) {
        const k = keys[x]!;
        if (k !== last) {
          bounds[nb] = x;
          runKey[nb++] = last = k;
        }
      }
      rowB[r + 1] = nb;
    }
    this.cs = new Int32Array(w + 1);
    for (let j = 0, x = 0; j <= w; j++) {
      while (x < W && xa[x]! < j) x++;
      this.cs[j] = x;
    }
    // Runs are non-empty column ranges: at most W per pair.
    const n = W;
    this.fillX0 = new Int32Array(n);
    this.fillX1 = new Int32Array(n);
    this.fillL = new Int32Array(n);
    this.pixX0 = new Int32Array(n);
    this.pixX1 = new Int32Array(n);
    this.pixCode = new Int32Array(n);
  }

  /** The runs of the cells between source rows y0 and y1. */
  pair(y0: number, y1: number): void {
    const { w, bounds, runKey, rowB } = this;
    let i = rowB[y0]!,
      j = rowB[y1]!;
    const iEnd = rowB[y0 + 1]!,
      jEnd = rowB[y1 + 1]!;
    let ka = this.rowFirst[y0]!,
      kb = this.rowFirst[y1]!;
    this.nfill = this.npix = 0;
    this.runX0 = this.runX1 = 0;
    this.y0 = y0;
    this.y1 = y1;
    // Between consecutive changes of either row, both rows hold one key each (ka, kb): the cells
    // there are one code; the cell across a change (columns q - 1, q) is decided from its corners.
    for (let p = 0; p < w;) {
      const b0 = i < iEnd ? bounds[i]! : w,
        b1 = j < jEnd ? bounds[j]! : w;
      const q = b0 < b1 ? b0 : b1;
      const code = code4(ka, ka, kb, kb);
      if (q === w) {
        this.cells(code, p, w);
        break;
      }
      const na = b0 === q ? runKey[i++]! : ka,
        nb = b1 === q ? runKey[j++]! : kb;
      this.cells(code, p, q - 1);
      this.cells(code4(ka, na, kb, nb), q - 1, q);
      ka = na;
      kb = nb;
      p = q;
    }
    this.flush();
  }

  /**
   * Cells j0 .. j1 - 1 get `code`; those of one label whose threshold is open are decided here when
   * their four scores of that label are clearly on one side of it. The pixel's score is computed
   * in float64 from float32 scores by bilinear weights in [0, 1]: it is within 15 * M * 2^-53 of the
   * exact interpolation (M the largest absolute score), which lies between the four scores; a
   * margin of M * 2^-44 (+ 2^-1000 for underflow) keeps every pixel of the cell on that side, so the
   * per-pixel answer is known. Non-finite scores are left to the pixels.
   */
  private cells(code: number, j0: number, j1: number): void {
    const { cs, w } = this;
    if (code >= MIX) {
      this.emit(code, cs[j0]!, cs[j1]!);
      return;
    }
    const l = -1 - code,
      t = this.threshold,
      sc = this.semseg;
    const b = (l - 1) * this.P,
      r0 = b + this.y0 * w,
      r1 = b + this.y1 * w;
    for (let j = j0; j < j1; j++) {
      const x0 = cs[j]!,
        x1 = cs[j + 1]!;
      if (x0 === x1) continue;
      const k = j + 1 < w ? j + 1 : j;
      const a = sc[r0 + j]!,
        bb = sc[r0 + k]!,
        c = sc[r1 + j]!,
        d = sc[r1 + k]!;
      let cell = code;
      // x - x is 0 for finite x only (NaN for NaN and infinities).
      if (a - a === 0 && bb - bb === 0 && c - c === 0 && d - d === 0) {
        // Plain comparisons: Math.min / Math.max of four cost more than the rest of the cell.
        const lo0 = a < bb ? a : bb,
          lo1 = c < d ? c : d,
          hi0 = a < bb ? bb : a,
          hi1 = c < d ? d : c;
        const lo = lo0 < lo1 ? lo0 : lo1,
          hi = hi0 < hi1 ? hi1 : hi0;
        const m = -lo > hi ? -lo : hi;
        const eps = m * 2 ** -44 + 2 ** -1000;
        if (lo - t >= eps) cell = l;
        else if (t - hi >= eps) cell = 0;
      }
      this.emit(cell, x0, x1);
    }
  }

  /** Output columns x0 .. x1 - 1 get `code`: joined to the open run when it continues it. */
  private emit(code: number, x0: number, x1: number): void {
    if (x0 >= x1) return;
    if (code === this.runCode && x0 === this.runX1) {
      this.runX1 = x1;
      return;
    }
    this.flush();
    this.runCode = code;
    this.runX0 = x0;
    this.runX1 = x1;
  }

  private flush(): void {
    if (this.runX1 <= this.runX0) return;
    if (this.runCode >= 0) {
      this.fillX0[this.nfill] = this.runX0;
      this.fillX1[this.nfill] = this.runX1;
      this.fillL[this.nfill++] = this.runCode;
    } else {
      this.pixX0[this.npix] = this.runX0;
      this.pixX1[this.npix] = this.runX1;
      this.pixCode[this.npix++] = this.runCode;
    }
  }
}
