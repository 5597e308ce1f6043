/**
 * The dense (CLIPSeg) family's three ORT sessions, made from one ONNX file split at load time
 * (./split): text (per prompt), vision (per image) and the joint decoder (per chunk of rows).
 *
 * Public API (also what `npm run bench` drives):
 * - `encodeText(ids, mask, n, length)`: the text part on n prompts -> one PromptCut per prompt (cache them).
 * - `runVision(pixels, width, height)`: the vision tower once -> a VisionHandle that keeps its outputs
 *   (WebGPU: in GPU buffers, never read back). Dispose it when the image changes.
 * - `runDecoder(handle, rows)`: the joint part for N rows (PromptCuts) on a kept handle -> logits [N, h, w].
 * - `runImage(pixels, w, h, stacked)`: both at once (vision, decoder, dispose), for tests and tools.
 * - Counters since load or `resetCounters()`: `textRuns`, `visionRuns`, `decoderRuns`,
 *   `decoderRows` (rows through the decoder) and `bytesReadBack` (decoder output bytes copied to the CPU).
 *
 * How batch dims of text cut tensors are detected: at load, the text part is run on probe prompts for
 * N = 1, 2, 3 (and N = 1 with another length); see `classifyCut` in ./cut.ts. A tensor with exactly
 * one axis of size N is `batched` (sliced per prompt on that axis, re-concatenated for any N); a
 * tensor that never changes is `fixed` (kept once); an int tensor whose values are an exact affine
 * function of N (a shape such as [N] for a Reshape) is `count` (re-created for the N stacked).
 * Anything else fails the load with a CutError (it could not be cached per prompt).
 */
import { createSession, ort, type Ep } from '../runtime/ortRuntime';
import { floatToHalf, halfToFloat } from '../onnx/half';
import { slicePrompts, stackCut } from './cut';
import type { CutData, CutLayout, CutValue, PromptCut } from './cut';
import { fixedSize, padBatch, probeLayouts, readFloats, runText, toTensor } from './ortIo';
import { SplitError, splitDenseModel, type DenseSplit, type SplitOptions, type SplitStats } from './split';
import { UNWATCHED, type Job } from '../job';

export type { CutLayout, CutValue, PromptCut };
export { padBatch };

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

/** The vision part's outputs for one image, kept for any number of decoder runs. */
export interface VisionHandle {
  /** Outputs by name (WebGPU: GPU-buffer tensors). */
  readonly tensors: Readonly<Record<string, ort.Tensor>>;
  readonly width: number;
  readonly height: number;
  /** Frees the outputs (GPU buffers on WebGPU); the handle cannot be used after. */
  dispose(): void;
  readonly disposed: boolean;
}

/** [n, h, w] row logits, float32. */
export type DecoderOutput = { logits: Float32Array; n: number; h: number; w: number };

export class DenseModel {
  textRuns = 0;
  visionRuns = 0;
  decoderRuns = 0;
  decoderRows = 0;
  bytesReadBack = 0;

  private constructor(
    private sessions: {
      text: ort.InferenceSession;
      vision: ort.InferenceSession;
      joint: ort.InferenceSession;
    },
    /** How each text cut tensor depends on the prompt count. */
    readonly layouts: CutLayout[],
    /** Split at the conditional embedding: its tensor name (then the only batched cut), else null. */
    readonly conditional: string | null,
    /** See DenseSplit.crossBatch: false for `_quantized` text and joint parts made per row. */
    readonly crossBatch: DenseSplit['crossBatch'],
    /** The image input's fixed size when the graph declares one (CLIPSeg: 352 x 352). */
    readonly inputSize: { width: number; height: number } | null,
    readonly stats: SplitStats,
    /** Vision outputs stay on the GPU between runs (WebGPU). */
    readonly visionOnGpu: boolean,
    private names: { pixels: string; logits: string },
    /** The probe prompts and the first one's cut (for warm-up). */
    private probes: { ids: number[][]; pad: number; cut: PromptCut },
  ) {}

