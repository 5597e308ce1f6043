/**
 * SAM's mask post-processing without upsampling every pixel. Bilinear resampling is a convex
 * combination of its taps, and the two stages compose per axis into at most 3 low-res taps per
 * picture row and column (frame.ts). So the picture is walked in tiles (`tile` x `tile` low-res
 * cells each): a tile whose low-res footprint lies wholly above (or below) a cut, by more than the
 * float32 rounding of the two resamplings can move a value, is decided at once; in the others each
 * pixel is interpolated in double through the composite taps, and a pixel whose value sits within a
 * rounding hair of a cut asks the exact torch arithmetic (`exactLogit`). The counts, masks and boxes
 * are therefore those of the reference (reference.ts), not approximations of them.
 */
import { BoxTracker, stabilityScore, type BoxXyxy, type CandidateScores, type Cuts } from './cuts';
import { exactLogit, TAPS, type AxisPlan, type SamFrame } from './frame';
import { scoreLogits, upsampleReference } from './reference';

/**
 * Bound on |torch's float32 value - the double composite| and on the weights' sum moving a value off
 * its taps' range, relative to the taps' largest magnitude: about 10 float32 roundings of 2^-24 each
 * (x and y steps of two stages, weights that sum to 1 within 2^-23), with a safety factor of 6; the
 * absolute part covers subnormal roundings.
 */
const SLACK_REL = 2 ** -18;
const SLACK_ABS = 2 ** -140;

/** Tiles along one axis: picture index ranges [out[k], out[k+1]) and their low-res footprints. */
interface Tiles {
  out: Int32Array;
  lowFirst: Int32Array;
  lowLast: Int32Array;
  count: number;
}

function tilesOf(plan: AxisPlan, tile: number): Tiles {
  const out: number[] = [];
  const lowFirst: number[] = [];
  const lowLast: number[] = [];
  let key = -1;
  for (let i = 0; i < plan.size; i++) {
    const s = plan.start[i]!;
    if (Math.floor(s / tile) !== key) {
      key = Math.floor(s / tile);
      out.push(i);
      lowFirst.push(s);
    }
    lowLast[out.length - 1] = s + TAPS - 1;
  }
  const count = out.length;
  out.push(plan.size);
  return {
    out: Int32Array.from(out),
    lowFirst: Int32Array.from(lowFirst),
    lowLast: Int32Array.from(lowLast),
    count,
  };
}

/**
 * One walk's state: three cuts (the mask walk repeats its one cut), the pixels above each, the box
 * and mask of cut `t2`, and the pixels that needed torch's exact value.
 */
class WalkState {
  n0 = 0;
  n1 = 0;
  n2 = 0;
  hair = 0;
  readonly box = new BoxTracker();
  constructor(
    readonly t0: number,
    readonly t1: number,
    readonly t2: number,
    readonly mask: Uint8Array | null,
  ) {}
}

export class FastPost {
  private readonly rt: Tiles;
  private readonly ct: Tiles;
  /** [low-res rows, column tiles]: each row's min and max over each column tile's footprint. */
  private readonly rowMin: Float64Array;
  private readonly rowMax: Float64Array;
  private readonly row: Float64Array;
  /** One tile row's min and max per column tile. */
  private readonly tileMin: Float64Array;
  private readonly tileMax: Float64Array;

  constructor(
    readonly frame: SamFrame,
    tile = 8,
  ) {
    this.rt = tilesOf(frame.rows, tile);
    this.ct = tilesOf(frame.cols, tile);
    this.rowMin = new Float64Array(frame.lowRes * this.ct.count);
    this.rowMax = new Float64Array(frame.lowRes * this.ct.count);
    this.row = new Float64Array(frame.lowRes);
    this.tileMin = new Float64Array(this.ct.count);
    this.tileMax = new Float64Array(this.ct.count);
  }

