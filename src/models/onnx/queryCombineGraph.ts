/**
 * GKC's query combine as a small ONNX graph, for the backend that ran the image model: the mask
 * logits [1, Q, h, w] (left where the model wrote them: a GPU buffer on WebGPU) upsampled bilinearly
 * to the score size (PyTorch `align_corners=False` is ONNX's `half_pixel`), sigmoid, and summed over
 * queries with the class probabilities: semseg[c, p] = sum_q probs[c, q] * sigmoid(mask[q, p]).
 * Its [C, P] output stays on the backend for the label pass (`GraphLabelPass`), so only the label map
 * and the best scores come back.
 *
 * It is `querySemseg`'s definition, not its arithmetic: that one interpolates and looks the sigmoid up
 * in float64 and adds each query's term to a float32 sum in its own order; here every step is float32
 * and the MatMul sums in whatever order the backend's kernel does. The class scores agree within
 * float32 rounding, so labels can differ only where two classes tie within that (measured in
 * `src/models/query/queryCombineGpu.test.ts` and `e2e/query-combine-gpu.spec.ts`). The pairs `querySemseg` leaves out
 * (`activePairs`) are zeros in `probs`, which the caller builds.
 */
import { buildModelBytes, node, valueInfo } from './onnxBuilder';
import { DataType } from './onnxProto';

/** Names of the graph's inputs and outputs. */
export const QUERY_COMBINE_GRAPH = {
  /** float32 [1, Q, h, w] mask logits. */
  masks: 'pred_masks',
  /** float32 [C, Q] class probabilities per query, transposed; dropped pairs are 0. */
  probs: 'class_probs_t',
  /** int64 [4]: 1, Q, H, W (the score size). */
  sizes: 'sizes',
  /** float32 [C, H * W] class scores. */
  semseg: 'semseg',
} as const;

let bytes: Uint8Array | null = null;

/** The combine graph (built once: no weights, every size dynamic). */
export function queryCombineGraphBytes(): Uint8Array {
  if (bytes) return bytes;
  const { masks, probs, sizes, semseg } = QUERY_COMBINE_GRAPH;
  bytes = buildModelBytes({
    graph: {
      name: 'query_combine',
      node: [
        node('Resize', [masks, '', '', sizes], ['up'], {
          mode: 'linear',
          coordinate_transformation_mode: 'half_pixel',
        }),
        // [1, Q, H, W] -> [Q, H * W]: the MatMul's right-hand side.
        node('Flatten', ['up'], ['flat'], { axis: 2 }),
        node('Sigmoid', ['flat'], ['sig']),
        node('MatMul', [probs, 'sig'], [semseg]),
      ],
      input: [
        valueInfo(masks, DataType.FLOAT, [1, 'queries', 'mask_height', 'mask_width']),
        valueInfo(probs, DataType.FLOAT, ['classes', 'queries']),
        valueInfo(sizes, DataType.INT64, [4]),
      ],
      output: [valueInfo(semseg, DataType.FLOAT, ['classes', 'pixels'])],
    },
    opset: 17,
  });
  return bytes;
}
