/**
 * Bare model parts for the floor (floor.ts) from a one-graph CLIPSeg export, with the app's own
 * three-way split: the text part (ending at the conditional embedding, as the app loads it), the
 * vision part (what depends on the pixels only) and the joint decoder, fed with `rows` text rows a
 * run against the one image's activations. Both batch sizes are the app's on WASM (decoder rows in
 * runs of up to DECODER_ROWS.wasm, prompts encoded 32 a run): a row or a prompt costs less in a
 * batch than alone, so a floor timed one at a time would not be a floor. An int8 `_quantized` file's
 * text and decoder parts are made per row by the split (src/models/onnx/rowQuant.ts), as the app
 * loads them, so they batch too; a part whose rows still depend on their batch-mates (crossBatch) is
 * timed one row or one prompt a run, as the app runs it (denseModel.ts).
 */
import { DECODER_ROWS, TEXT_ROWS } from '../../src/models/dense/chunks';
import { splitDenseModel } from '../../src/models/dense/split';
import { ort } from '../../src/models/runtime/ortRuntime';
import type { FloorParts } from './floor';

/**
 * "a cat": start, two words, end. The bench's vocabularies average 3.3 tokens a prompt (PASCAL VOC's
 * 79 names 3.28, ADE20K-150's 3.29) and the app runs prompts of one length together, so a prompt's
 * share of a 4-token batch is its text floor (a 7-token prompt would charge short names double).
 */
const PROMPT = [49406, 320, 2368, 49407];

export async function splitFloorParts(
  bytes: Uint8Array,
  ep: 'wasm' | 'webgpu' = 'wasm',
  decoderRows?: number,
  promptRows?: number,
): Promise<FloorParts> {
  const split = splitDenseModel(bytes, { textEnd: 'conditional' });
  if (!split.anchor) throw new Error('floor: the model has no conditional embedding to split at');
  const rows = decoderRows ?? (split.crossBatch.joint ? 1 : DECODER_ROWS[ep]);
  const textRows = promptRows ?? (split.crossBatch.text ? 1 : TEXT_ROWS);
  const opts = { executionProviders: [ep], graphOptimizationLevel: 'all' as const };
  const text = await ort.InferenceSession.create(split.text, opts);
  const vision = await ort.InferenceSession.create(split.vision, opts);
  const decoder = await ort.InferenceSession.create(split.joint, opts);
  const size = split.imageInputDims[split.imageInputs[0]!]?.slice(2).map(Number) ?? [352, 352];
  const [h, w] = [size[0] || 352, size[1] || 352];
  const pixels = new ort.Tensor(
    'float32',
    new Float32Array(3 * h * w).map((_, i) => Math.sin(i) * 0.5),
    [1, 3, h, w],
  );
  const n = PROMPT.length;
  const tokens = (count: number): Record<string, ort.Tensor> => ({
    input_ids: new ort.Tensor(
      'int64',
      BigInt64Array.from({ length: count * n }, (_, i) => BigInt(PROMPT[i % n]!)),
      [count, n],
    ),
    attention_mask: new ort.Tensor('int64', new BigInt64Array(count * n).fill(1n), [count, n]),
  });
  const textFeeds = tokens(textRows);
  const textOnly = (feeds: Record<string, ort.Tensor>) =>
    Object.fromEntries(Object.entries(feeds).filter(([k]) => text.inputNames.includes(k)));
  // The text part's outputs for one prompt, each repeated `rows` times along the batch axis.
  const one = await text.run(textOnly(tokens(1)));
  const row: Record<string, ort.Tensor> = {};
  for (const [k, t] of Object.entries(one)) {
    if (t.type !== 'float32') throw new Error(`floor: the text part's ${k} is ${t.type}, not float32`);
    const data = t.data as Float32Array;
    const out = new Float32Array(data.length * rows);
    for (let i = 0; i < rows; i++) out.set(data, i * data.length);
    row[k] = new ort.Tensor('float32', out, [rows * t.dims[0]!, ...t.dims.slice(1)]);
  }
  const states = await vision.run({ [vision.inputNames[0]!]: pixels });
  const decoderFeeds: Record<string, ort.Tensor> = {};
  for (const name of decoder.inputNames) {
    const v = states[name] ?? row[name];
    if (!v) throw new Error(`floor: no value for the decoder's input ${name}`);
    decoderFeeds[name] = v;
  }
  return {
    text: () => text.run(textOnly(textFeeds)),
    vision: () => vision.run({ [vision.inputNames[0]!]: pixels }),
    decoderRow: () => decoder.run(decoderFeeds),
    rowsPerRun: rows,
    textRowsPerRun: textRows,
    async release() {
      await Promise.all([text.release(), vision.release(), decoder.release()]);
    },
  };
}
