/**
 * The dense (CLIPSeg) family's inference maths, on plain typed arrays (no ORT, no DOM).
 *
 * The decoder gives one logit map per row (a prompt, or a class when a class's prompts are averaged
 * into one row). Per class: sigmoid, max over the class's rows; per pixel: argmax over classes, and
 * "unlabelled" (label 0) where the best score is under the threshold. Label k + 1 is class k.
 */
import { emptyClassMax, maxInto } from '../../../processing/classMax';
import { argmaxLabels } from '../../../processing/argmax';
import { sigmoid } from '../../../processing/vectors';
import { labelHistogram, upsampleLabelMap } from '../../../processing/labels';

/** The logit at which sigmoid reaches `p` (-Infinity for p <= 0, +Infinity for p >= 1). */
export function logitOf(p: number): number {
  if (p <= 0) return -Infinity;
  if (p >= 1) return Infinity;
  return Math.log(p / (1 - p));
}

/**
 * Per-class logits [C, P] from row logits [R, P]: the max over the class's rows. Since sigmoid is
 * increasing, sigmoid of this is the max over the class's rows of sigmoid(logit). A class with no row
 * gets -Infinity (score 0).
 */
export function classLogits(
  logits: Float32Array,
  rowToClass: ArrayLike<number>,
  numClasses: number,
  pixels: number,
): Float32Array {
  const R = rowToClass.length;
  if (logits.length !== R * pixels)
    throw new Error(`classLogits: ${logits.length} logits is not ${R} rows of ${pixels} pixels`);
  const out = emptyClassMax(numClasses, pixels);
  for (let r = 0; r < R; r++) {
    const c = rowToClass[r]!;
    if (!(c >= 0 && c < numClasses)) throw new Error(`classLogits: row ${r} has no class ${c}`);
    maxInto(out, c, logits, r * pixels, pixels);
  }
  return out;
}

export interface DenseResult {
  /** [H*W] label map at image size: 0 unlabelled, k + 1 = class k. */
  labels: Uint16Array;
  /** Best class score (sigmoid) per pixel at the score resolution (h, w). */
  scores: Float32Array;
  /** [C, h*w] class scores (sigmoid). */
  semseg: Float32Array;
  scoreWidth: number;
  scoreHeight: number;
  /** Pixels per label (index 0 = unlabelled), at image size. */
  counts: Uint32Array;
}

export interface DenseLabelOptions {
  /** Class of each decoder row. */
  rowToClass: ArrayLike<number>;
  numClasses: number;
  /** Logit map size. */
  h: number;
  w: number;
  /** Image size the labels are wanted at. */
  width: number;
  height: number;
  /** Scores (sigmoid) under this are unlabelled; 0 = pure argmax. */
  threshold: number;
}

/**
 * Row logits [R, h, w] -> label map at the image size.
 *
 * Decisions are taken on the class logits, not on the sigmoid scores: sigmoid is increasing, so the
 * argmax and the threshold test (score >= t <=> logit >= logit(t)) are the same, but float32 sigmoid
 * saturates to exactly 1 above a logit of about 17 and would turn clear winners into ties. Off the
 * logit grid, each image pixel interpolates (bilinearly, `upsampleLabelMap`) the logits of only the
 * classes that win at its four source neighbours (logits are interpolated before the sigmoid, as
 * CLIPSeg's own post-processing does), then applies the threshold to the interpolated value.
 */
export function denseLabels(logits: Float32Array, o: DenseLabelOptions): DenseResult {
  const P = o.h * o.w;
  const C = o.numClasses;
  // One row per class, in class order (the runner's per-class logits): read them in place.
  const cl =
    isIdentity(o.rowToClass, C) && logits.length === C * P ? logits : classLogits(logits, o.rowToClass, C, P);
  const raw = argmaxLabels(cl, C, P, -Infinity);
  const t = logitOf(o.threshold);
  let labels = raw.labels;
  let counts: Uint32Array;
  if (o.h === o.height && o.w === o.width) {
    for (let i = 0; i < P; i++) if (!(raw.scores[i]! >= t)) labels[i] = 0;
    counts = labelHistogram(labels, C + 1);
  } else {
    // Counted while written, as the query family's combine does.
    ({ labels, counts } = upsampleLabelMap(raw.labels, cl, o.h, o.w, o.height, o.width, t, C + 1));
  }
  const scores = raw.scores;
  for (let i = 0; i < P; i++) scores[i] = sigmoid(scores[i]!);
  let semseg: Float32Array | null = null;
  return {
    labels,
    scores,
    // Computed on first read: a sigmoid per class and pixel costs more than the rest together, and
    // a threshold change or a new frame does not need it.
    get semseg() {
      if (!semseg) {
        semseg = new Float32Array(cl.length);
        for (let i = 0; i < cl.length; i++) semseg[i] = sigmoid(cl[i]!);
      }
      return semseg;
    },
    scoreWidth: o.w,
    scoreHeight: o.h,
    counts,
  };
}

function isIdentity(rowToClass: ArrayLike<number>, C: number): boolean {
  if (rowToClass.length !== C) return false;
  for (let i = 0; i < C; i++) if (rowToClass[i] !== i) return false;
  return true;
}

/**
 * One row per group from [R, dim] rows: the mean of the group's L2-normalised rows, renormalised and
 * scaled to the mean norm of the group's rows (the decoder is not scale-free: CLIPSeg's conditional
 * embeddings are not normalised). A group of one row gives that row back. A group with no row, or
 * rows that cancel out, gives a zero row. Use it for templates -> name and for names -> class ("one
 * decoder row per class": the decoder then runs C rows instead of one per name).
 */
export function averageRows(
  rows: Float32Array,
  dim: number,
  groupOf: ArrayLike<number>,
  groups: number,
): Float32Array {
  const R = groupOf.length;
  if (rows.length !== R * dim)
    throw new Error(`averageRows: ${rows.length} values is not ${R} rows of ${dim}`);
  const sum = new Float64Array(groups * dim);
  const norms = new Float64Array(groups);
  const count = new Uint32Array(groups);
  for (let r = 0; r < R; r++) {
    const g = groupOf[r]!;
    if (g < 0 || g >= groups) throw new Error(`averageRows: row ${r} has no group ${g}`);
    let s = 0;
    for (let i = 0; i < dim; i++) s += rows[r * dim + i]! ** 2;
    const n = Math.sqrt(s);
    if (n === 0) continue;
    for (let i = 0; i < dim; i++) sum[g * dim + i]! += rows[r * dim + i]! / n;
    norms[g]! += n;
    count[g]!++;
  }
  const out = new Float32Array(groups * dim);
  for (let g = 0; g < groups; g++) {
    if (count[g] === 0) continue;
    let s = 0;
    for (let i = 0; i < dim; i++) s += sum[g * dim + i]! ** 2;
    const n = Math.sqrt(s);
    if (n < 1e-12) continue;
    const scale = norms[g]! / count[g]! / n;
    for (let i = 0; i < dim; i++) out[g * dim + i] = sum[g * dim + i]! * scale;
  }
  return out;
}
