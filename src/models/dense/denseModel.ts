/**
 * The dense (CLIPSeg) family's two ORT sessions, made from one ONNX file split at load time.
 *
 * `encodeText` runs the text part on a batch of prompts and returns each prompt's own cut tensors
 * (cache them per prompt); `stack` builds the image part's cut inputs for any N prompts from those;
 * `runImage` runs the image part on one image against the N stacked prompts -> logits [N, h, w].
 *
 * How batch dims of cut tensors are detected: at load, the text part is run on probe prompts for
 * N = 1, 2, 3 (and N = 1 with another length); see `classifyCut` in ./cut.ts. A tensor with exactly
 * one axis of size N is `batched` (sliced per prompt on that axis, re-concatenated for any N); a
 * tensor that never changes is `fixed` (kept once); an int tensor whose values are an exact affine
 * function of N (a shape such as [N] for a Reshape) is `count` (re-created for the N stacked).
 * Anything else fails the load with a CutError (it could not be cached per prompt).
 */
import { createSession, ort, type Ep } from '../../worker/ortRuntime';
import { padTokenRows } from '../tokenizer';
import {
  classifyCut,
  floatToHalf,
  halfToFloat,
  slicePrompts,
  stackCut,
  type CutData,
  type CutLayout,
  type CutValue,
  type PromptCut,
} from './cut';
import { SplitError, splitDenseModel, type DenseSplit, type SplitOptions, type SplitStats } from './split';

export type { CutLayout, CutValue, PromptCut };

export interface DenseModelOptions extends SplitOptions {
  /**
   * Probe prompts as token ids (start/end tokens included), at least 3 rows, not all of one length. Default: CLIP ids of "a red", "a red disc", "grass" (start/end 49406/49407),
   * valid for any model with CLIP's vocabulary.
   */
  probeIds?: number[][];
  /** Pad token for batched probes (CLIP pads with the end token, 49407). */
  padId?: number;
}

const CLIP_PROBES = [
  [49406, 320, 736, 49407],
  [49406, 320, 736, 10712, 49407],
  [49406, 5922, 49407],
];

/** Token rows padded for a text run, in the shape `runText` takes. */
export function padBatch(
  rows: number[][],
  pad: number,
  padTo = 0,
): { ids: BigInt64Array; mask: BigInt64Array; n: number; length: number } {
  const b = padTokenRows(rows, pad, padTo);
  return { ids: b.ids, mask: b.mask, n: b.batch, length: b.length };
}

export class DenseModel {
  /** Text-model runs since load (probes excluded). */
  textRuns = 0;
  imageRuns = 0;

  private constructor(
    private text: ort.InferenceSession,
    private image: ort.InferenceSession,
    /** How each cut tensor depends on the prompt count, in the image model's input order. */
    readonly layouts: CutLayout[],
    /** Split at the conditional embedding: its tensor name (then the only batched cut), else null. */
    readonly conditional: string | null,
    /** See DenseSplit.crossBatch: true for `_quantized` exports. */
    readonly crossBatch: { text: boolean; image: boolean },
    /** The image input's fixed size when the graph declares one (CLIPSeg: 352 x 352). */
    readonly inputSize: { width: number; height: number } | null,
    readonly stats: SplitStats,
    private pixelName: string,
    private logitsName: string,
    /** The first probe prompt's cut (for warm-up). */
    private probe: PromptCut,
  ) {}

  /**
   * Splits `bytes` and creates both sessions. By default the text part ends at the conditional
   * embedding (falling back to the plain input-dependence frontier when the graph has no single such
   * tensor); pass `textEnd: 'frontier'` for the plain split. The split keeps no reference to `bytes`,
   * and the split parts are dropped once ORT has them: drop `bytes` after this resolves.
   */
  static async create(
    bytes: Uint8Array,
    ep: Ep,
    what: string,
    opts: DenseModelOptions = {},
  ): Promise<DenseModel> {
    let split: DenseSplit | null;
    try {
      split = splitDenseModel(bytes, { ...opts, textEnd: opts.textEnd ?? 'conditional' });
    } catch (e) {
      if (opts.textEnd || !(e instanceof SplitError)) throw e;
      split = splitDenseModel(bytes, { ...opts, textEnd: 'frontier' });
    }
    const { cut, stats, anchor, crossBatch } = split;
    const pixelName = split.imageInputs[0];
    const logitsName = split.imageOutputs.includes('logits') ? 'logits' : split.imageOutputs[0];
    if (!pixelName || !logitsName)
      throw new SplitError(`${what}: the image part needs an image input and an output after the split`);
    const pd = split.imageInputDims[pixelName];
    const inputSize =
      pd?.length === 4 && typeof pd[2] === 'number' && typeof pd[3] === 'number'
        ? { width: pd[3], height: pd[2] }
        : null;
    const [text, image] = await Promise.all([
      createSession(split.text, ep, `${what} (text part)`),
      createSession(split.image, ep, `${what} (image part)`),
    ]);
    split = null; // ORT has its own copies of both parts now.
    try {
      const probes = opts.probeIds ?? CLIP_PROBES;
      const pad = opts.padId ?? 49407;
      if (probes.length < 3) throw new Error('probeIds needs at least 3 prompts');
      // N = 1, 2, 3 at one padded length, then the shortest probe alone at its own length.
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
      const batched = layouts.filter((l) => l.kind === 'batched');
      const conditional = anchor && batched.length === 1 && batched[0]!.name === anchor ? anchor : null;
      const probe: PromptCut = {};
      for (const l of batched) probe[l.name] = runs[0]![l.name]!;
      return new DenseModel(
        text,
        image,
        layouts,
        conditional,
        crossBatch,
        inputSize,
        stats,
        pixelName,
        logitsName,
        probe,
      );
    } catch (e) {
      await text.release();
      await image.release();
      throw e;
    }
  }

