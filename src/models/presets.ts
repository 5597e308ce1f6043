import type { DenseManifest, Dtype, Manifest } from './manifest';

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

export const PRESETS: Preset[] = [CLIPSEG];

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
