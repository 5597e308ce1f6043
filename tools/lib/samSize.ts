/**
 * SAM's published sizes (transformers' SamConfig; upstream facebookresearch/segment-anything's
 * ViT-B layout) and the tiny fixture's, with the torch models' parameter counts.
 */

export interface SamSize {
  /** ImageEncoderViT: patch 16 on 1024 px, windowed blocks but `global`, neck to `out` channels. */
  encoder: {
    hidden: number;
    layers: number;
    heads: number;
    mlp: number;
    global: readonly number[];
    window: number;
    patch: number;
    image: number;
    out: number;
    /** LayerNorm eps of the blocks and of the neck's LayerNorm2d. */
    eps: number;
  };
  /** PromptEncoder: embeddings of `dim` (= the neck's `out`); random Fourier features of dim / 2. */
  prompt: { dim: number };
  /** MaskDecoder: the two-way transformer, 1 + `multimask` mask tokens, the IoU head. */
  decoder: {
    depth: number;
    heads: number;
    mlp: number;
    downsample: number;
    iouHidden: number;
    iouDepth: number;
    multimask: number;
    /** HF: the blocks' four LayerNorms 1e-6, the final one nn.LayerNorm's default 1e-5. */
    blockEps: number;
    finalEps: number;
  };
}

const DECODER: SamSize['decoder'] = {
  depth: 2,
  heads: 8,
  mlp: 2048,
  downsample: 2,
  iouHidden: 256,
  iouDepth: 3,
  multimask: 3,
  blockEps: 1e-6,
  finalEps: 1e-5,
};

/** `Xenova/sam-vit-base` (facebook/sam-vit-base): SamConfig's defaults. */
export const SAM_VIT_B: SamSize = {
  encoder: {
    hidden: 768,
    layers: 12,
    heads: 12,
    mlp: 3072,
    global: [2, 5, 8, 11],
    window: 14,
    patch: 16,
    image: 1024,
    out: 256,
    eps: 1e-6,
  },
  prompt: { dim: 256 },
  decoder: DECODER,
};

/** `Xenova/slimsam-77-uniform`: SAM ViT-B with the vision tower pruned to 168 wide, MLP 696. */
export const SLIMSAM_77: SamSize = {
  ...SAM_VIT_B,
  encoder: { ...SAM_VIT_B.encoder, hidden: 168, mlp: 696 },
};

/** fixtures/sam-tiny's `sam_config` (tools/sam-fixture/sam_tiny.py): every width and depth tiny. */
export const SAM_TINY: SamSize = {
  encoder: {
    hidden: 32,
    layers: 4,
    heads: 2,
    mlp: 128,
    global: [1, 3],
    window: 14,
    patch: 16,
    image: 1024,
    out: 32,
    eps: 1e-6,
  },
  prompt: { dim: 32 },
  decoder: {
    depth: 2,
    heads: 2,
    mlp: 64,
    downsample: 2,
    iouHidden: 32,
    iouDepth: 3,
    multimask: 3,
    blockEps: 1e-6,
    finalEps: 1e-5,
  },
};

export const SAM_SIZES = { slimsam77: SLIMSAM_77, 'sam-vit-b': SAM_VIT_B, tiny: SAM_TINY } as const;
export type SamSizeName = keyof typeof SAM_SIZES;

/** The side of the image embedding grid (64 for 1024 px and patch 16). */
export const gridOf = (s: SamSize) => s.encoder.image / s.encoder.patch;

/**
 * Parameters of the torch modules (upstream's `Sam`: image_encoder, prompt_encoder, mask_decoder),
 * counted from the architecture, independently of the graph builder.
 */
export function samParameterCount(s: SamSize) {
  const e = s.encoder;
  const g = gridOf(s);
  const hd = e.hidden / e.heads;
  const linear = (i: number, o: number) => i * o + o;
  const block = 4 * e.hidden + linear(e.hidden, 3 * e.hidden) + linear(e.hidden, e.hidden);
  const mlp = linear(e.hidden, e.mlp) + linear(e.mlp, e.hidden);
  const relPos = (i: number) => 2 * (2 * (e.global.includes(i) ? g : e.window) - 1) * hd;
  let encoder = linear(3 * e.patch * e.patch, e.hidden) + g * g * e.hidden;
  for (let i = 0; i < e.layers; i++) encoder += block + mlp + relPos(i);
  encoder += e.hidden * e.out + 2 * e.out + e.out * e.out * 9 + 2 * e.out;

  const d = s.prompt.dim;
  const maskIn = 16; // mask_in_chans: its branch exists in the module (not in a points-only graph)
  const maskDownscaling =
    linear(4, maskIn / 4) +
    (2 * maskIn) / 4 +
    linear((maskIn / 4) * 4, maskIn) +
    2 * maskIn +
    linear(maskIn, d);
  const promptEncoder = 4 * d + d + maskDownscaling + d; // 4 point embeddings, not-a-point, no-mask

  const m = s.decoder;
  const inner = d / m.downsample;
  const attn = (i: number) => 3 * linear(d, i) + linear(i, d);
  const twoWay = attn(d) + 2 * attn(inner) + linear(d, m.mlp) + linear(m.mlp, d) + 4 * 2 * d;
  const tokens = 1 + m.multimask;
  const mlp3 = (i: number, h: number, o: number, depth: number) =>
    linear(i, h) + (depth - 2) * linear(h, h) + linear(h, o);
  const maskDecoder =
    m.depth * twoWay +
    attn(inner) +
    2 * d +
    d +
    tokens * d +
    (d * (d / 4) * 4 + d / 4) +
    2 * (d / 4) +
    ((d / 4) * (d / 8) * 4 + d / 8) +
    tokens * mlp3(d, d, d / 8, 3) +
    mlp3(d, m.iouHidden, tokens, m.iouDepth);
  return { encoder, promptEncoder, maskDecoder };
}
