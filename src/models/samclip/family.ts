/**
 * The SAM-proposals-named-by-CLIP family's description (GKC's structure on public weights): SAM's
 * image encoder and prompt decoder propose class-agnostic masks (an automatic point grid, or the
 * user's clicks), a CLIP vision tower made dense by ClearCLIP's surgery gives each mask one
 * embedding, and the CLIP text tower's name embeddings score it (GKC's combine). Main-thread-safe.
 */
import * as v from 'valibot';
import { CLIP_MEAN, CLIP_STD, DEFAULT_TEMPLATES } from '../clip/constants';
import { defineFamily } from '../family';
import { base, familySchema, int, LIMITS, modelPart, num, obj } from '../manifestSchema';

const triple = (min: number, max: number) => v.tuple([num(min, max), num(min, max), num(min, max)]);

/** SamAutomaticMaskGenerator's settings (facebookresearch/segment-anything), its defaults. */
export const AMG_DEFAULTS = {
  pointsPerSide: { wasm: 16, webgpu: 32 },
  pointsPerBatch: 64,
  predIouThresh: 0.88,
  stabilityScoreThresh: 0.95,
  stabilityScoreOffset: 1,
  boxNmsThresh: 0.7,
  minMaskRegionArea: 0,
};

/** How the CLIP tower sees the picture by default: ClearCLIP's 224 windows over a 448 short side. */
export const CLIP_DEFAULTS = {
  pixel: { mean: [...CLIP_MEAN], std: [...CLIP_STD] } as {
    mean: [number, number, number];
    std: [number, number, number];
  },
  resample: 'bicubic' as 'bilinear' | 'bicubic' | undefined,
  resolution: 'windows' as 'windows' | 'single',
  window: { shortSide: 448, stride: 112 },
};

const samClipSchema = familySchema('sam-clip', {
  /** SAM's image encoder (`pixel_values` -> `image_embeddings`, `image_positional_embeddings`). */
  encoder: modelPart,
  /** SAM's prompt encoder and mask decoder (points + embeddings -> `iou_scores`, `pred_masks`). */
  decoder: modelPart,
  /** A CLIP vision tower (made dense at load) and its text tower. */
  image: modelPart,
  text: modelPart,
  templates: v.optional(base.templates, () => [...DEFAULT_TEMPLATES]),
  logitScale: v.optional(num(...LIMITS.logitScale), 100),
  /** How the CLIP tower sees the picture (its own normalisation, windows or one pass). */
  clip: v.optional(
    obj({
      pixel: v.optional(
        obj({ mean: triple(...LIMITS.mean), std: triple(...LIMITS.std) }),
        CLIP_DEFAULTS.pixel,
      ),
      resample: v.optional(v.picklist(['bilinear', 'bicubic'], 'must be "bilinear" or "bicubic"'), 'bicubic'),
      resolution: v.optional(v.picklist(['windows', 'single'], 'must be "windows" or "single"'), 'windows'),
      window: v.optional(
        obj({ shortSide: v.optional(int(224, LIMITS.side[1]), 448), stride: v.optional(int(8, 224), 112) }),
        CLIP_DEFAULTS.window,
      ),
    }),
    CLIP_DEFAULTS,
  ),
  /** The automatic mask generation's settings; the defaults are upstream's. */
  amg: v.optional(
    obj({
      pointsPerSide: v.optional(obj({ wasm: int(1, 64), webgpu: int(1, 64) }), AMG_DEFAULTS.pointsPerSide),
      pointsPerBatch: v.optional(int(1, 256), AMG_DEFAULTS.pointsPerBatch),
      predIouThresh: v.optional(num(0, 1), AMG_DEFAULTS.predIouThresh),
      stabilityScoreThresh: v.optional(num(0, 1), AMG_DEFAULTS.stabilityScoreThresh),
      stabilityScoreOffset: v.optional(num(0, 10), AMG_DEFAULTS.stabilityScoreOffset),
      boxNmsThresh: v.optional(num(0, 1), AMG_DEFAULTS.boxNmsThresh),
      minMaskRegionArea: v.optional(int(0, 1_000_000), AMG_DEFAULTS.minMaskRegionArea),
    }),
    AMG_DEFAULTS,
  ),
  /** What labels pixels no mask covers: the dense-CLIP label of their patch, or none. */
  uncovered: v.optional(v.picklist(['patch', 'unlabelled'], 'must be "patch" or "unlabelled"'), 'patch'),
});

