/** CLIPSeg's published sizes (rd64-refined) and a toy size with the same architecture. */

export interface ClipSegSize {
  vision: { hidden: number; heads: number; mlp: number; layers: number; patch: number; image: number };
  text: { hidden: number; heads: number; mlp: number; layers: number; vocab: number; positions: number };
  projection: number;
  reduce: number;
  decoderHeads: number;
  decoderMlp: number;
  /** Vision layers whose outputs feed the decoder (HF's `extract_layers`). */
  extract: number[];
  /** Position grid the published weights were trained at (ViT-B/16 at 224: 14). */
  trainedGrid: number;
}

/** CIDAS/clipseg-rd64-refined (the hub's Xenova/clipseg-rd64-refined export). */
export const RD64_REFINED: ClipSegSize = {
  vision: { hidden: 768, heads: 12, mlp: 3072, layers: 12, patch: 16, image: 352 },
  text: { hidden: 512, heads: 8, mlp: 2048, layers: 12, vocab: 49408, positions: 77 },
  projection: 512,
  reduce: 64,
  decoderHeads: 4,
  decoderMlp: 2048,
  extract: [3, 6, 9],
  trainedGrid: 14,
};

/** Same architecture at toy size (tests, smoke runs of the benchmark). */
export const TINY: ClipSegSize = {
  vision: { hidden: 32, heads: 2, mlp: 64, layers: 4, patch: 16, image: 352 },
  text: { hidden: 16, heads: 2, mlp: 32, layers: 2, vocab: 49408, positions: 77 },
  projection: 16,
  reduce: 16,
  decoderHeads: 2,
  decoderMlp: 32,
  extract: [1, 2, 3],
  trainedGrid: 14,
};

/** Parameters of the torch model (dead vision layers and 224-px position table included). */
export function torchParameterCount(s: ClipSegSize): number {
  const layer = (d: number, m: number) => 4 * (d * d + d) + 2 * d * m + m + d + 4 * d;
  const v = s.vision;
  const t = s.text;
  const vision =
    v.hidden * 3 * v.patch * v.patch +
    v.hidden +
    (s.trainedGrid ** 2 + 1) * v.hidden +
    4 * v.hidden +
    v.layers * layer(v.hidden, v.mlp) +
    v.hidden * s.projection;
  const text =
    t.vocab * t.hidden +
    t.positions * t.hidden +
    t.layers * layer(t.hidden, t.mlp) +
    2 * t.hidden +
    t.hidden * s.projection;
  const r = s.reduce;
  const decoder =
    2 * (s.projection * r + r) +
    s.extract.length * (v.hidden * r + r) +
    s.extract.length * layer(r, s.decoderMlp) +
    (r * r * 9 + r) +
    (r * (r / 2) * (v.patch / 4) ** 2 + r / 2) +
    ((r / 2) * (v.patch / 4) ** 2 + 1);
  return vision + text + decoder + 1; // + logit_scale
}
