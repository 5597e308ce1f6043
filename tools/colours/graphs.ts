/**
 * ONNX graphs of the colours model, built from the palette.
 *
 * Text:  input_ids [B,S] int64 -> text_embeds [B,D]
 *   one-hot match of each token against the known-token table (Equal), then a
 *   [K,D] weight table (MatMul), summed over the sequence. Unknown tokens,
 *   start/end/pad (49406/49407) contribute nothing.
 *
 * Image: pixel_values [1,3,H,W] -> pred_masks [1,Q,H/4,W/4], query_embeds [1,Q,D]
 *   undo ImageNet normalisation -> 4x4 average pool -> sRGB decode -> XYZ ->
 *   weighted CIELAB (src/processing/colourSpace.ts) -> s_q = 2 x.p_q - |p_q|^2 (1x1 Conv,
 *   i.e. -|x-p_q|^2 up to a per-pixel constant) -> ALPHA*(s_q - max_q s) + TOP,
 *   floored at FLOOR. The nearest prototype gets logit TOP; the others fall
 *   off with the difference of squared distances.
 */
import { DataType } from '../../src/models/onnx/onnxProto';
import { floatTensor, int64Tensor, node, valueInfo, type ModelSpec } from '../../src/models/onnx/onnxBuilder';
import type { OnnxNode, OnnxTensor } from '../../src/models/onnx/onnxProto';
import {
  F_TO_LAB,
  F_TO_LAB_BIAS,
  LAB_EPS,
  LAB_TOE_OFFSET,
  LAB_TOE_SLOPE,
  RGB_TO_XYZN,
  SRGB_KNEE,
  rgbToFeature,
} from '../../src/processing/colourSpace';
import type { Prototype } from './palette';

/**
 * Attributes of every 1x1 Conv, spelled out although ONNX defaults them: ORT's WebGPU Conv kernel
 * rejects a Conv without them ("dilations should be 2D"), so the model would only run on WASM.
 */
const CONV_1X1 = { kernel_shape: [1, 1], dilations: [1, 1], strides: [1, 1], pads: [0, 0, 0, 0], group: 1 };

/** Mask logit of the nearest prototype (sigmoid ~0.98). */
const TOP_LOGIT = 4;
/** Logit drop per unit of squared feature distance difference. */
const ALPHA = 0.2;
/**
 * Lower bound of the mask logits. The app upsamples logits bilinearly before
 * the sigmoid; without a floor, a neighbour at -300 would drag the boundary
 * pixels of both regions below the threshold. At the midpoint between two
 * low-res pixels the winner still has (TOP + FLOOR)/2 = -0.5 (sigmoid 0.38).
 */
const FLOOR_LOGIT = -5;

/** Rounds for stable, platform-independent constants. */
const r6 = (x: number): number => Math.round(x * 1e6) / 1e6;

const scalar = (name: string, v: number): OnnxTensor => floatTensor(name, [], [v]);

export interface ImageGraphInput {
  prototypes: readonly Prototype[];
  /** [Q][D] query embeddings. */
  queryEmbeds: readonly (readonly number[])[];
  mean: readonly number[];
  std: readonly number[];
}

