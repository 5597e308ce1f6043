/** Test support for the SAM family (imported by tests only): the sam-tiny fixture's files. */
import { readFileSync } from 'node:fs';

const DIR = 'fixtures/sam-tiny';
export const GOLDEN = JSON.parse(readFileSync(`${DIR}/golden.json`, 'utf8')) as {
  decoder_cases: Record<
    string,
    { input_points: string; input_labels: string; iou_scores: string; pred_masks: string }
  >;
  sam_preprocess: { mean: number[]; std: number[]; pixel_values: { sha256: string } };
  amg: Record<string, unknown>;
  naming: Record<string, unknown>;
};
export const bytesOf = (f: string): Uint8Array => new Uint8Array(readFileSync(`${DIR}/${f}`));
const view = (f: string) => {
  const b = readFileSync(`${DIR}/${f}`);
  return b.buffer.slice(b.byteOffset, b.byteOffset + b.length);
};
export const f32 = (name: string): Float32Array => new Float32Array(view(`${name}.bin`));
export const i64 = (name: string): number[] => Array.from(new BigInt64Array(view(`${name}.bin`)), Number);
export const u8 = (name: string): Uint8Array => new Uint8Array(view(`${name}.bin`));
export const u16 = (name: string): Uint16Array => new Uint16Array(view(`${name}.bin`));

export const maxAbs = (a: ArrayLike<number>, b: ArrayLike<number>): number => {
  if (a.length !== b.length) return Infinity;
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
};
