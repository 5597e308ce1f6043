/**
 * The cuts upstream applies to picture-size logits, as torch evaluates them: `masks > x` with x a
 * Python float compares in float32 (x rounded to float32), and the stability score is
 * float32(#(logit > t + offset) / #(logit > t - offset)), NaN for 0 / 0.
 */
const f32 = Math.fround;

/** An inclusive pixel box: first and last column and row; [0, 0, 0, 0] for an empty mask (upstream). */
export type BoxXyxy = [x0: number, y0: number, x1: number, y1: number];

export interface Cuts {
  /** `mask_threshold + offset`, float32. */
  hi: number;
  /** `mask_threshold - offset`, float32. */
  lo: number;
  /** `mask_threshold`, float32. */
  mask: number;
}

export function stabilityCuts(maskThreshold: number, offset: number): Cuts {
  return { hi: f32(maskThreshold + offset), lo: f32(maskThreshold - offset), mask: f32(maskThreshold) };
}

/** Upstream `calculate_stability_score` from its two counts. */
export const stabilityScore = (intersections: number, unions: number): number => f32(intersections / unions);

/** A candidate's scores on its picture-size logits. */
export interface CandidateScores {
  /** Pixels above `hi`. */
  intersections: number;
  /** Pixels above `lo`. */
  unions: number;
  stability: number;
  /** Pixels above the mask threshold: the binary mask's area. */
  area: number;
  /** The binary mask's box (inclusive, XYXY). */
  box: BoxXyxy;
}

/** Tracks the inclusive box of the pixels it is shown (upstream `batched_mask_to_box`). */
export class BoxTracker {
  x0 = Infinity;
  y0 = Infinity;
  x1 = -1;
  y1 = -1;
  rect(xa: number, ya: number, xb: number, yb: number): void {
    if (xa < this.x0) this.x0 = xa;
    if (ya < this.y0) this.y0 = ya;
    if (xb > this.x1) this.x1 = xb;
    if (yb > this.y1) this.y1 = yb;
  }
  get box(): BoxXyxy {
    return this.x1 < 0 ? [0, 0, 0, 0] : [this.x0, this.y0, this.x1, this.y1];
  }
}