  /**
   * Stability counts and score, area and box of one low-res plane; the binary mask too when `mask`
   * (all zeros, [height * width]) is given.
   */
  scores(low: Float32Array, cuts: Cuts, mask: Uint8Array | null = null): CandidateScores & { hair: number } {
    const s = this.walk(low, new WalkState(cuts.hi, cuts.lo, cuts.mask, mask));
    return {
      intersections: s.n0,
      unions: s.n1,
      stability: stabilityScore(s.n0, s.n1),
      area: s.n2,
      box: s.box.box,
      hair: s.hair,
    };
  }

  /** The binary mask `logit > cuts.mask` at picture size, its area and box. */
  mask(low: Float32Array, cuts: Cuts): { mask: Uint8Array; area: number; box: BoxXyxy; hair: number } {
    const mask = new Uint8Array(this.frame.height * this.frame.width);
    const s = this.walk(low, new WalkState(cuts.mask, cuts.mask, cuts.mask, mask));
    return { mask, area: s.n2, box: s.box.box, hair: s.hair };
  }

  private walk(low: Float32Array, s: WalkState): WalkState {
    if (!this.footprints(low)) return this.exactWalk(low, s);
    const { rt, ct, tileMin, tileMax } = this;
    for (let ky = 0; ky < rt.count; ky++) {
      this.tileRow(ky);
      const ya = rt.out[ky]!;
      const yb = rt.out[ky + 1]!;
      // Tiles wholly above t2 next to each other make one run of mask pixels per row.
      let runStart = -1;
      let runEnd = -1;
      for (let kx = 0; kx < ct.count; kx++) {
        const mn = tileMin[kx]!;
        const mx = tileMax[kx]!;
        const slack = Math.max(-mn, mx) * SLACK_REL + SLACK_ABS;
        const lo = mn - slack;
        const hi = mx + slack;
        const xa = ct.out[kx]!;
        const xb = ct.out[kx + 1]!;
        // Each cut: the whole tile above it (lo > t), below it (hi <= t), or crossed.
        if ((lo > s.t0 || hi <= s.t0) && (lo > s.t1 || hi <= s.t1) && (lo > s.t2 || hi <= s.t2)) {
          const area = (xb - xa) * (yb - ya);
          if (lo > s.t0) s.n0 += area;
          if (lo > s.t1) s.n1 += area;
          if (lo > s.t2 && area > 0) {
            s.n2 += area;
            if (runStart < 0) runStart = xa;
            runEnd = xb;
            continue;
          }
        } else this.perPixel(low, xa, ya, xb, yb, slack, s);
        this.flush(runStart, runEnd, ya, yb, s);
        runStart = -1;
      }
      this.flush(runStart, runEnd, ya, yb, s);
    }
    return s;
  }

  /** tileMin / tileMax of the tiles of tile row ky: over its footprint rows of rowMin / rowMax. */
  private tileRow(ky: number): void {
    const { rt, rowMin, rowMax, tileMin, tileMax } = this;
    const nt = this.ct.count;
    tileMin.fill(Infinity);
    tileMax.fill(-Infinity);
    for (let r = rt.lowFirst[ky]!; r <= rt.lowLast[ky]!; r++)
      for (let kx = 0, i = r * nt; kx < nt; kx++, i++) {
        if (rowMin[i]! < tileMin[kx]!) tileMin[kx] = rowMin[i]!;
        if (rowMax[i]! > tileMax[kx]!) tileMax[kx] = rowMax[i]!;
      }
  }

  /** Pixels [xa, xb) of rows [ya, yb) are above t2: the box, and the mask by runs. */
  private flush(xa: number, xb: number, ya: number, yb: number, s: WalkState): void {
    if (xa < 0) return;
    s.box.rect(xa, ya, xb - 1, yb - 1);
    const W = this.frame.width;
    if (s.mask) for (let y = ya; y < yb; y++) s.mask.fill(1, y * W + xa, y * W + xb);
  }

