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
): Promise<Record<string, { data: Float32Array; dims: readonly number[] }>> {
  const s = await ort.InferenceSession.create(model);
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
