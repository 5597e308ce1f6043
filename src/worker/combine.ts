import { classProbs, einsumQC, sigmoidInPlace } from '../processing/gkc';
import { labelHistogram, upsampleLabels } from '../processing/labels';
import { querySemseg } from '../processing/querySemseg';

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
  const raw = querySemseg({
    probs,
    masks: out.masks,
    Q: out.Q,
    C,
    h: out.h,
    w: out.w,
    H: sh,
    W: sw,
    previous: o.smoothing?.previous,
    history: o.smoothing?.history,
  });
  const semseg = raw.semseg;
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
