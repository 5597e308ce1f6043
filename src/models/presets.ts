import { CLIP_MEAN, CLIP_STD, DEFAULT_TEMPLATES } from './clip/constants';
import type { ClipDenseManifest, DenseManifest, Dtype, Manifest } from './manifest';
import { AMG_DEFAULTS, CLIP_DEFAULTS } from './samclip/family';

const IMAGENET = { mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225] } as DenseManifest['pixel'];

/** A model the app knows how to fetch from the hub, described by an inline manifest. */
export interface Preset {
  id: string;
  manifest: Manifest;
  /** Shown in the model manager. */
  summary: string;
  repoUrl: string;
}

const CLIPSEG: Preset = {
  id: 'clipseg-rd64-refined',
  summary: 'CLIPSeg (rd64, refined): segments any object or stuff you can name. Runs on WebGPU or WASM.',
  repoUrl: 'https://huggingface.co/Xenova/clipseg-rd64-refined',
  manifest: {
    id: 'clipseg-rd64-refined',
    name: 'CLIPSeg rd64-refined',
    family: 'dense',
    description: 'CLIPSeg (Lüddecke & Ecker, CVPR 2022), ONNX export from the Hugging Face hub.',
    licence: 'Apache-2.0 (CIDAS/clipseg-rd64-refined)',
    source: 'https://huggingface.co/Xenova/clipseg-rd64-refined',
    model: {
      repo: 'Xenova/clipseg-rd64-refined',
      files: { fp32: 'onnx/model.onnx', fp16: 'onnx/model_fp16.onnx', q8: 'onnx/model_quantized.onnx' },
      // Approximate, for the model manager until the real sizes are known.
      sizes: { fp32: 603e6, fp16: 302e6, q8: 153e6 },
    },
    tokenizer: {
      repo: 'Xenova/clipseg-rd64-refined',
      json: 'tokenizer.json',
      config: 'tokenizer_config.json',
    },
    input: { kind: 'fixed', height: 352, width: 352 },
    pixel: IMAGENET,
    templates: ['{}'],
    threshold: 0.4,
  },
};

const CLIP_PIXEL = { mean: [...CLIP_MEAN], std: [...CLIP_STD] } as ClipDenseManifest['pixel'];

/** Hub repository of the CLIP ViT-B/16 towers (vision and text, each in fp32 / fp16 / int8). */
const CLIP_B16 = 'Xenova/clip-vit-base-patch16';

export const CLIP_DENSE: Preset = {
  id: 'clip-vit-b16-dense',
  summary:
    'Plain CLIP made dense without training (ClearCLIP): one image pass serves any number of classes, ' +
    'so it is the one for long vocabularies, stuff and whole scenes (ADE20K, COCO-Stuff). ' +
    'Boundaries are coarse (16-pixel patches); small objects are often missed.',
  repoUrl: `https://huggingface.co/${CLIP_B16}`,
  manifest: {
    id: 'clip-vit-b16-dense',
    name: 'CLIP ViT-B/16, dense (ClearCLIP, training-free)',
    family: 'clip-dense',
    description:
      'OpenAI CLIP ViT-B/16 with its last layer rewritten at load as ClearCLIP (Lan et al., ECCV 2024): ' +
      'q-q attention, no residual, no MLP, the projection on every patch; 224x224 windows over the picture.',
    licence: 'MIT (openai/clip-vit-base-patch16)',
    source: `https://huggingface.co/${CLIP_B16}`,
    image: {
      repo: CLIP_B16,
      files: {
        fp32: 'onnx/vision_model.onnx',
        fp16: 'onnx/vision_model_fp16.onnx',
        q8: 'onnx/vision_model_quantized.onnx',
      },
      // Approximate, for the model manager until the real sizes are known.
      sizes: { fp32: 345e6, fp16: 173e6, q8: 88e6 },
    },
    text: {
      repo: CLIP_B16,
      files: {
        fp32: 'onnx/text_model.onnx',
        fp16: 'onnx/text_model_fp16.onnx',
        q8: 'onnx/text_model_quantized.onnx',
      },
      sizes: { fp32: 254e6, fp16: 127e6, q8: 64e6 },
    },
    tokenizer: { repo: CLIP_B16, json: 'tokenizer.json', config: 'tokenizer_config.json' },
    input: { kind: 'fixed', height: 224, width: 224, resample: 'bicubic' },
    pixel: CLIP_PIXEL,
    templates: [...DEFAULT_TEMPLATES],
    logitScale: 100,
    window: { shortSide: 448, stride: 112 },
    resolution: 'windows',
    threshold: 0,
  },
};

/** SAM's graphs as transformers.js exports them, in a hub repository. */
function samPart(repo: string, graph: string, sizes: Record<'fp32' | 'fp16' | 'q8', number>) {
  return {
    repo,
    files: {
      fp32: `onnx/${graph}.onnx`,
      fp16: `onnx/${graph}_fp16.onnx`,
      q8: `onnx/${graph}_quantized.onnx`,
    },
    sizes,
  };
}

