/**
 * Test support for the dense-CLIP family (imported by tests only): the clip-vision-tiny fixture files
 * and a one-call ORT runner in Node (WASM).
 */
import { readFileSync } from 'node:fs';
import { ort } from '../runtime/ortRuntime';
import { halfToFloat } from '../onnx/half';

const DIR = 'fixtures/clip-vision-tiny';
export const bytesOf = (f: string): Uint8Array => new Uint8Array(readFileSync(`${DIR}/${f}`));
export const f32 = (f: string): Float32Array => {
  const b = readFileSync(`${DIR}/${f}`);
  return new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.length));
};

/** Runs a model once on float32 inputs; returns every output as float32 data and dims. */
export async function runOnce(
  model: Uint8Array,
  inputs: Record<string, { data: Float32Array; dims: number[] }>,
  ep: 'wasm' | 'webgpu' = 'wasm',
): Promise<Record<string, { data: Float32Array; dims: readonly number[] }>> {
  const s = await ort.InferenceSession.create(model, { executionProviders: [ep] });
  try {
    const feeds: Record<string, ort.Tensor> = {};
    for (const [k, v] of Object.entries(inputs)) feeds[k] = new ort.Tensor('float32', v.data, v.dims);
    const out = await s.run(feeds);
    const res: Record<string, { data: Float32Array; dims: readonly number[] }> = {};
    for (const [k, t] of Object.entries(out)) {
      const d = t.data;
      // float16 outputs come as raw bits (Uint16Array) where the runtime has no Float16Array.
      const data =
        t.type === 'float16'
          ? halfToFloat(Uint16Array.from(d as ArrayLike<number>))
          : d instanceof Float32Array
            ? d
            : Float32Array.from(d as ArrayLike<number>);
      res[k] = { data, dims: t.dims };
    }
    return res;
  } finally {
    await s.release();
  }
}

export function maxAbs(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`maxAbs: lengths ${a.length} and ${b.length} differ`);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

const TEXT = 'fixtures/clip-text-tiny';
const prompts = (JSON.parse(readFileSync(`${TEXT}/golden.json`, 'utf8')) as { prompts: string[] }).prompts;
const textEmbeds = (() => {
  const b = readFileSync(`${TEXT}/text_embeds.bin`);
  return new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.length));
})();
/**
 * Two golden prompts as classes ('{}' template). The tiny tower's random weights make its patches
 * nearly parallel (cosine >= 0.989), so most prompt sets let one class win everywhere; these two
 * split the 14x14 grid 19 / 177 in PyTorch's numbers, so the map has a boundary to get right.
 */
export const CLASSES = ['sky', 'a photo of a sky.'];

/**
 * Reference label map in float64 from PyTorch's outputs: dense_clearclip patches and the text tower's
 * embeddings of the bare names, 100 x cosine, softmax, every class upsampled bilinearly (half-pixel
 * centres, edges clamped), argmax.
 */
export function referenceLabels(W: number, H: number): Uint8Array {
  const D = 16;
  const g = 14;
  const dense = f32('dense_clearclip.bin');
  const names = CLASSES.map((c) => {
    const r = prompts.indexOf(c);
    const v = Array.from(textEmbeds.subarray(r * D, (r + 1) * D));
    const n = Math.hypot(...v);
    return v.map((x) => x / n);
  });
  const probs = CLASSES.map(() => new Float64Array(g * g));
  for (let p = 0; p < g * g; p++) {
    const l = names.map((t) => 100 * t.reduce((s, x, i) => s + x * dense[p * D + i]!, 0));
    const m = Math.max(...l);
    const e = l.map((x) => Math.exp(x - m));
    const s = e.reduce((a, b) => a + b, 0);
    e.forEach((x, c) => (probs[c]![p] = x / s));
  }
  const at = (c: number, y: number, x: number) => probs[c]![y * g + x]!;
  const src = (i: number, n: number) => {
    const f = Math.max(0, ((i + 0.5) * g) / n - 0.5);
    const a = Math.min(Math.floor(f), g - 1);
    return [a, Math.min(a + 1, g - 1), f - a] as const;
  };
  const out = new Uint8Array(W * H);
  for (let y = 0; y < H; y++)
    for (let x = 0; x < W; x++) {
      const [y0, y1, wy] = src(y, H);
      const [x0, x1, wx] = src(x, W);
      const v = CLASSES.map((_, c) => {
        const top = at(c, y0, x0) * (1 - wx) + at(c, y0, x1) * wx;
        const bot = at(c, y1, x0) * (1 - wx) + at(c, y1, x1) * wx;
        return top * (1 - wy) + bot * wy;
      });
      out[y * W + x] = v.indexOf(Math.max(...v)) + 1;
    }
  return out;
}

/** PyTorch's text embeddings of golden prompts, L2-normalised, one row each. */
export function goldenNameRows(names: string[]): Float32Array {
  const D = 16;
  const out = new Float32Array(names.length * D);
  names.forEach((n, k) => {
    const r = prompts.indexOf(n);
    if (r < 0) throw new Error(`${n} is not a golden prompt`);
    const v = textEmbeds.subarray(r * D, (r + 1) * D);
    const norm = Math.hypot(...v);
    v.forEach((x, i) => (out[k * D + i] = x / norm));
  });
  return out;
}