  /** Fills rowMin / rowMax; false when the plane holds NaN or an infinity (min/max bounds fail). */
  private footprints(low: Float32Array): boolean {
    const { ct, rowMin, rowMax } = this;
    const n = this.frame.lowRes;
    const nt = ct.count;
    for (let r = 0; r < this.frame.rows.used; r++)
      for (let kx = 0; kx < nt; kx++) {
        let mn = Infinity;
        let mx = -Infinity;
        for (let c = r * n + ct.lowFirst[kx]!, e = r * n + ct.lowLast[kx]!; c <= e; c++) {
          const v = low[c]!;
          if (v < mn) mn = v;
          if (v > mx) mx = v;
          if (v !== v) return false;
        }
        if (mn === -Infinity || mx === Infinity) return false;
        rowMin[r * nt + kx] = mn;
        rowMax[r * nt + kx] = mx;
      }
    return true;
  }

  /** A tile some cut crosses: every pixel through the composite taps, the hair through torch's arithmetic. */
  private perPixel(
    low: Float32Array,
    xa: number,
    ya: number,
    xb: number,
    yb: number,
    slack: number,
    s: WalkState,
  ): void {
    const { lowRes: n, rows, cols, width: W } = this.frame;
    const { t0, t1, t2, mask } = s;
    const top = Math.max(t0, t1, t2) + slack;
    const bottom = Math.min(t0, t1, t2) - slack;
    const R = this.row;
    const cw = cols.weight;
    const cs = cols.start;
    const c0 = cs[xa]!;
    const c1 = cs[xb - 1]! + TAPS;
    let n0 = 0;
    let n1 = 0;
    let n2 = 0;
    for (let y = ya; y < yb; y++) {
      const b0 = rows.start[y]! * n;
      const wy0 = rows.weight[y * TAPS]!;
      const wy1 = rows.weight[y * TAPS + 1]!;
      const wy2 = rows.weight[y * TAPS + 2]!;
      for (let c = c0; c < c1; c++)
        R[c] = wy0 * low[b0 + c]! + wy1 * low[b0 + n + c]! + wy2 * low[b0 + 2 * n + c]!;
      let first = -1;
      let last = -1;
      for (let x = xa; x < xb; x++) {
        const j = cs[x]!;
        let v = cw[x * TAPS]! * R[j]! + cw[x * TAPS + 1]! * R[j + 1]! + cw[x * TAPS + 2]! * R[j + 2]!;
        if (v < bottom) continue;
        if (v <= top) {
          // Between the cuts: exact where the value is within a hair of one of them.
          if (Math.abs(v - t0) <= slack || Math.abs(v - t1) <= slack || Math.abs(v - t2) <= slack) {
            v = exactLogit(this.frame, low, y, x);
            s.hair++;
          }
          if (v > t0) n0++;
          if (v > t1) n1++;
          if (!(v > t2)) continue;
        } else {
          n0++;
          n1++;
        }
        n2++;
        if (first < 0) first = x;
        last = x;
        if (mask) mask[y * W + x] = 1;
      }
      if (first >= 0) s.box.rect(first, y, last, y);
    }
    s.n0 += n0;
    s.n1 += n1;
    s.n2 += n2;
  }

  /** Every pixel through the reference (planes with NaN or infinite logits). */
  private exactWalk(low: Float32Array, s: WalkState): WalkState {
    const { height: H, width: W } = this.frame;
    const logits = upsampleReference(this.frame, low);
    const ref = scoreLogits(logits, H, W, { hi: s.t0, lo: s.t1, mask: s.t2 });
    s.n0 = ref.intersections;
    s.n1 = ref.unions;
    s.n2 = ref.area;
    s.hair = H * W;
    if (ref.area) s.box.rect(...ref.box);
    if (s.mask) s.mask.set(ref.mask);
    return s;
  }
}
