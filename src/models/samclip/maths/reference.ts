/**
 * The straightforward reference of SAM's mask post-processing for one candidate: the two torch
 * resamplings in full (float32, bit for bit), then upstream's stability score, binary mask, area and
 * box over every pixel. The fast path (fastPost.ts) must agree with it; it is also the fallback for
 * logits that are not all finite.
 */
import { resizeTorch } from './bilinear';
import { BoxTracker, stabilityScore, type CandidateScores, type Cuts } from './cuts';
import type { SamFrame } from './frame';

/** Upstream `postprocess_masks` of one low-res plane: the picture-size logits [height * width]. */
export function upsampleReference(frame: SamFrame, low: Float32Array): Float32Array {
  const { lowRes: n, padded, resized, height, width } = frame;
  const stage1 = resizeTorch(low, n, n, padded, padded, resized.h, resized.w);
  return resizeTorch(stage1, resized.h, resized.w, height, width);
}

/** Stability counts, area and box of picture-size logits, and the binary mask (`logit > cuts.mask`). */
export function scoreLogits(
  logits: Float32Array,
  height: number,
  width: number,
  cuts: Cuts,
): CandidateScores & { mask: Uint8Array } {
  const mask = new Uint8Array(height * width);
  const box = new BoxTracker();
  let intersections = 0;
  let unions = 0;
  let area = 0;
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) {
      const v = logits[y * width + x]!;
      if (v > cuts.hi) intersections++;
      if (v > cuts.lo) unions++;
      if (v > cuts.mask) {
        area++;
        mask[y * width + x] = 1;
        box.rect(x, y, x, y);
      }
    }
  return {
    intersections,
    unions,
    stability: stabilityScore(intersections, unions),
    area,
    box: box.box,
    mask,
  };
}

/** The reference for one candidate: `scoreLogits(upsampleReference(...))`. */
export function candidateReference(
  frame: SamFrame,
  low: Float32Array,
  cuts: Cuts,
): CandidateScores & { mask: Uint8Array } {
  return scoreLogits(upsampleReference(frame, low), frame.height, frame.width, cuts);
}