export type SamClipManifest = v.InferOutput<typeof samClipSchema>;

/** One proposed object: its best class, that class's probability, its size, the point that made it. */
export interface SamObject {
  label: string;
  score: number;
  area: number;
  point: [number, number];
}

/** What a result counts: the grid it ran, the decoder's work, the masks kept and the objects. */
export interface SamClipStats {
  encoderRuns: number;
  grid: number;
  /** A live frame: the grid is at most 8 x 8 there. */
  live: boolean;
  /** Points through the decoder since load (grids and clicks). */
  decoderPoints: number;
  masks: number;
  uncovered: 'patch' | 'unlabelled';
  objects: SamObject[];
}

/** The kept masks (as upstream records them) and the naming's inputs and outputs. */
export interface SamClipDebug {
  /** [K] predicted IoU, stability score, the grid point (index) and the multimask output (0..2). */
  iou: Float32Array;
  stability: Float32Array;
  source: Int32Array;
  /** [K, H*W] the kept masks at the picture's size (0/1). */
  masks: Uint8Array;
  /** [K, D] mask embeddings and [K, C] class probabilities. */
  maskEmbeds: Float32Array;
  classProbs: Float32Array;
}

const GRIDS = ['auto', '8', '16', '32', '64'];

export const samClipFamily = defineFamily<typeof samClipSchema, SamClipStats, SamClipDebug>({
  id: 'sam-clip',
  label: 'SAM mask proposals named by CLIP (GKC on public weights)',
  schema: samClipSchema,
  parts: (m) => ({ encoder: m.encoder, decoder: m.decoder, image: m.image, text: m.text }),
  textPart: 'text',
  sizePart: 'encoder',
  settings: [
    {
      key: 'grid',
      label: 'Proposal grid',
      what: 'a point grid size (points per side)',
      testId: 'sam-grid',
      hint: 'Points per side of the grid SAM proposes masks from: more finds smaller objects, and costs more decoder runs.',
      choices: GRIDS.map((g) => ({ value: g, label: g === 'auto' ? 'auto (by backend)' : `${g} x ${g}` })),
      defaultFor: () => 'auto',
      describeDefault: () =>
        'Proposal grid: by backend (the manifest says per backend). Switch with "Proposal grid" or ?grid=.',
    },
    {
      key: 'uncovered',
      label: 'Pixels no mask covers',
      what: 'a rule for pixels no mask covers',
      testId: 'sam-uncovered',
      hint: "Pixels outside every proposed mask: labelled by dense CLIP's patch, or left unlabelled.",
      choices: [
        { value: 'patch', label: "dense CLIP's label of their patch" },
        { value: 'unlabelled', label: 'unlabelled' },
      ],
      defaultFor: (m) => m.uncovered,
      describeDefault: (value) =>
        `Pixels no mask covers: ${value === 'patch' ? "dense CLIP's label of their patch" : 'unlabelled'} by default.`,
    },
  ],
  statusLine: (s) => ({
    testId: 'sam-status',
    text: `Objects: ${s.masks} masks from a ${s.grid} x ${s.grid} grid${s.live ? ' (live video: at most 8 x 8)' : ''}`,
    data: { masks: s.masks, grid: s.grid, decoder: s.decoderPoints },
  }),
  legendNote: (s) =>
    s.uncovered === 'patch'
      ? "Pixels no mask covers take dense CLIP's label of their patch."
      : 'Pixels no mask covers are left unlabelled.',
  objects: (s) => s.objects,
  clickHint: 'Click an object to outline and name it; Shift-click a point off it; Escape clears the points.',
  exportsInstances: true,
});
