/** fixtures/sam-tiny for the SAM-named-by-CLIP maths tests: its arrays by golden.json name. */
import { readFileSync } from 'node:fs';

const DIR = 'fixtures/sam-tiny';

interface ArrayMeta {
  file: string;
  dtype: 'float32' | 'int64' | 'int32' | 'uint8' | 'uint16';
  shape: number[];
}

interface AmgConfig {
  points_per_side: number;
  points_per_batch: number;
  pred_iou_thresh: number;
  stability_score_thresh: number;
  stability_score_offset: number;
  box_nms_thresh: number;
  mask_threshold: number;
}

export interface SamTinyGolden {
  arrays: Record<string, ArrayMeta>;
  amg: {
    config: AmgConfig;
    upstream_defaults: AmgConfig & { min_mask_region_area: number };
    candidates: number;
    passed_iou: number;
    passed_both: number;
    kept_candidates: number[];
  };
  naming: Record<
    'vocabulary' | 'vocabulary_b',
    {
      arrays_prefix: string;
      classes: string[][];
      names: { name: string; class: number; clip_text_tiny_row: number }[];
      thresholds: Record<string, number>;
      label_counts: Record<string, number[]>;
    }
  > & { logit_scale: number };
  image: { width: number; height: number };
}

export const SAM_TINY = JSON.parse(readFileSync(`${DIR}/golden.json`, 'utf8')) as SamTinyGolden;

const TYPES = {
  float32: Float32Array,
  int64: BigInt64Array,
  int32: Int32Array,
  uint8: Uint8Array,
  uint16: Uint16Array,
};

export const fileBytes = (file: string): Uint8Array => new Uint8Array(readFileSync(`${DIR}/${file}`));

/** A golden array by name, as its dtype's typed array (a copy: aligned). */
export function samArray<T extends ArrayMeta['dtype']>(
  name: string,
  dtype: T,
): InstanceType<(typeof TYPES)[T]> {
  const meta = SAM_TINY.arrays[name];
  if (!meta) throw new Error(`sam-tiny has no array ${name}`);
  if (meta.dtype !== dtype) throw new Error(`sam-tiny ${name} is ${meta.dtype}, not ${dtype}`);
  const b = fileBytes(meta.file);
  return new TYPES[dtype](b.slice().buffer) as InstanceType<(typeof TYPES)[T]>;
}

/** PyTorch's text embeddings (clip-text-tiny, template '{}') of the rows a vocabulary names, L2-normalised. */
export function textRows(rows: number[]): Float32Array {
  const b = readFileSync('fixtures/clip-text-tiny/text_embeds.bin');
  const all = new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.length));
  const D = 16;
  const out = new Float32Array(rows.length * D);
  rows.forEach((r, k) => {
    const v = all.subarray(r * D, (r + 1) * D);
    const norm = Math.hypot(...v);
    v.forEach((x, i) => (out[k * D + i] = x / norm));
  });
  return out;
}
