/**
 * Moving cut tensors in and out of ORT for the dense model: typed arrays <-> ort.Tensor, float16 as
 * Uint16Array bits, and the text part's feeds.
 */
import { ort } from '../runtime/ortRuntime';
import { padTokenRows } from '../tokenizer';
import { halfToFloat } from '../onnx/half';
import {
  classifyCut,
  slicePrompts,
  type CutData,
  type CutLayout,
  type CutValue,
  type PromptCut,
} from './cut';
import type { CutTensor } from './split';

/**
 * float16 data as Uint16Array bits: ORT returns Float16Array where the JS engine has one (recent
 * browsers) and Uint16Array elsewhere; one representation keeps cached prompts stackable.
 */
function halfBits(type: string, data: CutData): CutData {
  if (type !== 'float16' || data instanceof Uint16Array) return data;
  const d = data as unknown as ArrayBufferView & { length: number };
  return new Uint16Array(d.buffer, d.byteOffset, d.length);
}

export function toTensor(v: CutValue): ort.Tensor {
  return new ort.Tensor(v.type as 'float32', v.data as Float32Array, v.dims);
}

/** Reads a float output back to the CPU as float32 (then disposes it); `bytes`: what was read back. */
export async function readFloats(
  t: ort.Tensor,
): Promise<{ data: Float32Array; dims: number[]; bytes: number }> {
  const raw = (await t.getData()) as CutData;
  const data =
    t.type === 'float16' ? halfToFloat(halfBits(t.type, raw) as Uint16Array) : (raw as Float32Array);
  const dims = [...t.dims];
  t.dispose();
  return { data, dims, bytes: raw.byteLength };
}

export interface TokenBatch {
  ids: BigInt64Array;
  mask: BigInt64Array;
  n: number;
  length: number;
}

/** Runs the text part on a padded batch; every output comes back as a CutValue. */
export async function runText(
  session: ort.InferenceSession,
  b: TokenBatch,
): Promise<Record<string, CutValue>> {
  const feeds: Record<string, ort.Tensor> = {};
  for (const name of session.inputNames) {
    if (name === 'input_ids') feeds[name] = new ort.Tensor('int64', b.ids, [b.n, b.length]);
    else if (name === 'attention_mask') feeds[name] = new ort.Tensor('int64', b.mask, [b.n, b.length]);
    else if (name === 'position_ids') {
      const pos = new BigInt64Array(b.n * b.length);
      for (let i = 0; i < pos.length; i++) pos[i] = BigInt(i % b.length);
      feeds[name] = new ort.Tensor('int64', pos, [b.n, b.length]);
    } else throw new Error(`The text part has an input this engine cannot feed: ${name}`);
  }
  const res = await session.run(feeds);
  const out: Record<string, CutValue> = {};
  for (const [name, t] of Object.entries(res)) {
    out[name] = { type: t.type, data: halfBits(t.type, (await t.getData()) as CutData), dims: [...t.dims] };
    t.dispose();
  }
  return out;
}

/** Token rows padded for a text run, in the shape `runText` takes. */
export function padBatch(rows: number[][], pad: number, padTo = 0): TokenBatch {
  const b = padTokenRows(rows, pad, padTo);
  return { ids: b.ids, mask: b.mask, n: b.batch, length: b.length };
}

/**
 * How each text cut tensor depends on the prompt count: the text part run on the probes for
 * N = 1, 2, 3 at one padded length, then the shortest probe alone at its own length (see classifyCut).
 * Also returns the first probe's own cut (for warm-up), and `rowsAlone`: whether the first probe's
 * row came out bit-identical in the runs of 2 and 3 (false where batch-mates change a row, as
 * whole-batch int8 scales do, or a per-row rewrite took the wrong axis for the rows).
 */
export async function probeLayouts(
  text: ort.InferenceSession,
  cut: readonly CutTensor[],
  probes: number[][],
  pad: number,
): Promise<{ layouts: CutLayout[]; probe: PromptCut; rowsAlone: boolean }> {
  if (probes.length < 3) throw new Error('probeIds needs at least 3 prompts');
  const length = Math.max(...probes.slice(0, 3).map((r) => r.length));
  const shortest = probes.slice(0, 3).reduce((a, b) => (b.length < a.length ? b : a));
  const runs: Record<string, CutValue>[] = [];
  for (const n of [1, 2, 3]) runs.push(await runText(text, padBatch(probes.slice(0, n), pad, length)));
  runs.push(await runText(text, padBatch([shortest], pad)));
  const layouts = cut.map((c) =>
    classifyCut(
      c.name,
      runs.slice(0, 3).map((r) => r[c.name]!),
      runs[3]![c.name],
    ),
  );
  const probe: PromptCut = {};
  let rowsAlone = true;
  for (const l of layouts) {
    if (l.kind !== 'batched') continue;
    probe[l.name] = runs[0]![l.name]!;
    const own = probe[l.name]!.data;
    for (const r of runs.slice(1, 3)) {
      const first = slicePrompts(r[l.name]!, l.axis, r[l.name]!.dims[l.axis]!)[0]!.data;
      rowsAlone &&= first.length === own.length && first.every((x, i) => x === own[i]);
    }
  }
  return { layouts, probe, rowsAlone };
}

/** An NCHW input's fixed size when the graph declares one (CLIPSeg: 352 x 352), else null. */
export function fixedSize(
  dims: (number | string)[] | null | undefined,
): { width: number; height: number } | null {
  return dims?.length === 4 && typeof dims[2] === 'number' && typeof dims[3] === 'number'
    ? { width: dims[3], height: dims[2] }
    : null;
}
