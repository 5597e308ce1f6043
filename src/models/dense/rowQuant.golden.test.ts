import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configureOrt } from '../../../tools/lib/nodeSegmenter';
import { DenseModel, padBatch, type PromptCut, type VisionHandle } from './denseModel';

/*
 * The int8 CLIPSeg fixture (onnxruntime's own quantize_dynamic output) as the app loads it, its text
 * and decoder parts made per row (../onnx/rowQuant), against the same file split as exported (one
 * prompt, one row a run: what the app ran before). Every batched prompt and row is bit-identical to
 * its one-row run, and a neighbour does not change it. ORT WASM in Node.
 */
const FILE = 'fixtures/clipseg-tiny/model_quantized.onnx';
const HOOK_TIMEOUT = 60_000;
/** Six prompts of four tokens (start, two words, end): one token length, as the app's WASM runs. */
const PROMPTS = [
  [49406, 320, 736, 49407],
  [49406, 320, 1746, 49407],
  [49406, 320, 2368, 49407],
  [49406, 1901, 5922, 49407],
  [49406, 320, 10712, 49407],
  [49406, 736, 1746, 49407],
];
const OTHER = [49406, 3086, 2368, 49407];
const SIZE = 352;
const P = SIZE * SIZE;

let rowq: DenseModel;
let asIs: DenseModel;
let hRowq: VisionHandle;
let hAsIs: VisionHandle;
const bytes = () => new Uint8Array(readFileSync(FILE));
const values = (c: PromptCut) => Object.values(c).map((v) => Array.from(v.data as Float32Array));
const encode = async (m: DenseModel, rows: number[][]) => {
  const b = padBatch(rows, 49407);
  return m.encodeText(b.ids, b.mask, b.n, b.length);
};
const alone = async (m: DenseModel, rows: number[][]) =>
  (await Promise.all(rows.map((r) => encode(m, [r])))).flat();

beforeAll(async () => {
  configureOrt();
  rowq = await DenseModel.create(bytes(), 'wasm', 'per row');
  asIs = await DenseModel.create(bytes(), 'wasm', 'as exported', { rowQuant: false });
  const pixels = Float32Array.from({ length: 3 * P }, (_, i) => Math.sin(i * 0.37) * 1.5);
  hRowq = await rowq.runVision(pixels, SIZE, SIZE);
  hAsIs = await asIs.runVision(pixels, SIZE, SIZE);
}, HOOK_TIMEOUT);
afterAll(async () => {
  hRowq?.dispose();
  hAsIs?.dispose();
  await rowq?.release();
  await asIs?.release();
});

describe('clipseg-tiny int8, text and decoder made per row', () => {
  it('batches text and decoder rows (the exported file has to run them one at a time)', () => {
    expect(asIs.crossBatch).toEqual({ text: true, vision: true, joint: true });
    expect(rowq.crossBatch).toEqual({ text: false, vision: true, joint: false });
  });

  it('encodes each prompt of a batch bit-identically to its one-prompt run, whatever its neighbours', async () => {
    const one = await alone(asIs, PROMPTS);
    const batch = await encode(rowq, PROMPTS);
    expect(batch.map(values)).toEqual(one.map(values));
    const swapped = await encode(
      rowq,
      PROMPTS.map((p, i) => (i === 2 ? OTHER : p)),
    );
    for (const i of [0, 1, 3, 4, 5]) expect(values(swapped[i]!)).toEqual(values(one[i]!));
    expect(values(swapped[2]!)).not.toEqual(values(one[2]!));
    // The exported file batched: its prompts depend on each other (what the rewrite removes).
    const mixed = await encode(asIs, PROMPTS);
    expect(mixed.map(values)).not.toEqual(one.map(values));
  });

  it('decodes each row of a batch bit-identically to its one-row run, whatever its neighbours', async () => {
    const cuts = await alone(asIs, [...PROMPTS, OTHER]);
    const rows = cuts.slice(0, PROMPTS.length);
    const batch = await rowq.runDecoder(hRowq, rows);
    expect(batch.n).toBe(rows.length);
    const ones: Float32Array[] = [];
    for (const r of rows) ones.push((await asIs.runDecoder(hAsIs, [r])).logits);
    ones.forEach((l, i) => expect(batch.logits.subarray(i * P, (i + 1) * P)).toEqual(l));
    const swapped = await rowq.runDecoder(
      hRowq,
      rows.map((r, i) => (i === 2 ? cuts[PROMPTS.length]! : r)),
    );
    for (const i of [0, 1, 3, 4, 5]) expect(swapped.logits.subarray(i * P, (i + 1) * P)).toEqual(ones[i]);
    expect(swapped.logits.subarray(2 * P, 3 * P)).not.toEqual(ones[2]);
    const mixed = await asIs.runDecoder(hAsIs, rows);
    expect(mixed.logits.subarray(0, P)).not.toEqual(ones[0]);
  });
});
