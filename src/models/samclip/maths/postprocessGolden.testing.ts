/**
 * fixtures/sam-postprocess (tools/sam-postprocess/make_refs.py): PyTorch's post-processing of three
 * integer-defined low-res planes at several picture sizes. The planes are rebuilt here with the same
 * integer formulas, so their float32 values are the generator's bit for bit.
 */
import { readFileSync } from 'node:fs';

interface PostprocessCase {
  plane: string;
  height: number;
  width: number;
  resized: [number, number];
  sha256: string;
  counts: Record<string, number>;
  stability: number | null;
  box_xyxy: [number, number, number, number];
}

export interface PostprocessGolden {
  torch: string;
  low_res: number;
  planes: string[];
  special_values: number[];
  thresholds: number[];
  cases: PostprocessCase[];
}

export const POSTPROCESS = JSON.parse(
  readFileSync('fixtures/sam-postprocess/golden.json', 'utf8'),
) as PostprocessGolden;

/** The generator's 16-bit cell hash (int32 xor keeps the low bits of Python's exact products). */
const noise = (r: number, c: number, seed: number) =>
  ((r * 73856093) ^ (c * 19349663) ^ (seed * 83492791)) & 0xffff;

function value(kind: string, r: number, c: number, special: number[]): number {
  if (kind === 'blobs') {
    const a = 40 * 40 - ((r - 90) ** 2 + (c - 110) ** 2);
    const b = 25 * 25 - ((r - 170) ** 2 + (c - 40) ** 2);
    return Math.max(-24, Math.min(24, Math.max(a, b) / 64));
  }
  if (kind === 'special') {
    const k = (Math.floor(r / 8) * 7 + Math.floor(c / 8) * 3) % (special.length + 3);
    if (k < special.length) return special[k]!;
    if (k === special.length) return (noise(r, c, 1) - 32768) / 16384;
    if (k === special.length + 1) return ((c % 8) - 4) / 4;
    return ((r % 8) - 4) / 2;
  }
  return (noise(r, c, 2) - 32768) / 4096;
}

/** One of the golden's low-res planes, [256 * 256] float32. */
export function goldenPlane(kind: string): Float32Array {
  const n = POSTPROCESS.low_res;
  const out = new Float32Array(n * n);
  for (let r = 0; r < n; r++)
    for (let c = 0; c < n; c++) out[r * n + c] = value(kind, r, c, POSTPROCESS.special_values);
  return out;
}
