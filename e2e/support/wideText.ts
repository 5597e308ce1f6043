/**
 * A text model whose embeddings are far wider than any family uses: input_ids [B, L] -> the sum of
 * the ids, tiled to [B, width]. Loads and runs like any text tower; each prompt's embedding alone is
 * width × 4 bytes (hostile.ts serves it as wide_text.onnx).
 */
import { buildModelBytes, int64Tensor, node, valueInfo } from '../../src/models/onnx/onnxBuilder';
import { DataType } from '../../src/models/onnx/onnxProto';

export const WIDE_TEXT_WIDTH = 96_000;

export function wideTextModel(width = WIDE_TEXT_WIDTH): Uint8Array {
  return buildModelBytes({
    graph: {
      name: 'hostile-wide-text',
      input: [valueInfo('input_ids', DataType.INT64, ['batch', 'length'])],
      output: [valueInfo('text_embeds', DataType.FLOAT, ['batch', width])],
      initializer: [int64Tensor('axis', [1], [1]), int64Tensor('repeats', [2], [1, width])],
      node: [
        node('Cast', ['input_ids'], ['ids'], { to: DataType.FLOAT }),
        node('ReduceSum', ['ids', 'axis'], ['sum'], { keepdims: 1 }),
        node('Tile', ['sum', 'repeats'], ['text_embeds']),
      ],
    },
    docString: 'Test fixture: text embeddings far wider than any family uses.',
  });
}