export function imageGraph({ prototypes, queryEmbeds, mean, std }: ImageGraphInput): ModelSpec {
  const q = prototypes.length;
  const d = queryEmbeds[0]?.length ?? 0;
  const feats = prototypes.map((p) => rgbToFeature(p.rgb).map(r6));
  const inits: OnnxTensor[] = [
    floatTensor('std', [1, 3, 1, 1], std),
    floatTensor('mean', [1, 3, 1, 1], mean),
    scalar('zero', 0),
    scalar('one', 1),
    scalar('srgb_scale', 1 / 1.055),
    scalar('srgb_offset', 0.055 / 1.055),
    scalar('srgb_gamma', 2.4),
    scalar('srgb_toe', 1 / 12.92),
    scalar('srgb_knee', SRGB_KNEE),
    floatTensor('rgb_to_xyzn', [3, 3, 1, 1], RGB_TO_XYZN.flat()),
    scalar('lab_eps', LAB_EPS),
    scalar('third', 1 / 3),
    scalar('lab_toe_slope', LAB_TOE_SLOPE),
    scalar('lab_toe_offset', LAB_TOE_OFFSET),
    floatTensor('f_to_lab', [3, 3, 1, 1], F_TO_LAB.flat()),
    floatTensor('f_to_lab_bias', [3], F_TO_LAB_BIAS),
    floatTensor(
      'proto_w',
      [q, 3, 1, 1],
      feats.flatMap((f) => f.map((v) => 2 * v)),
    ),
    floatTensor(
      'proto_b',
      [q],
      feats.map((f) => r6(-(f[0]! * f[0]! + f[1]! * f[1]! + f[2]! * f[2]!))),
    ),
    scalar('alpha', ALPHA),
    scalar('top', TOP_LOGIT),
    scalar('floor', FLOOR_LOGIT),
    floatTensor('query_embeds_const', [1, q, d], queryEmbeds.flat()),
  ];
  const nodes: OnnxNode[] = [
    // Back to sRGB in [0,1]; the app feeds ImageNet-normalised pixels.
    node('Mul', ['pixel_values', 'std'], ['rgb_scaled']),
    node('Add', ['rgb_scaled', 'mean'], ['rgb_raw']),
    // Output stride 4, like real mask decoders; also averages out noise/JPEG.
    node('AveragePool', ['rgb_raw'], ['rgb_pooled'], { kernel_shape: [4, 4], strides: [4, 4] }),
    node('Clip', ['rgb_pooled', 'zero', 'one'], ['rgb']),
    // sRGB decode; both branches are computed, the Pow base stays >= 0.052.
    node('Mul', ['rgb', 'srgb_scale'], ['srgb_a']),
    node('Add', ['srgb_a', 'srgb_offset'], ['srgb_b']),
    node('Pow', ['srgb_b', 'srgb_gamma'], ['lin_hi']),
    node('Mul', ['rgb', 'srgb_toe'], ['lin_lo']),
    node('Greater', ['rgb', 'srgb_knee'], ['lin_sel']),
    node('Where', ['lin_sel', 'lin_hi', 'lin_lo'], ['lin']),
    node('Conv', ['lin', 'rgb_to_xyzn'], ['xyz'], CONV_1X1),
    // CIELAB f(); Max keeps Pow away from 0 (undefined on some backends).
    node('Max', ['xyz', 'lab_eps'], ['xyz_pos']),
    node('Pow', ['xyz_pos', 'third'], ['f_hi']),
    node('Mul', ['xyz', 'lab_toe_slope'], ['f_lo_a']),
    node('Add', ['f_lo_a', 'lab_toe_offset'], ['f_lo']),
    node('Greater', ['xyz', 'lab_eps'], ['f_sel']),
    node('Where', ['f_sel', 'f_hi', 'f_lo'], ['f']),
    node('Conv', ['f', 'f_to_lab', 'f_to_lab_bias'], ['lab'], CONV_1X1),
    // Nearest-prototype scores and relative logits.
    node('Conv', ['lab', 'proto_w', 'proto_b'], ['scores'], CONV_1X1),
    node('ReduceMax', ['scores'], ['scores_max'], { axes: [1], keepdims: 1 }),
    node('Sub', ['scores', 'scores_max'], ['rel']),
    node('Mul', ['rel', 'alpha'], ['rel_scaled']),
    node('Add', ['rel_scaled', 'top'], ['logits_raw']),
    node('Max', ['logits_raw', 'floor'], ['pred_masks']),
    node('Identity', ['query_embeds_const'], ['query_embeds']),
  ];
  return {
    graph: {
      name: 'colours_image',
      node: nodes,
      initializer: inits,
      input: [valueInfo('pixel_values', DataType.FLOAT, [1, 3, 'height', 'width'])],
      output: [
        valueInfo('pred_masks', DataType.FLOAT, [1, q, 'mask_height', 'mask_width']),
        valueInfo('query_embeds', DataType.FLOAT, [1, q, d]),
      ],
    },
    docString: 'Colours demo model (image side). Generated by tools/make-colours-model.ts.',
  };
}

export interface TextGraphInput {
  /** Known CLIP token ids, one per row of `weights`. */
  tokenIds: readonly number[];
  /** [K][D] embedding contribution of each token. */
  weights: readonly (readonly number[])[];
}

export function textGraph({ tokenIds, weights }: TextGraphInput): ModelSpec {
  const k = tokenIds.length;
  const d = weights[0]?.length ?? 0;
  return {
    graph: {
      name: 'colours_text',
      node: [
        node('Unsqueeze', ['input_ids', 'axis2'], ['ids_3d']),
        node('Equal', ['ids_3d', 'token_table'], ['hits']),
        node('Cast', ['hits'], ['onehot'], { to: DataType.FLOAT }),
        node('MatMul', ['onehot', 'token_weights'], ['token_embeds']),
        node('ReduceSum', ['token_embeds', 'axis1'], ['text_embeds'], { keepdims: 0 }),
      ],
      initializer: [
        int64Tensor('axis2', [1], [2]),
        int64Tensor('axis1', [1], [1]),
        int64Tensor('token_table', [k], tokenIds),
        floatTensor('token_weights', [k, d], weights.flat()),
      ],
      input: [valueInfo('input_ids', DataType.INT64, ['batch', 'sequence'])],
      output: [valueInfo('text_embeds', DataType.FLOAT, ['batch', d])],
    },
    docString: 'Colours demo model (text side). Generated by tools/make-colours-model.ts.',
  };
}
