/**
 * The label pass as a small ONNX graph, for the backend that ran the model: per pixel, the best of C
 * class scores, its label (k + 1 for class k) and 0 ("unlabelled") where every score is -Infinity or
 * the best is under a threshold. Only the label map and the best scores come back from it, not the
 * [C, P] scores.
 *
 * It is `argmaxLabels` (src/processing/argmax.ts) by construction, not within a tolerance: the pass
 * does no arithmetic, only comparisons, so float order cannot differ.
 * - ArgMax with select_last_index = 0 keeps the first of equal scores, as the JavaScript loop's
 *   strict `>` does (ties, and +0 against -0, which compare equal).
 * - The best score is gathered at the ArgMax index, not taken by ReduceMax: of +0 and -0 ReduceMax
 *   may return either, the gather returns the score the label came from, as the loop keeps it.
 * - A pixel whose scores are all -Infinity keeps label 0 in the loop (no score beats its start):
 *   `best > -Infinity` says so here, since ArgMax answers index 0 there.
 * - The threshold is an input (one session serves every threshold): labels where `best < t` become
 *   0. `argmaxLabels` applies its threshold only when it is above 0; a caller passes -Infinity
 *   for "none", which no score is under.
 * NaN scores are out of scope: the output contracts reject them before any label pass.
 * Labels come back as int32 (WebGPU has no 16-bit integer storage); the caller narrows them. They are
 * looked up in a table of k + 1 (Gather) rather than cast from ArgMax's int64 and added to: ONNX
 * Runtime's WebGPU backend has no int64 Cast, and would run that one node on the CPU, reading the
 * indices back and copying the labels up again.
 */
import { buildModelBytes, floatTensor, node, valueInfo } from './onnxBuilder';
import { DataType } from './onnxProto';
import { VOCAB_LIMITS } from '../../processing/vocabulary';

/** Names of the graph's inputs and outputs. */
export const LABEL_GRAPH = {
  /** float32 [C, P] class scores. */
  scores: 'class_scores',
  /** float32 [1]: labels whose best score is under it become 0. */
  threshold: 'threshold',
  /** int32 [1, P]: 0 = unlabelled, k + 1 = class k. */
  labels: 'labels',
  /** float32 [1, P]: the best class score per pixel. */
  best: 'best_scores',
} as const;

/** Classes the graph labels at most: the vocabulary's own limit (a 16 KB table). */
export const MAX_LABEL_CLASSES = VOCAB_LIMITS.classes;

let bytes: Uint8Array | null = null;

/** The label-pass graph (built once: it has no weights, only dynamic C and P). */
export function labelGraphBytes(): Uint8Array {
  if (bytes) return bytes;
  const { scores, threshold, labels, best } = LABEL_GRAPH;
  const int32 = (name: string, dims: number[], v: Int32Array) => ({
    name,
    dims,
    data_type: DataType.INT32,
    // Little-endian, as ONNX stores raw data (and every engine this app runs on is).
    raw_data: new Uint8Array(v.buffer),
  });
  bytes = buildModelBytes({
    graph: {
      name: 'label_pass',
      node: [
        node('ArgMax', [scores], ['index64'], { axis: 0, keepdims: 1, select_last_index: 0 }),
        node('GatherElements', [scores, 'index64'], [best], { axis: 0 }),
        node('Gather', ['class_labels', 'index64'], ['label'], { axis: 0 }),
        node('Greater', [best, 'minus_inf'], ['scored']),
        node('Less', [best, threshold], ['under']),
        node('Not', ['under'], ['over']),
        node('And', ['scored', 'over'], ['kept']),
        node('Where', ['kept', 'label', 'zero'], [labels]),
      ],
      initializer: [
        int32(
          'class_labels',
          [MAX_LABEL_CLASSES],
          Int32Array.from({ length: MAX_LABEL_CLASSES }, (_, k) => k + 1),
        ),
        int32('zero', [], Int32Array.of(0)),
        floatTensor('minus_inf', [], [-Infinity]),
      ],
      input: [
        valueInfo(scores, DataType.FLOAT, ['classes', 'pixels']),
        valueInfo(threshold, DataType.FLOAT, [1]),
      ],
      output: [
        valueInfo(labels, DataType.INT32, [1, 'pixels']),
        valueInfo(best, DataType.FLOAT, [1, 'pixels']),
      ],
    },
    opset: 17,
  });
  return bytes;
}
