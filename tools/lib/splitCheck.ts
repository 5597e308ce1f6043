/**
 * Split == unsplit: runs a dense (CLIPSeg-style) ONNX model whole, then split three ways as the app
 * runs it (text part per prompt batch, vision tower once, decoder in chunks of rows on the kept
 * vision outputs), and compares the logits. For any model, e.g. the full-size random-weight export:
 * the bench calls `compareSplitToWhole`; `splitCheckInputs` makes seeded prompts and pixels.
 * ORT WASM in Node; the whole-graph session is released before the split one is made (peak memory).
 */
import { DenseModel, padBatch } from '../../src/models/dense/denseModel';
import type { TextEnd } from '../../src/models/dense/split';
import { ort } from '../../src/models/runtime/ortRuntime';
import { configureOrt } from './nodeSegmenter';
import { prng } from '../../test-support/prng';

export interface SplitCheckInputs {
  /** Token rows, start/end tokens included (padded with `padId` for the whole-graph run). */
  rows: number[][];
  padId?: number;
  /** NCHW [1, 3, height, width]. */
  pixels: Float32Array;
  width: number;
  height: number;
}

export interface SplitCheckResult {
  maxAbs: number;
  /** max - min of the whole graph's logits. */
  range: number;
  /** maxAbs / range: the figure to hold under 1e-3. */
  relative: number;
  visionRuns: number;
  decoderRuns: number;
  n: number;
}

/** Seeded prompts of CLIP token ids (lengths 3 to 10) and pixels in about [-2, 2]. */
export function splitCheckInputs(n: number, width = 352, height = 352, seed = 1): SplitCheckInputs {
  const r = prng(seed);
  const rows = Array.from({ length: n }, () => {
    const len = 1 + Math.floor(r() * 8);
    return [49406, ...Array.from({ length: len }, () => 256 + Math.floor(r() * 40000)), 49407];
  });
  const pixels = Float32Array.from({ length: 3 * width * height }, () => 4 * r() - 2);
  return { rows, pixels, width, height };
}

export async function compareSplitToWhole(
  bytes: Uint8Array,
  input: SplitCheckInputs,
  o: { textEnd?: TextEnd; chunk?: number } = {},
): Promise<SplitCheckResult> {
  configureOrt();
  const pad = input.padId ?? 49407;
  const b = padBatch(input.rows, pad);
  const pixels = new ort.Tensor('float32', input.pixels, [1, 3, input.height, input.width]);
  const whole = await ort.InferenceSession.create(bytes);
  let ref: Float32Array;
  try {
    const feeds: Record<string, ort.Tensor> = { pixel_values: pixels };
    if (whole.inputNames.includes('input_ids'))
      feeds.input_ids = new ort.Tensor('int64', b.ids, [b.n, b.length]);
    if (whole.inputNames.includes('attention_mask'))
      feeds.attention_mask = new ort.Tensor('int64', b.mask, [b.n, b.length]);
    const out = await whole.run(feeds);
    ref = (await out.logits!.getData()) as Float32Array;
  } finally {
    await whole.release();
  }
  const m = await DenseModel.create(bytes, 'wasm', 'the model', o.textEnd ? { textEnd: o.textEnd } : {});
  try {
    // The same padded batch as the whole graph saw, so padding does not differ.
    const cuts = await m.encodeText(b.ids, b.mask, b.n, b.length);
    const handle = await m.runVision(input.pixels, input.width, input.height);
    const chunk = o.chunk ?? 16;
    const parts: Float32Array[] = [];
    for (let i = 0; i < cuts.length; i += chunk)
      parts.push((await m.runDecoder(handle, cuts.slice(i, i + chunk))).logits);
    handle.dispose();
    let maxAbs = 0;
    let lo = Infinity;
    let hi = -Infinity;
    let k = 0;
    for (const p of parts)
      for (const v of p) {
        const w = ref[k++]!;
        maxAbs = Math.max(maxAbs, Math.abs(v - w));
        lo = Math.min(lo, w);
        hi = Math.max(hi, w);
      }
    if (k !== ref.length) throw new Error(`The split gave ${k} logits, the whole graph ${ref.length}`);
    const range = hi - lo;
    return {
      maxAbs,
      range,
      relative: range > 0 ? maxAbs / range : maxAbs,
      visionRuns: m.visionRuns,
      decoderRuns: m.decoderRuns,
      n: b.n,
    };
  } finally {
    await m.release();
  }
}