/** SAM proposals named by dense CLIP ViT-B/16: one preset per SAM checkpoint. */
function samClip(o: {
  id: string;
  repo: string;
  name: string;
  summary: string;
  licence: string;
  encoder: Record<'fp32' | 'fp16' | 'q8', number>;
  decoder: Record<'fp32' | 'fp16' | 'q8', number>;
}): Preset {
  const clip = CLIP_DENSE.manifest as ClipDenseManifest;
  return {
    id: o.id,
    summary: o.summary,
    repoUrl: `https://huggingface.co/${o.repo}`,
    manifest: {
      id: o.id,
      name: o.name,
      family: 'sam-clip',
      description:
        'Segment Anything proposes object masks from a point grid (or your clicks); each mask is named by ' +
        'the mean of its dense CLIP ViT-B/16 patch embeddings (ClearCLIP) against your class names (GKC).',
      licence: o.licence,
      source: `https://huggingface.co/${o.repo}`,
      // Approximate, for the model manager until the real sizes are known.
      encoder: samPart(o.repo, 'vision_encoder', o.encoder),
      decoder: samPart(o.repo, 'prompt_encoder_mask_decoder', o.decoder),
      image: clip.image,
      text: clip.text,
      tokenizer: clip.tokenizer,
      input: { kind: 'dynamic', longSide: 1024, multiple: 1 },
      pixel: IMAGENET,
      templates: [...DEFAULT_TEMPLATES],
      logitScale: 100,
      clip: CLIP_DEFAULTS,
      amg: AMG_DEFAULTS,
      uncovered: 'patch',
      threshold: 0,
    } as Manifest,
  };
}

const SLIMSAM = samClip({
  id: 'slimsam-77-clip-b16',
  repo: 'Xenova/slimsam-77-uniform',
  name: 'SlimSAM-77 + CLIP ViT-B/16 (object masks named by CLIP)',
  summary:
    'Object outlines: SAM (pruned to 77 % fewer weights) proposes masks that follow objects, and CLIP names ' +
    'each one, so many classes cost no more than one. Costs a SAM encoder pass and a decoder run per grid ' +
    'point a picture; a click runs the decoder only.',
  licence: 'Apache-2.0 (SlimSAM), MIT (CLIP)',
  encoder: { fp32: 23e6, fp16: 12e6, q8: 9e6 },
  decoder: { fp32: 17e6, fp16: 9e6, q8: 5e6 },
});

const SAM_BASE = samClip({
  id: 'sam-vit-b-clip-b16',
  repo: 'Xenova/sam-vit-base',
  name: 'SAM ViT-B + CLIP ViT-B/16 (object masks named by CLIP)',
  summary:
    "Object outlines with Segment Anything's own ViT-B encoder (finer masks than SlimSAM, a far larger " +
    'download and encoder pass), each mask named by CLIP: many classes cost no more than one.',
  licence: 'Apache-2.0 (SAM), MIT (CLIP)',
  encoder: { fp32: 358e6, fp16: 179e6, q8: 100e6 },
  decoder: { fp32: 17e6, fp16: 9e6, q8: 5e6 },
});

export const PRESETS: Preset[] = [CLIPSEG, CLIP_DENSE, SLIMSAM, SAM_BASE];

export interface VariantChoice {
  prefer: Dtype[];
  reason: string;
}

/**
 * The file variants to try, in order, per backend when nothing more is known: int8 graphs fall off
 * the WebGPU EP; int8 is the fast choice on WASM. chooseVariant refines it with the adapter's features.
 */
export const DTYPE_ORDER: Readonly<Record<'webgpu' | 'wasm', readonly Dtype[]>> = {
  webgpu: ['fp32', 'fp16', 'q8'],
  wasm: ['q8', 'fp32', 'fp16'],
};

/**
 * Which file variant to run, and why: fp16 where the adapter has shader-f16 and buffers large
 * enough, fp32 otherwise on WebGPU (int8 graphs fall off the WebGPU EP), int8 on WASM.
 */
export function chooseVariant(
  ep: 'webgpu' | 'wasm',
  gpu: { f16: boolean; maxBufferSize: number } | null,
  sizes: Partial<Record<Dtype, number>> = {},
): VariantChoice {
  if (ep === 'wasm') return { prefer: [...DTYPE_ORDER.wasm], reason: 'int8 runs fastest on the CPU (WASM)' };
  const fp16Fits = (sizes.fp16 ?? 0) <= (gpu?.maxBufferSize ?? 0);
  if (gpu?.f16 && fp16Fits) {
    const rest = DTYPE_ORDER.webgpu.filter((d) => d !== 'fp16');
    return { prefer: ['fp16', ...rest], reason: 'the GPU supports shader-f16' };
  }
  return {
    prefer: [...DTYPE_ORDER.webgpu],
    reason: gpu?.f16 ? 'fp16 exceeds the GPU buffer limit' : 'the GPU has no shader-f16 support',
  };
}
