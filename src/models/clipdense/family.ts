/**
 * The dense-CLIP (ClearCLIP, training-free) family's description: a plain CLIP vision tower
 * (`image`, rewritten at load so every patch gets an embedding) and its text tower (`text`).
 * `input` is the tower's own (224x224); the picture is covered by such windows (`window`, the
 * default) or by one pass at `window.shortSide` with resized positions (`resolution: "single"`).
 * Main-thread-safe.
 */
import * as v from 'valibot';
import { DEFAULT_TEMPLATES } from '../clip/constants';
import { defineFamily } from '../family';
import { base, familySchema, int, LIMITS, modelPart, num, obj } from '../manifestSchema';

const clipDenseSchema = familySchema('clip-dense', {
  image: modelPart,
  text: modelPart,
  templates: v.optional(base.templates, () => [...DEFAULT_TEMPLATES]),
  logitScale: v.optional(num(...LIMITS.logitScale), 100),
  // The stride is at most a window (224), so windows cover the picture.
  window: v.optional(
    obj({ shortSide: v.optional(int(224, LIMITS.side[1]), 448), stride: v.optional(int(8, 224), 112) }),
    { shortSide: 448, stride: 112 },
  ),
  resolution: v.optional(v.picklist(['windows', 'single'], 'must be "windows" or "single"'), 'windows'),
});

export type ClipDenseManifest = v.InferOutput<typeof clipDenseSchema>;

/** Pictures whose patch embeddings were computed (one a new picture, its windows together). */
export interface ClipDenseStats {
  vision: number;
}

/** The picture's patch embeddings [windows, patches, dim] and the class logits at the patch grid. */
export interface ClipDenseDebug {
  classLogits: Float32Array;
  patchEmbeds: Float32Array;
}

export const clipDenseFamily = defineFamily<typeof clipDenseSchema, ClipDenseStats, ClipDenseDebug>({
  id: 'clip-dense',
  label: 'Patch embeddings scored by name embeddings (dense CLIP, ClearCLIP)',
  schema: clipDenseSchema,
  parts: (m) => ({ image: m.image, text: m.text }),
  textPart: 'text',
  sizePart: 'image',
});
