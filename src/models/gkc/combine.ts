import { sigmoidInPlace } from '../../processing/vectors';
import { classProbs, einsumQC } from './classProbs';
import { labelHistogram, upsampleLabelMap } from '../../processing/labels';
import { querySemseg, type QuerySemseg } from './querySemseg';

/** GKC's label map and scores at the image size (a runner's result, less what the engine adds). */
export interface Combined {
  /** [H*W] 0 = unlabelled, k+1 = class k. */
  labels: Uint16Array;
  /** Best class score per pixel, at scoreWidth x scoreHeight. */
  scores: Float32Array;
  scoreWidth: number;
  scoreHeight: number;
  /** Pixels per label (index 0 = unlabelled). */
  counts: Uint32Array;
  /** [C, scoreHeight*scoreWidth] class scores (kept for smoothing the next frame). */
  semseg: Float32Array;
  /** With `debug`: class probabilities per query [Q, C] and class scores at mask resolution [C, h, w]. */
  gkc?: { classProbs: Float32Array; semsegLow: Float32Array };
}

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

/** Class scores at the score resolution: what a threshold change can reuse. */
export interface Scored {
  probs: Float32Array;
  raw: QuerySemseg;
  sw: number;
  sh: number;
}

/** GKC's class probabilities per query [Q, C] (void dropped). */
export function queryProbs(out: Pick<QueryOutputs, 'embeds' | 'D'>, o: CombineOptions): Float32Array {
  return classProbs({
    queryEmbeds: out.embeds,
    nameEmbeds: o.nameEmbeds,
    nameToClass: o.nameToClass,
    numClasses: o.numClasses,
    dim: out.D,
    logitScale: o.logitScale,
    voidEmbedding: o.voidEmbedding,
  });
}

/**
 * GKC's scores from image-model outputs and name embeddings: class probabilities per query, then mask
 * logits upsampled to the model's input size (or straight to the image size when the image is
 * smaller), sigmoid, einsum (and smoothing), argmax.
 */
export function scoreQueries(out: QueryOutputs, o: CombineOptions): Scored {
  const C = o.numClasses;
  const probs = queryProbs(out, o);
  const smaller = o.width <= out.inputWidth && o.height <= out.inputHeight;
  const sw = smaller ? o.width : out.inputWidth;
  const sh = smaller ? o.height : out.inputHeight;
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
  return { probs, raw, sw, sh };
}

/**
 * GKC inference: `scoreQueries` (or its earlier result for the same outputs, vocabulary and size),
 * then the threshold and the label map at the image size. `scored` is not modified, and the result
 * shares no buffer with it but `semseg`.
 */
export function combine(out: QueryOutputs, o: CombineOptions, scored = scoreQueries(out, o)): Combined {
  const C = o.numClasses;
  const { probs, raw, sw, sh } = scored;
  const P = sw * sh;
  const semseg = raw.semseg;
  let labels: Uint16Array;
  let counts: Uint32Array;
  if (sw === o.width && sh === o.height) {
    labels = raw.labels.slice();
    if (o.threshold > 0) for (let i = 0; i < P; i++) if (raw.scores[i]! < o.threshold) labels[i] = 0;
    counts = labelHistogram(labels, C + 1);
  } else {
    // Counted while written: the upsampled map is mostly long runs of one label.
    ({ labels, counts } = upsampleLabelMap(
      raw.labels,
      semseg,
      sh,
      sw,
      o.height,
      o.width,
      o.threshold,
      C + 1,
      undefined,
      raw.scores,
    ));
  }
  const result: Combined = {
    labels,
    // The page receives this buffer (transferred): a copy keeps `scored` whole.
    scores: raw.scores.slice(),
    scoreWidth: sw,
    scoreHeight: sh,
    counts,
    semseg,
  };
  if (o.debug) {
    const lowSig = sigmoidInPlace(Float32Array.from(out.masks));
    result.gkc = { classProbs: probs, semsegLow: einsumQC(probs, lowSig, out.Q, C, out.h * out.w) };
  }
  return result;
}

/**
 * Runs the combine once over synthetic outputs of every kind (flat and varying masks, one and several
 * classes per query, a larger image, a smoothed frame), so that the JavaScript engine has compiled
 * its loops before the first real picture: unoptimised, the first combines take several times
 * longer than the steady state.
 */
export function warmCombine(rounds = 4): void {
  const Q = 12,
    D = 4,
    h = 12,
    w = 16,
    C = 3;
  const masks = new Float32Array(Q * h * w);
  for (let q = 0; q < Q; q++)
    for (let i = 0; i < h * w; i++)
      // Half the queries flat (a saturated background), half varying.
      masks[q * h * w + i] = q % 2 ? -5 : Math.sin(q + i * 0.37) * 6;
  const embeds = Float32Array.from({ length: Q * D }, (_, i) => Math.cos(i * 1.7));
  const out: QueryOutputs = { masks, embeds, Q, h, w, D, inputWidth: w * 4, inputHeight: h * 4 };
  const o: CombineOptions = {
    nameEmbeds: Float32Array.from({ length: C * D }, (_, i) => Math.sin(i * 2.3)),
    nameToClass: Int32Array.from({ length: C }, (_, i) => i),
    numClasses: C,
    logitScale: 2, // soft probabilities: several classes per query
    voidEmbedding: null,
    threshold: 0.3,
    width: w * 6,
    height: h * 6,
  };
  for (let r = 0; r < rounds; r++) {
    const first = combine(out, o);
    combine(out, { ...o, logitScale: 50, width: w * 4, height: h * 4 });
    combine(out, { ...o, smoothing: { previous: first.semseg, history: 0.5 }, width: w * 4, height: h * 4 });
  }
}
