import { argmaxLabels, classProbs, einsumQC, sigmoidInPlace } from '../processing/gkc';
import { labelHistogram, upsampleLabels } from '../processing/labels';
import { upsamplePlanes } from '../processing/resize';

export interface QueryOutputs {
  /** [Q, h, w] mask logits. */
  masks: Float32Array;
  /** [Q, D] query embeddings. */
  embeds: Float32Array;
  Q: number;
  h: number;
  w: number;
  D: number;
  /** Size the model was fed with. */
  inputWidth: number;
  inputHeight: number;
}

export interface CombineOptions {
  nameEmbeds: Float32Array;
  nameToClass: Int32Array;
  numClasses: number;
  logitScale: number;
  voidEmbedding: Float32Array | null;
  threshold: number;
  /** Output (image) size. */
  width: number;
  height: number;
  debug?: boolean;
  /**
   * Temporal smoothing (video): class scores become `history * previous + (1 - history) * current`,
   * an exponential moving average across frames. `previous` must have this frame's layout.
   */
  smoothing?: { previous: Float32Array | null; history: number };
}

export interface Combined {
  /** [H*W] label map at image size: 0 unlabelled, k+1 = class k. */
  labels: Uint16Array;
  /** Best class score per pixel at the score resolution. */
  scores: Float32Array;
  scoreWidth: number;
  scoreHeight: number;
  counts: Uint32Array;
  debug?: { classProbs?: Float32Array; semsegLow?: Float32Array; classLogits?: Float32Array };
  /** [C, scoreHeight*scoreWidth] class scores (kept for smoothing the next frame). */
  semseg: Float32Array;
}

/**
 * GKC inference from image-model outputs and name embeddings. Mask logits are upsampled to the
 * model's input size (or straight to the image size when the image is smaller), sigmoid, einsum,
 * argmax; the label map is then carried to the image size.
 */
export function combine(out: QueryOutputs, o: CombineOptions): Combined {
  const C = o.numClasses;
  const probs = classProbs({
    queryEmbeds: out.embeds,
    nameEmbeds: o.nameEmbeds,
    nameToClass: o.nameToClass,
    numClasses: C,
    dim: out.D,
    logitScale: o.logitScale,
    voidEmbedding: o.voidEmbedding,
  });
  const smaller = o.width <= out.inputWidth && o.height <= out.inputHeight;
  const sw = smaller ? o.width : out.inputWidth;
  const sh = smaller ? o.height : out.inputHeight;
  const P = sw * sh;
  // Queries that give no class a share (void took them) add nothing: skip their upsampling.
  const active: number[] = [];
  for (let q = 0; q < out.Q; q++) {
    let m = 0;
    for (let c = 0; c < C; c++) m = Math.max(m, probs[q * C + c]!);
    if (m >= 1e-7) active.push(q);
  }
  const hw = out.h * out.w;
  const masks = new Float32Array(active.length * hw);
  const activeProbs = new Float32Array(active.length * C);
  active.forEach((q, i) => {
    masks.set(out.masks.subarray(q * hw, (q + 1) * hw), i * hw);
    activeProbs.set(probs.subarray(q * C, (q + 1) * C), i * C);
  });
  const sig = sigmoidInPlace(upsamplePlanes(masks, active.length, out.h, out.w, sh, sw));
  const semseg = einsumQC(activeProbs, sig, active.length, C, P);
  const prev = o.smoothing?.previous;
  if (prev && prev.length === semseg.length && o.smoothing!.history > 0) {
    const h = o.smoothing!.history;
    for (let i = 0; i < semseg.length; i++) semseg[i] = h * prev[i]! + (1 - h) * semseg[i]!;
  }
  const raw = argmaxLabels(semseg, C, P, 0);
  let labels: Uint16Array;
  if (sw === o.width && sh === o.height) {
    labels = raw.labels;
    if (o.threshold > 0) for (let i = 0; i < P; i++) if (raw.scores[i]! < o.threshold) labels[i] = 0;
  } else {
    labels = upsampleLabels(raw.labels, semseg, sh, sw, o.height, o.width, o.threshold);
  }
  const result: Combined = {
    labels,
    scores: raw.scores,
    scoreWidth: sw,
    scoreHeight: sh,
    counts: labelHistogram(labels, C + 1),
    semseg,
  };
  if (o.debug) {
    const lowSig = sigmoidInPlace(Float32Array.from(out.masks));
    result.debug = { classProbs: probs, semsegLow: einsumQC(probs, lowSig, out.Q, C, out.h * out.w) };
  }
  return result;
}
