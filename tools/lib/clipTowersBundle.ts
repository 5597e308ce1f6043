/**
 * A CLIP ViT-B/16 bundle on disk in the hub's layout of `Xenova/clip-vit-base-patch16` (random
 * weights, deterministic from the seed), plus this app's dense-CLIP manifest `ovseg.json`.
 */
import { copyFile, mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildModelBytes, valueInfo } from '../../src/models/onnx/onnxBuilder';
import { DataType } from '../../src/models/onnx/onnxProto';
import type { ClipDenseManifest } from '../../src/models/manifest';
import { CLIP_DENSE } from '../../src/models/presets';
import type { ClipSegSize } from './clipsegSize';
import { CLIP_B16, CLIP_TINY, ClipTowers } from './clipTowersGraph';
import { GraphWriter } from './graphWriter';
import { writeQuantized, type QuantizedFile } from './quantizeBundle';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const CLIP_MEAN = [0.48145466, 0.4578275, 0.40821073];
const CLIP_STD = [0.26862954, 0.26130258, 0.27577711];
export const VISION_FILE = 'onnx/vision_model.onnx';
export const TEXT_FILE = 'onnx/text_model.onnx';

export interface TowerFile {
  file: string;
  bytes: number;
  nodes: number;
  parameters: number;
}

export function clipTowerBytes(s: ClipSegSize, seed: number, which: 'vision' | 'text') {
  const w = new GraphWriter(seed);
  const b = new ClipTowers(w, s);
  const p = s.projection;
  const io =
    which === 'vision'
      ? {
          out: b.vision('pixel_values'),
          input: valueInfo('pixel_values', DataType.FLOAT, ['batch_size', 3, s.vision.image, s.vision.image]),
          embeds: 'image_embeds',
          hiddenDims: ['batch_size', (s.vision.image / s.vision.patch) ** 2 + 1, s.vision.hidden],
        }
      : {
          out: b.text('input_ids'),
          input: valueInfo('input_ids', DataType.INT64, ['batch_size', 'sequence_length']),
          embeds: 'text_embeds',
          hiddenDims: ['batch_size', 'sequence_length', s.text.hidden],
        };
  const bytes = buildModelBytes({
    graph: {
      name: `clip_${which}`,
      node: w.nodes,
      initializer: w.initializers,
      input: [io.input],
      output: [
        valueInfo(io.out.embeds, DataType.FLOAT, ['batch_size', p]),
        valueInfo(io.out.hidden, DataType.FLOAT, io.hiddenDims),
      ],
    },
    producer: 'ovseg-web tools/make-clip-b16-full.ts',
    docString: `random-weight CLIP ${which} tower, seed ${seed}`,
  });
  return { bytes, nodes: w.nodes.length, parameters: w.floats };
}

/** The hub's config.json fields transformers.js and readers of the folder look at. */
function hubConfig(s: ClipSegSize) {
  const { vision: v, text: t } = s;
  return {
    architectures: ['CLIPModel'],
    model_type: 'clip',
    projection_dim: s.projection,
    logit_scale_init_value: 2.6592,
    text_config: {
      model_type: 'clip_text_model',
      hidden_size: t.hidden,
      intermediate_size: t.mlp,
      num_hidden_layers: t.layers,
      num_attention_heads: t.heads,
      max_position_embeddings: t.positions,
      vocab_size: t.vocab,
      projection_dim: s.projection,
      bos_token_id: 49406,
      eos_token_id: 49407,
      pad_token_id: 1,
      hidden_act: 'quick_gelu',
    },
    vision_config: {
      model_type: 'clip_vision_model',
      hidden_size: v.hidden,
      intermediate_size: v.mlp,
      num_hidden_layers: v.layers,
      num_attention_heads: v.heads,
      image_size: v.image,
      patch_size: v.patch,
      projection_dim: s.projection,
      hidden_act: 'quick_gelu',
    },
  };
}

/**
 * The app's dense-CLIP manifest for this folder: the preset's own (templates, windows, logit scale,
 * resampling), with the files next to the manifest instead of in the hub repository, fp32 only.
 */
function clipDenseManifest(id: string) {
  const m = CLIP_DENSE.manifest as ClipDenseManifest;
  const { repo: _i, sizes: _s, ...image } = m.image;
  const { repo: _t, sizes: _z, ...text } = m.text;
  const { repo: _k, ...tokenizer } = m.tokenizer;
  return {
    ...m,
    id,
    name: `CLIP ViT-B/16 dense (${id})`,
    description: 'random-weight CLIP ViT-B/16 towers for the benchmark',
    licence: 'benchmark model',
    source: 'tools/make-clip-b16-full.ts',
    image: { ...image, files: { fp32: VISION_FILE } },
    text: { ...text, files: { fp32: TEXT_FILE } },
    tokenizer,
  };
}

export interface ClipBundleInfo {
  dir: string;
  vision: TowerFile;
  text: TowerFile;
  /** The towers' dynamic-int8 variants (`*_quantized.onnx`), unless `q8: false`. */
  quantized: QuantizedFile[];
}

export async function writeClipTowersBundle(
  dir: string,
  o: { seed: number; size: 'full' | 'tiny'; q8?: boolean },
): Promise<ClipBundleInfo> {
  const s = o.size === 'full' ? CLIP_B16 : CLIP_TINY;
  await mkdir(path.join(dir, 'onnx'), { recursive: true });
  // One tower at a time: the full-size weights are hundreds of MB each.
  const write = async (which: 'vision' | 'text', rel: string, seed: number): Promise<TowerFile> => {
    const { bytes, nodes, parameters } = clipTowerBytes(s, seed, which);
    const file = path.join(dir, rel);
    await writeFile(file, bytes);
    return { file, bytes: bytes.length, nodes, parameters };
  };
  const vision = await write('vision', VISION_FILE, o.seed);
  const text = await write('text', TEXT_FILE, o.seed + 1);
  const json = (name: string, v: unknown) =>
    writeFile(path.join(dir, name), JSON.stringify(v, null, 2) + '\n');
  await json('config.json', hubConfig(s));
  await json('preprocessor_config.json', {
    image_processor_type: 'CLIPImageProcessor',
    processor_class: 'CLIPProcessor',
    do_resize: true,
    size: { shortest_edge: s.vision.image },
    do_center_crop: true,
    crop_size: { height: s.vision.image, width: s.vision.image },
    resample: 3,
    do_rescale: true,
    rescale_factor: 1 / 255,
    do_normalize: true,
    do_convert_rgb: true,
    image_mean: CLIP_MEAN,
    image_std: CLIP_STD,
  });
  for (const f of ['tokenizer.json', 'tokenizer_config.json'])
    await copyFile(path.join(ROOT, 'fixtures/clip-tokenizer', f), path.join(dir, f));
  await json('ovseg.json', clipDenseManifest(`clip-b16-bench-${o.size}`));
  // After the manifest: writeQuantized adds the q8 entries.
  const quantized = o.q8 === false ? [] : await writeQuantized(dir, [VISION_FILE, TEXT_FILE]);
  return { dir, vision, text, quantized };
}