  /**
   * Splits `bytes` and creates the three sessions. By default the text part ends at the conditional
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
    const { cut, stats, anchor, rowQuantised, crossBatch: splitCross } = split;
    const pixels = split.imageInputs[0];
    const logits = split.jointOutputs.includes('logits') ? 'logits' : split.jointOutputs[0];
    if (!pixels || !logits)
      throw new SplitError(`${what}: the model needs an image input and an output that joins text and image`);
    const inputSize = fixedSize(split.imageInputDims[pixels]);
    // WebGPU: the vision outputs stay in GPU buffers and feed the decoder from there.
    const onGpu = ep === 'webgpu';
    const [text, vision, joint] = await Promise.all([
      createSession(split.text, ep, `${what} (text part)`),
      createSession(
        split.vision,
        ep,
        `${what} (vision part)`,
        onGpu ? { preferredOutputLocation: 'gpu-buffer' } : {},
      ),
      createSession(split.joint, ep, `${what} (decoder part)`),
    ]);
    split = null; // ORT has its own copies of the parts now.
    const sessions = { text, vision, joint };
    try {
      const probes = opts.probeIds ?? CLIP_PROBES;
      const pad = opts.padId ?? 49407;
      const { layouts, probe, rowsAlone } = await probeLayouts(text, cut, probes, pad);
      // Probe rows that still depend on their batch-mates after a per-row rewrite: one prompt a run.
      const crossBatch = { ...splitCross, text: splitCross.text || (rowQuantised.text > 0 && !rowsAlone) };
      const batched = layouts.filter((l) => l.kind === 'batched');
      const conditional = anchor && batched.length === 1 && batched[0]!.name === anchor ? anchor : null;
      const names = { pixels, logits };
      const probeSet = { ids: probes, pad, cut: probe };
      return new DenseModel(
        sessions,
        layouts,
        conditional,
        crossBatch,
        inputSize,
        stats,
        onGpu,
        names,
        probeSet,
      );
    } catch (e) {
      for (const s of Object.values(sessions)) await s.release();
      throw e;
    }
  }

  /**
   * Runs every part at the shapes real use will: `textRows` prompts (0: none) through the text part,
   * the vision tower on a full-size image (not zeros: no shortcut a real image would miss), then the
   * decoder once per entry of `decoderRows` (e.g. a full chunk and a single row). The first WebGPU run
   * of a shape compiles its shaders and the first WASM run grows its arena. Counters are reset after;
   * returns the decoder's output size.
   */
  async warmUp(o: { textRows?: number; decoderRows?: readonly number[]; job?: Job } = {}) {
    const { job = UNWATCHED, decoderRows = [1], textRows = 1 } = o;
    let done = 0;
    const ran = () => job.step('runs', ++done, (textRows && 1) + 1 + decoderRows.length);
    const { ids, pad } = this.probes;
    const rows = Array.from({ length: textRows }, (_, i) => ids[i % ids.length]!);
    const b = padBatch(rows, pad);
    if (b.n > 0) await this.encodeText(b.ids, b.mask, b.n, b.length).then(ran);
    const size = this.inputSize ?? { width: 352, height: 352 };
    const pixels = Float32Array.from({ length: 3 * size.width * size.height }, (_, i) => Math.sin(i * 0.37));
    const handle = await this.runVision(pixels, size.width, size.height);
    let out = { h: 0, w: 0 };
    try {
      await ran();
      for (const n of decoderRows)
        out = await this.runDecoder(handle, Array(n).fill(this.probes.cut)).finally(ran);
    } finally {
      handle.dispose();
    }
    this.resetCounters();
    return { h: out.h, w: out.w };
  }

  resetCounters(): void {
    this.textRuns = this.visionRuns = this.decoderRuns = this.decoderRows = this.bytesReadBack = 0;
  }

  /**
   * Runs the text part on `n` prompts of `length` tokens (right-padded ids and mask, row-major) and
   * returns one PromptCut per prompt, to cache and stack later in any combination. With
   * `crossBatch.text`, pass one prompt per call (a cached value must not depend on its batch-mates).
   */
  async encodeText(ids: BigInt64Array, mask: BigInt64Array, n: number, length: number): Promise<PromptCut[]> {
    const res = await runText(this.sessions.text, { ids, mask, n, length });
    this.textRuns++;
    const out: PromptCut[] = Array.from({ length: n }, () => ({}));
    for (const l of this.layouts) {
      if (l.kind !== 'batched') continue;
      slicePrompts(res[l.name]!, l.axis, n).forEach((v, p) => (out[p]![l.name] = v));
    }
    return out;
  }

  /** The text cut tensors for these prompts (in this order): the decoder's inputs besides the vision cut. */
  stack(prompts: readonly PromptCut[]): Record<string, CutValue> {
    return stackCut(this.layouts, prompts);
  }

  /** Runs the vision tower once on pixels [1, 3, height, width]; keep the handle for decoder runs. */
  async runVision(pixels: Float32Array, width: number, height: number): Promise<VisionHandle> {
    const res = await this.sessions.vision.run({
      [this.names.pixels]: new ort.Tensor('float32', pixels, [1, 3, height, width]),
    });
    this.visionRuns++;
    let disposed = false;
    return {
      tensors: res,
      width,
      height,
      get disposed() {
        return disposed;
      },
      dispose() {
        if (disposed) return;
        disposed = true;
        for (const t of Object.values(res)) t.dispose();
      },
    };
  }

  /**
   * Runs the decoder for `rows` (one PromptCut each, or already stacked) on a kept vision handle.
   * With `crossBatch.joint` a row depends on its batch-mates: run one row per call.
   */
  async runDecoder(
    handle: VisionHandle,
    rows: readonly PromptCut[] | Record<string, CutValue>,
  ): Promise<DecoderOutput> {
    if (handle.disposed) throw new Error('This image has been released: run the vision part again');
    const stacked = Array.isArray(rows) ? this.stack(rows) : (rows as Record<string, CutValue>);
    const feeds: Record<string, ort.Tensor> = { ...handle.tensors };
    for (const l of this.layouts) {
      const v = stacked[l.name];
      if (!v) throw new Error(`Missing cut tensor "${l.name}"`);
      feeds[l.name] = toTensor(v);
    }
    const res = await this.sessions.joint.run(feeds);
    const { data: logits, dims, bytes } = await readFloats(res[this.names.logits]!);
    for (const [name, t] of Object.entries(res)) if (name !== this.names.logits) t.dispose();
    // [N, h, w] (CLIPSeg); a rank-2 output is read as [N, w] with h = 1.
    const [h, w] = (dims.length >= 3 ? dims.slice(-2) : [1, dims[dims.length - 1]!]) as [number, number];
    const n = logits.length / (h * w);
    this.decoderRuns++;
    this.decoderRows += n;
    this.bytesReadBack += bytes;
    return { logits, n, h, w };
  }

  /** Vision then decoder on one image against stacked prompts (the handle is not kept). */
  async runImage(pixels: Float32Array, width: number, height: number, stacked: Record<string, CutValue>) {
    const handle = await this.runVision(pixels, width, height);
    try {
      return await this.runDecoder(handle, stacked);
    } finally {
      handle.dispose();
    }
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
    for (const s of Object.values(this.sessions)) await s.release();
  }
}
