/** A CLIPSeg bundle on disk in the Hugging Face hub's layout (plus this app's manifest). */
import { copyFile, mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildModelBytes, valueInfo } from '../../src/models/onnx/onnxBuilder';
import { DataType } from '../../src/models/onnx/onnxProto';
import { buildClipSeg, RD64_REFINED, TINY, torchParameterCount, type ClipSegSize } from './clipsegGraph';
import { GraphWriter } from './graphWriter';
import { quantizedName, writeQuantized, type QuantizedFile } from './quantizeBundle';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const MODEL_FILE = 'onnx/model.onnx';
const MEAN = [0.485, 0.456, 0.406];
const STD = [0.229, 0.224, 0.225];

export function clipSegModelBytes(s: ClipSegSize, seed: number) {
  const w = new GraphWriter(seed);
  buildClipSeg(w, s);
  const img = s.vision.image;
  const bytes = buildModelBytes({
    graph: {
      name: 'clipseg',
      node: w.nodes,
      initializer: w.initializers,
      input: [
        valueInfo('input_ids', DataType.INT64, ['batch_size', 'sequence_length']),
        valueInfo('attention_mask', DataType.INT64, ['batch_size', 'sequence_length']),
        valueInfo('pixel_values', DataType.FLOAT, ['batch_size', 3, img, img]),
      ],
      output: [valueInfo('logits', DataType.FLOAT, ['batch_size', img, img])],
    },
    producer: 'ovseg-web tools/make-clipseg-full.ts',
    docString: `random-weight CLIPSeg, seed ${seed}`,
  });
  return { bytes, nodes: w.nodes.length, fileParameters: w.floats };
}

/** transformers.js reads model_type and the sub-configs; the fields mirror the hub's config.json. */
function hubConfig(s: ClipSegSize) {
  const v = s.vision;
  const t = s.text;
  return {
    architectures: ['CLIPSegForImageSegmentation'],
    model_type: 'clipseg',
    projection_dim: s.projection,
    reduce_dim: s.reduce,
    extract_layers: s.extract,
    conditional_layer: 0,
    decoder_num_attention_heads: s.decoderHeads,
    decoder_intermediate_size: s.decoderMlp,
    decoder_hidden_act: 'quick_gelu',
    use_complex_transposed_convolution: true,
    logit_scale_init_value: 2.6592,
    text_config: {
      model_type: 'clipseg_text_model',
      hidden_size: t.hidden,
      intermediate_size: t.mlp,
      num_hidden_layers: t.layers,
      num_attention_heads: t.heads,
      max_position_embeddings: t.positions,
      vocab_size: t.vocab,
      bos_token_id: 49406,
      eos_token_id: 49407,
      pad_token_id: 1,
      hidden_act: 'quick_gelu',
    },
    vision_config: {
      model_type: 'clipseg_vision_model',
      hidden_size: v.hidden,
      intermediate_size: v.mlp,
      num_hidden_layers: v.layers,
      num_attention_heads: v.heads,
      image_size: 224,
      patch_size: v.patch,
      hidden_act: 'quick_gelu',
    },
  };
}

export interface BundleInfo {
  dir: string;
  file: string;
  bytes: number;
  nodes: number;
  fileParameters: number;
  torchParameters: number;
  /** The dynamic-int8 variant (onnx/model_quantized.onnx), unless `q8: false`. */
  quantized: QuantizedFile | null;
}

export async function writeClipSegBundle(
  dir: string,
  o: { seed: number; size: 'full' | 'tiny'; q8?: boolean },
): Promise<BundleInfo> {
  const s = o.size === 'full' ? RD64_REFINED : TINY;
  const { bytes, nodes, fileParameters } = clipSegModelBytes(s, o.seed);
  await mkdir(path.join(dir, 'onnx'), { recursive: true });
  const file = path.join(dir, MODEL_FILE);
  await writeFile(file, bytes);
  const json = (name: string, v: unknown) =>
    writeFile(path.join(dir, name), JSON.stringify(v, null, 2) + '\n');
  await json('config.json', hubConfig(s));
  await json('preprocessor_config.json', {
    image_processor_type: 'ViTImageProcessor',
    processor_class: 'CLIPSegProcessor',
    do_resize: true,
    size: { height: s.vision.image, width: s.vision.image },
    resample: 2,
    do_rescale: true,
    rescale_factor: 1 / 255,
    do_normalize: true,
    image_mean: MEAN,
    image_std: STD,
  });
  for (const f of ['tokenizer.json', 'tokenizer_config.json'])
    await copyFile(path.join(ROOT, 'fixtures/clip-tokenizer', f), path.join(dir, f));
  await json('special_tokens_map.json', {
    bos_token: '<|startoftext|>',
    eos_token: '<|endoftext|>',
    pad_token: '<|endoftext|>',
    unk_token: '<|endoftext|>',
  });
  await json('ovseg.json', benchManifest(`clipseg-bench-${o.size}`, s.vision.image));
  // After the manifest: writeQuantized adds its q8 entry.
  const quantized = o.q8 === false ? null : (await writeQuantized(dir, [MODEL_FILE]))[0]!;
  const torchParameters = torchParameterCount(s);
  return { dir, file, bytes: bytes.length, nodes, fileParameters, torchParameters, quantized };
}

/** The app's manifest for a hub-layout CLIPSeg folder (the bench also serves it for `--model <dir>`). */
export function benchManifest(id: string, size = 352, classMode?: 'max' | 'mean', q8 = false) {
  return {
    id,
    name: `CLIPSeg (${id})`,
    family: 'dense',
    description: 'CLIPSeg for the benchmark',
    licence: 'benchmark model',
    source: 'tools/make-clipseg-full.ts',
    model: { files: { fp32: MODEL_FILE, ...(q8 ? { q8: quantizedName(MODEL_FILE) } : {}) } },
    tokenizer: { json: 'tokenizer.json', config: 'tokenizer_config.json' },
    input: { kind: 'fixed', height: size, width: size },
    pixel: { mean: MEAN, std: STD },
    templates: ['{}'],
    threshold: 0,
    ...(classMode ? { classMode } : {}),
  };
}
