/**
 * SAM's two graphs in transformers.js's layout (`onnx/vision_encoder.onnx`,
 * `onnx/prompt_encoder_mask_decoder.onnx`), fp32, random weights deterministic from the seed, built
 * with the project's ONNX builder (no PyTorch): see samEncoderGraph.ts and samDecoderGraph.ts.
 */
import { buildModelBytes, valueInfo } from '../../src/models/onnx/onnxBuilder';
import { DataType } from '../../src/models/onnx/onnxProto';
import { GraphWriter } from './graphWriter';
import { SamDecoderBuilder } from './samDecoderGraph';
import { SamEncoderBuilder } from './samEncoderGraph';
import { gaussianMatrix } from './samLayers';
import { gridOf, type SamSize } from './samSize';

export type SamPart = 'encoder' | 'decoder';
export const SAM_FILES: Record<SamPart, string> = {
  encoder: 'onnx/vision_encoder.onnx',
  decoder: 'onnx/prompt_encoder_mask_decoder.onnx',
};

/** The graphs' inputs and outputs, as transformers.js's exports declare them. */
function io(s: SamSize, part: SamPart) {
  const f = DataType.FLOAT;
  const g = gridOf(s);
  const emb = (name: string) => valueInfo(name, f, ['batch_size', s.prompt.dim, g, g]);
  if (part === 'encoder')
    return {
      input: [valueInfo('pixel_values', f, ['batch_size', 3, s.encoder.image, s.encoder.image])],
      output: [emb('image_embeddings'), emb('image_positional_embeddings')],
    };
  const k = s.decoder.multimask;
  const prompts = ['batch_size', 'point_batch_size'];
  return {
    input: [
      valueInfo('input_points', f, [...prompts, 'nb_points_per_image', 2]),
      valueInfo('input_labels', DataType.INT64, [...prompts, 'nb_points_per_image']),
      emb('image_embeddings'),
      emb('image_positional_embeddings'),
    ],
    output: [
      valueInfo('iou_scores', f, [...prompts, k]),
      valueInfo('pred_masks', f, [...prompts, k, 4 * g, 4 * g]),
    ],
  };
}

/** Emits one graph into `w` (its weights drawn from `w`, the Gaussian matrix from `seed`). */
export function buildSam(w: GraphWriter, s: SamSize, part: SamPart, seed: number): void {
  const gaussian = gaussianMatrix(seed, s.prompt.dim);
  if (part === 'encoder') new SamEncoderBuilder(w, gaussian).build(s);
  else new SamDecoderBuilder(w, gaussian).build(s);
}

/**
 * One graph's bytes. The encoder's weights come from `seed`, the decoder's from `seed + 1`; both
 * hold the same Gaussian matrix (the image's and the points' positional encodings must agree).
 * `writer` (tests): where the weights come from instead.
 */
export function samModelBytes(s: SamSize, seed: number, part: SamPart, writer?: GraphWriter) {
  const w = writer ?? new GraphWriter(part === 'encoder' ? seed : seed + 1);
  buildSam(w, s, part, seed);
  const bytes = buildModelBytes({
    graph: { name: `sam_${part}`, node: w.nodes, initializer: w.initializers, ...io(s, part) },
    producer: 'ovseg-web tools/make-sam-full.ts',
    docString: `random-weight SAM ${part}, seed ${seed}`,
  });
  return { bytes, nodes: w.nodes.length, parameters: w.floats };
}
