/**
 * A random-weight SAM folder in the hub layout of transformers.js's exports (`Xenova/slimsam-77-uniform`,
 * `Xenova/sam-vit-base`): onnx/vision_encoder.onnx and onnx/prompt_encoder_mask_decoder.onnx (fp32),
 * their dynamic int8 variants `*_quantized.onnx` (tools/lib/quantizeDynamic.ts), and config.json.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { decodeModel, encodeModel } from '../../src/models/onnx/onnxProto';
import { quantizeDynamic } from './quantizeDynamic';
import { SAM_FILES, samModelBytes, type SamPart } from './samGraph';
import { SAM_SIZES, type SamSize, type SamSizeName } from './samSize';

export const quantizedFile = (part: SamPart) => SAM_FILES[part].replace(/\.onnx$/, '_quantized.onnx');

export interface SamFile {
  file: string;
  bytes: number;
  nodes?: number;
  parameters?: number;
}

/** transformers' SamConfig fields for this size (what transformers.js reads: model_type and the sub-configs). */
function hubConfig(s: SamSize) {
  const e = s.encoder;
  const m = s.decoder;
  return {
    architectures: ['SamModel'],
    model_type: 'sam',
    vision_config: {
      hidden_size: e.hidden,
      num_hidden_layers: e.layers,
      num_attention_heads: e.heads,
      mlp_dim: e.mlp,
      global_attn_indexes: e.global,
      window_size: e.window,
      patch_size: e.patch,
      image_size: e.image,
      output_channels: e.out,
      layer_norm_eps: e.eps,
      num_pos_feats: s.prompt.dim / 2,
      use_abs_pos: true,
      use_rel_pos: true,
      qkv_bias: true,
    },
    prompt_encoder_config: { hidden_size: s.prompt.dim, image_size: e.image, patch_size: e.patch },
    mask_decoder_config: {
      hidden_size: s.prompt.dim,
      mlp_dim: m.mlp,
      num_hidden_layers: m.depth,
      num_attention_heads: m.heads,
      attention_downsample_rate: m.downsample,
      num_multimask_outputs: m.multimask,
      iou_head_depth: m.iouDepth,
      iou_head_hidden_dim: m.iouHidden,
      layer_norm_eps: m.blockEps,
    },
  };
}

export async function writeSamBundle(
  dir: string,
  o: { seed: number; size: SamSizeName },
): Promise<Record<SamPart | `${SamPart}Q8`, SamFile>> {
  const s = SAM_SIZES[o.size];
  await mkdir(path.join(dir, 'onnx'), { recursive: true });
  // One graph at a time: SAM ViT-B's encoder alone is ~360 MB of weights.
  const write = async (part: SamPart) => {
    const { bytes, nodes, parameters } = samModelBytes(s, o.seed, part);
    const file = path.join(dir, SAM_FILES[part]);
    await writeFile(file, bytes);
    const q = encodeModel(quantizeDynamic(decodeModel(bytes)));
    const qFile = path.join(dir, quantizedFile(part));
    await writeFile(qFile, q);
    return [
      { file, bytes: bytes.length, nodes, parameters },
      { file: qFile, bytes: q.length },
    ] as const;
  };
  const [encoder, encoderQ8] = await write('encoder');
  const [decoder, decoderQ8] = await write('decoder');
  await writeFile(path.join(dir, 'config.json'), JSON.stringify(hubConfig(s), null, 2) + '\n');
  return { encoder, encoderQ8, decoder, decoderQ8 };
}