  /** One image run on zeros (the first WebGPU run compiles shaders): call after load. */
  async warmUp(): Promise<void> {
    const size = this.inputSize ?? { width: 352, height: 352 };
    const zeros = new Float32Array(3 * size.width * size.height);
    await this.runImage(zeros, size.width, size.height, this.stack([this.probe]));
    this.textRuns = 0;
    this.imageRuns = 0;
  }

  /** Names of the text model's inputs (input_ids, and attention_mask when the graph reads it). */
  get textInputs(): readonly string[] {
    return this.text.inputNames;
  }

  /**
   * Runs the text part on `n` prompts of `length` tokens (right-padded ids and mask, row-major) and
   * returns one PromptCut per prompt, to cache and stack later in any combination. When
   * `crossBatch.text` is true (int8 dynamic quantisation), pass one prompt per call so that a cached
   * value does not depend on the prompts it was encoded with.
   */
  async encodeText(ids: BigInt64Array, mask: BigInt64Array, n: number, length: number): Promise<PromptCut[]> {
    const res = await runText(this.text, { ids, mask, n, length });
    this.textRuns++;
    const out: PromptCut[] = Array.from({ length: n }, () => ({}));
    for (const l of this.layouts) {
      if (l.kind !== 'batched') continue;
      slicePrompts(res[l.name]!, l.axis, n).forEach((v, p) => (out[p]![l.name] = v));
    }
    return out;
  }

  /** The cut tensors for these prompts (in this order): the image part's inputs besides the pixels. */
  stack(prompts: readonly PromptCut[]): Record<string, CutValue> {
    return stackCut(this.layouts, prompts);
  }

  /** Runs the image part: pixels [1, 3, height, width] against the stacked prompts. */
  async runImage(
    pixels: Float32Array,
    width: number,
    height: number,
    stacked: Record<string, CutValue>,
  ): Promise<{ logits: Float32Array; n: number; h: number; w: number }> {
    const feeds: Record<string, ort.Tensor> = {
      [this.pixelName]: new ort.Tensor('float32', pixels, [1, 3, height, width]),
    };
    for (const l of this.layouts) {
      const v = stacked[l.name];
      if (!v) throw new Error(`Missing cut tensor "${l.name}"`);
      feeds[l.name] = toTensor(v);
    }
    const res = await this.image.run(feeds);
    const t = res[this.logitsName]!;
    const data = (await t.getData()) as CutData;
    const logits =
      t.type === 'float16' ? halfToFloat(halfBits(t.type, data) as Uint16Array) : (data as Float32Array);
    const dims = t.dims as number[];
    t.dispose();
    this.imageRuns++;
    // [N, h, w] (CLIPSeg); a rank-2 output is read as [N, w] with h = 1.
    const [h, w] = (dims.length >= 3 ? dims.slice(-2) : [1, dims[dims.length - 1]!]) as [number, number];
    return { logits, n: logits.length / (h * w), h, w };
  }

  /** A prompt's conditional embedding as float32 (float16 cuts are held as Uint16Array bits). */
  embeddingOf(prompt: PromptCut): Float32Array {
    const v = prompt[this.needConditional()]!;
    return v.type === 'float16'
      ? halfToFloat(v.data as Uint16Array)
      : Float32Array.from(v.data as Float32Array);
  }

  /** A PromptCut made from a float32 embedding row (e.g. a class average from averageRows). */
  promptFromEmbedding(row: Float32Array): PromptCut {
    const name = this.needConditional();
    const l = this.layouts.find((x) => x.name === name);
    if (l?.kind !== 'batched' || l.sliceDims.reduce((a, b) => a * b, 1) !== row.length)
      throw new Error(`An embedding row of ${row.length} values does not fit "${name}"`);
    const data: CutData = l.type === 'float16' ? floatToHalf(row) : Float32Array.from(row);
    return { [name]: { type: l.type, data, dims: [...l.sliceDims] } };
  }

  private needConditional(): string {
    if (!this.conditional)
      throw new Error('This model was not split at the conditional embedding (textEnd: "conditional")');
    return this.conditional;
  }

  async release(): Promise<void> {
    await this.text.release();
    await this.image.release();
  }
}

/**
 * float16 data as Uint16Array bits: ORT returns Float16Array where the JS engine has one (recent
 * browsers) and Uint16Array elsewhere; one representation keeps cached prompts stackable.
 */
function halfBits(type: string, data: CutData): CutData {
  if (type !== 'float16' || data instanceof Uint16Array) return data;
  const d = data as unknown as ArrayBufferView & { length: number };
  return new Uint16Array(d.buffer, d.byteOffset, d.length);
}

function toTensor(v: CutValue): ort.Tensor {
  return new ort.Tensor(v.type as 'float32', v.data as Float32Array, v.dims);
}

async function runText(
  session: ort.InferenceSession,
  b: { ids: BigInt64Array; mask: BigInt64Array; n: number; length: number },
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
