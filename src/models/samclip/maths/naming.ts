/**
 * Naming SAM's masks with dense CLIP (GKC-style): each mask's embedding is the mean of the patch
 * embeddings weighted by the share of each patch's pixels inside the mask; the runner scores those
 * embeddings against the names (GKC's `classProbs`) and this module turns the class probabilities
 * and the binary masks into a label map: semseg[c] = sum_q p(q, c) * mask_q, label = argmax + 1
 * (the first maximum), 0 where no mask covers the pixel or the best value is under the threshold,
 * or, in the "fill" variant, uncovered pixels take their patch's dense-CLIP label.
 */
import { argmaxLabels } from '../../../processing/argmax';
import { labelHistogram } from '../../../processing/labels';
import { softmaxClasses } from '../../../processing/softmax';
import type { BoxXyxy } from './cuts';

/**
 * Calls `row(start, end)` for each row span [start, end) of flat indices inside `box` (the whole
 * picture without one): a mask's pixels all lie in its box, so only the box is read.
 */
function spans(
  height: number,
  width: number,
  box: BoxXyxy | undefined,
  row: (start: number, end: number) => void,
): void {
  const [x0, y0, x1, y1] = box ?? [0, 0, width - 1, height - 1];
  for (let y = y0; y <= y1; y++) row(y * width + x0, y * width + x1 + 1);
}

/** Row-major patch index of each pixel: row floor((y + 0.5) * gh / H), column floor((x + 0.5) * gw / W). */
export function pixelToPatch(height: number, width: number, gh: number, gw: number): Int32Array {
  const cols = Array.from({ length: width }, (_, x) =>
    Math.min(gw - 1, Math.floor(((x + 0.5) * gw) / width)),
  );
  const out = new Int32Array(height * width);
  for (let y = 0; y < height; y++) {
    const row = Math.min(gh - 1, Math.floor(((y + 0.5) * gh) / height)) * gw;
    for (let x = 0; x < width; x++) out[y * width + x] = row + cols[x]!;
  }
  return out;
}

/**
 * [K * D] unit embeddings of K binary masks (each [height * width]) from [gh * gw * D] patch
 * embeddings: sum over patches of (share of the patch's pixels in the mask) * patch, L2-normalised
 * (float64 inside); an empty mask gives a zero row. `boxes` (optional): each mask's inclusive box.
 */
export function maskEmbeddings(
  masks: readonly Uint8Array[],
  height: number,
  width: number,
  patchEmbeds: Float32Array,
  gh: number,
  gw: number,
  boxes?: readonly BoxXyxy[],
): Float32Array {
  const n = gh * gw;
  const D = patchEmbeds.length / n;
  if (!Number.isInteger(D)) throw new Error(`maskEmbeddings: ${patchEmbeds.length} values for ${n} patches`);
  const assign = pixelToPatch(height, width, gh, gw);
  const perPatch = new Float64Array(n);
  for (const p of assign) perPatch[p]!++;
  const out = new Float32Array(masks.length * D);
  const inside = new Float64Array(n);
  const e = new Float64Array(D);
  masks.forEach((mask, k) => {
    inside.fill(0);
    spans(height, width, boxes?.[k], (a, b) => {
      for (let i = a; i < b; i++) if (mask[i]) inside[assign[i]!]!++;
    });
    e.fill(0);
    for (let p = 0; p < n; p++) {
      if (!inside[p]) continue;
      const w = inside[p]! / perPatch[p]!;
      for (let d = 0; d < D; d++) e[d]! += w * patchEmbeds[p * D + d]!;
    }
    const norm = Math.hypot(...e);
    if (norm > 0) for (let d = 0; d < D; d++) out[k * D + d] = e[d]! / norm;
  });
  return out;
}

/** Dense-CLIP labels of the patches: softmax over classes of [C, N] patch logits, argmax + 1 (first maximum). */
export function densePatchLabels(
  patchLogits: Float32Array,
  numClasses: number,
): { labels: Uint16Array; probs: Float32Array } {
  const probs = softmaxClasses(Float32Array.from(patchLogits), numClasses);
  return { labels: argmaxLabels(probs, numClasses, probs.length / numClasses, 0).labels, probs };
}

export interface SemanticMap {
  /** [height * width]: class index + 1, 0 = unlabelled. */
  labels: Uint16Array;
  /** [height * width]: the best semseg value, 0 where no mask covers the pixel (filled pixels too). */
  scores: Float32Array;
  /** [numClasses + 1] pixels per label. */
  counts: Uint32Array;
}

/** Uncovered pixels take their patch's label (`densePatchLabels`) on a gh x gw grid. */
export interface PatchFill {
  labels: Uint16Array;
  gh: number;
  gw: number;
}

/**
 * Pixels covered by the same set of masks share one semseg vector, so pixels are grouped by the
 * masks that cover them (a group splits as each mask is laid down) and each group is scored once.
 */
function coverGroups(
  masks: readonly Uint8Array[],
  probs: Float32Array,
  C: number,
  height: number,
  width: number,
  boxes: readonly BoxXyxy[] | undefined,
) {
  const group = new Int32Array(height * width);
  const sums: Float64Array[] = [new Float64Array(C)];
  masks.forEach((mask, q) => {
    const next = new Map<number, number>();
    const split = (g: number) => {
      let ng = next.get(g);
      if (ng === undefined) {
        ng = sums.length;
        const v = Float64Array.from(sums[g]!);
        for (let c = 0; c < C; c++) v[c]! += probs[q * C + c]!;
        sums.push(v);
        next.set(g, ng);
      }
      return ng;
    };
    // Runs of pixels share a group: the last split is remembered.
    let last = -1;
    let lastNew = -1;
    spans(height, width, boxes?.[q], (a, b) => {
      for (let i = a; i < b; i++) {
        if (!mask[i]) continue;
        if (group[i] !== last) {
          last = group[i]!;
          lastNew = split(last);
        }
        group[i] = lastNew;
      }
    });
  });
  return { group, sums };
}

/** The label map of K binary masks and their [K * C] class probabilities (`boxes`: optional, each mask's box). */
export function semanticMap(
  masks: readonly Uint8Array[],
  probs: Float32Array,
  numClasses: number,
  height: number,
  width: number,
  threshold: number,
  fill?: PatchFill,
  boxes?: readonly BoxXyxy[],
): SemanticMap {
  const C = numClasses;
  const P = height * width;
  if (probs.length !== masks.length * C)
    throw new Error(`semanticMap: ${probs.length} probabilities for ${masks.length} masks x ${C} classes`);
  const { group, sums } = coverGroups(masks, probs, C, height, width, boxes);
  // Group 0: pixels no mask covers.
  const groupLabel = new Uint16Array(sums.length);
  const groupScore = new Float32Array(sums.length);
  for (let g = 1; g < sums.length; g++) {
    const s = sums[g]!;
    let best = 0;
    for (let c = 1; c < C; c++) if (s[c]! > s[best]!) best = c;
    groupScore[g] = s[best]!;
    groupLabel[g] = s[best]! < threshold ? 0 : best + 1;
  }
  const labels = new Uint16Array(P);
  const scores = new Float32Array(P);
  const patch = fill ? pixelToPatch(height, width, fill.gh, fill.gw) : null;
  for (let i = 0; i < P; i++) {
    const g = group[i]!;
    labels[i] = g === 0 && fill ? fill.labels[patch![i]!]! : groupLabel[g]!;
    scores[i] = groupScore[g]!;
  }
  return { labels, scores, counts: labelHistogram(labels, C + 1) };
}
