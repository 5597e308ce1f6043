/**
 * The dense (CLIPSeg) family's description: one ONNX graph over text and pixels, split at load into
 * text part, vision tower and decoder. Main-thread-safe.
 */
import * as v from 'valibot';
import { defineFamily } from '../family';
import { familySchema, modelPart } from '../manifestSchema';

const denseSchema = familySchema('dense', {
  model: modelPart,
  classMode: v.optional(v.picklist(['max', 'mean'], 'must be "max" or "mean"')),
});

export type DenseManifest = v.InferOutput<typeof denseSchema>;

export const denseFamily = defineFamily({
  id: 'dense',
  label: 'Decoder row per name (CLIPSeg, split at load)',
  schema: denseSchema,
  parts: (m) => ({ model: m.model }),
  // The whole graph: its text part is cut from it at load.
  textPart: 'model',
  sizePart: 'model',
  namesDefault: (m) => m.classMode ?? 'auto',
});
