/**
 * The dense (CLIPSeg) family's description: one ONNX graph over text and pixels, split at load into
 * text part, vision tower and decoder. Main-thread-safe.
 */
import * as v from 'valibot';
import { defineFamily } from '../family';
import { familySchema, modelPart } from '../manifestSchema';
import { defaultRuleText, NAMES_RULE_LABELS, NAMES_RULES, rowsText, type RowsReport } from './namesRule';

const denseSchema = familySchema('dense', {
  model: modelPart,
  classMode: v.optional(v.picklist(['max', 'mean'], 'must be "max" or "mean"')),
});

export type DenseManifest = v.InferOutput<typeof denseSchema>;

/** What a dense result counts beside the common runs: the split model's own work. */
export interface DenseStats {
  /** Vision-tower runs, rows through the decoder, decoder bytes read back to the CPU (since load). */
  vision: number;
  decoderRows: number;
  bytesReadBack: number;
  /** Which rule scored classes with several names, and how many decoder rows it makes. */
  rows: RowsReport | undefined;
}

/** Per-class logits at the model's output resolution. */
export interface DenseDebug {
  classLogits: Float32Array;
}

export const denseFamily = defineFamily<typeof denseSchema, DenseStats, DenseDebug>({
  id: 'dense',
  label: 'Decoder row per name (CLIPSeg, split at load)',
  schema: denseSchema,
  parts: (m) => ({ model: m.model }),
  // The whole graph: its text part is cut from it at load.
  textPart: 'model',
  sizePart: 'model',
  settings: [
    {
      key: 'names',
      label: 'Class names',
      what: 'a rule for classes with several names',
      testId: 'names-rule',
      hint: "Best name is GKC's rule (one decoder row per name); averaging is cheaper (one row per class).",
      choices: NAMES_RULES.map((r) => ({ value: r, label: NAMES_RULE_LABELS[r] })),
      defaultFor: (m) => m.classMode ?? 'auto',
      describeDefault: (value) => defaultRuleText(value as (typeof NAMES_RULES)[number]),
    },
  ],
  statusLine: (s) =>
    s.rows
      ? { testId: 'names-status', text: rowsText(s.rows), data: { rule: s.rows.rule, rows: s.rows.count } }
      : null,
});
