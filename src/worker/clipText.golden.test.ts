import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { configureOrt } from '../../tools/lib/nodeSegmenter';
import { createSession, ort } from '../models/runtime/ortRuntime';

const DIR = 'fixtures/clip-text-tiny';
const bin = (file: string) => {
  const b = readFileSync(`${DIR}/${file}`);
  return b.buffer.slice(b.byteOffset, b.byteOffset + b.length);
};
const maxAbs = (a: Float32Array, b: Float32Array) =>
  a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i]!)), 0);

/** A hub CLIP text encoder (input_ids -> text_embeds), each variant against its own reference. */
describe('clip-text-tiny golden (WASM, Node)', () => {
  const ids = new BigInt64Array(bin('input_ids.bin'));
  const run = async (file: string) => {
    configureOrt();
    const s = await createSession(new Uint8Array(readFileSync(`${DIR}/${file}`)), 'wasm', file);
    const out = await s.run({ input_ids: new ort.Tensor('int64', ids, [ids.length / 77, 77]) });
    await s.release();
    return out.text_embeds!.data as Float32Array;
  };

  it('fp32 matches PyTorch within 1e-5', async () => {
    const ref = new Float32Array(bin('text_embeds.bin'));
    expect(maxAbs(await run('text_model.onnx'), ref)).toBeLessThan(1e-5);
  });

  it.each([
    ['text_model_fp16.onnx', 'text_embeds_fp16_ort.bin'],
    ['text_model_quantized.onnx', 'text_embeds_quantized_ort.bin'],
  ])('%s matches its own onnxruntime reference within 1e-5', async (file, refFile) => {
    expect(maxAbs(await run(file), new Float32Array(bin(refFile)))).toBeLessThan(1e-5);
  });
});
