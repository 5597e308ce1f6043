import { emptyClassMax, maxInto } from '../../processing/classMax';
import { averageRows, denseLabels } from './maths/dense';
import { modelInputSize, type InputSize } from '../../processing/normalize';
import { chooseRows, type NamesRule, type RowsReport } from './namesRule';
import { smoothScores } from '../../processing/smoothing';
import { promptsFor, type VocabClass } from '../../processing/vocabulary';
import { cachedEncode } from '../promptCache';
import { UNWATCHED, type Job } from '../job';
import type { FamilyStats } from '../families';
import type { RunnerResult, Runner, RunnerSegment } from '../runner';
import type { LoadedBundle, TextCache, TextCaches } from '../runnerInputs';
import { NoImageError, VocabularyEmptyError } from '../../errors';
import type { Ep } from '../runtime/ortRuntime';
import { tokenRuns, type ClipTokenizer } from '../tokenizer';
import { DenseModel, type PromptCut, type VisionHandle } from './denseModel';
import type { DenseManifest } from './family';
import { RowCache } from './rowCache';
import { DECODER_ROWS, decoderRuns, TEXT_ROWS } from './chunks';

/**
 * CLIPSeg family, split three ways at load: the text part runs once per prompt (its cut tensors are
 * cached), the vision tower once per image (its outputs kept: on WebGPU in GPU buffers), and the
 * decoder only for rows this image has not seen yet (row logits kept within ROW_CACHE_BYTES).
 */
export class DenseRunner implements Runner {
  private rowCuts: PromptCut[] = [];
  /** What makes each row (its prompt, or in mean mode its class's names): the row cache's key. */
  private rowKeys: string[] = [];
  private rowToClass = new Int32Array(0);
  private numClasses = 0;
  /** The current image's vision outputs and the size of its decoder rows (known after one run). */
  private vision: { handle: VisionHandle; h: number; w: number } | null = null;
  private rowCache = new RowCache();
  /** [C, h*w] class logits of the current image and rows (reused while neither changes). */
  private logits: { key: string; data: Float32Array; h: number; w: number } | null = null;
  private versions = { rows: 0, pixels: 0 };
  /** Which rule made the rows of the current vocabulary, for the status bar. */
  rows: RowsReport | undefined;
  /** The last segment(): decoder runs (image work) and the label pass, in milliseconds. */
  lastSegmentMs: { image: number; combine: number } | undefined;

  private constructor(
    private manifest: DenseManifest,
    private model: DenseModel,
    private tokenizer: ClipTokenizer,
    private cache: TextCache<PromptCut>,
    private namespace: string,
    readonly dtypes: Runner['dtypes'],
  ) {}

  static async create(b: LoadedBundle, ep: Ep, tokenizer: ClipTokenizer, caches: TextCaches) {
    const m = b.manifest as DenseManifest;
    const part = b.parts.model!;
    const model = await DenseModel.create(part.bytes, ep, `the model (${part.file})`);
    // Drop our reference: the split copies what each part needs.
    b.parts.model = undefined;
    const ns = `${b.textKey}@${model.conditional ? 'cond' : 'cut'}`;
    // The cut tensors are structured values, cached apart from the float embeddings.
    const cache = caches.structured as TextCache<PromptCut>;
    return new DenseRunner(m, model, tokenizer, cache, ns, { image: part.dtype, text: part.dtype });
  }

  inputFor(width: number, height: number): InputSize {
    return { ...modelInputSize(this.manifest.input, width, height), resample: this.manifest.input.resample };
  }
  get textRuns() {
    return this.model.textRuns;
  }
  /** Vision-tower runs plus decoder runs (both are image work). */
  get imageRuns() {
    return this.model.visionRuns + this.model.decoderRuns;
  }
  stats(): FamilyStats {
    const m = this.model;
    return {
      dense: {
        vision: m.visionRuns,
        decoderRows: m.decoderRows,
        bytesReadBack: m.bytesReadBack,
        rows: this.rows,
      },
    };
  }
  /**
   * Most rows per decoder run (see ../models/dense/chunks): int8 exports quantise per run, so one
   * row at a time keeps rows exact.
   */
  private get chunk() {
    return this.model.crossBatch.joint ? 1 : DECODER_ROWS[this.model.visionOnGpu ? 'webgpu' : 'wasm'];
  }

  private async encode(prompts: string[], job: Job): Promise<{ cuts: PromptCut[]; encoded: number }> {
    const { values, encoded } = await cachedEncode(
      this.cache,
      this.namespace,
      prompts,
      async (missing, keep) => {
        const fresh: PromptCut[] = new Array<PromptCut>(missing.length);
        // int8 exports quantise with one scale per run: encode such prompts alone, so cached values hold.
        const max = this.model.crossBatch.text ? 1 : TEXT_ROWS;
        let done = 0;
        for (const { indices, batch: b } of tokenRuns(
          this.tokenizer,
          missing,
          max,
          !this.model.visionOnGpu,
        )) {
          const cuts = await this.model.encodeText(b.ids, b.mask, b.batch, b.length);
          indices.forEach((i, j) => (fresh[i] = cuts[j]!));
          // Kept run by run: a stopped job keeps what it finished.
          await keep(indices.map((i) => [missing[i]!, fresh[i]!]));
          await job.step('prompts', (done += indices.length), missing.length);
        }
        return fresh;
      },
    );
    return { cuts: values, encoded };
  }

  /** `settings.names`: the rule for classes with several names (the user's, else the manifest's). */
  async setVocabulary(classes: VocabClass[], settings: Readonly<Record<string, string>>, job: Job) {
    const templates = this.manifest.templates;
    const prompts: string[] = [];
    const promptClass: number[] = [];
    classes.forEach((c, k) =>
      c.names.forEach((n) =>
        promptsFor(n, templates).forEach((p) => {
          prompts.push(p);
          promptClass.push(k);
        }),
      ),
    );
    const { cuts, encoded } = await this.encode(prompts, job);
    const asked = (settings.names ?? 'auto') as NamesRule;
    const canAverage = this.model.conditional !== null;
    const rule = chooseRows(asked, prompts.length, canAverage);
    if (rule === 'mean') {
      const dim = this.model.embeddingOf(cuts[0]!).length;
      const rows = new Float32Array(cuts.length * dim);
      cuts.forEach((c, i) => rows.set(this.model.embeddingOf(c), i * dim));
      const avg = averageRows(rows, dim, promptClass, classes.length);
      this.rowCuts = classes.map((_, k) =>
        this.model.promptFromEmbedding(avg.subarray(k * dim, (k + 1) * dim)),
      );
      this.rowKeys = classes.map((c) => `mean:${JSON.stringify(c.names)}`);
      this.rowToClass = Int32Array.from(classes.keys());
    } else {
      this.rowCuts = cuts;
      this.rowKeys = prompts.map((p) => `prompt:${p}`);
      this.rowToClass = Int32Array.from(promptClass);
    }
    this.rows = { rule, count: this.rowKeys.length, prompts: prompts.length, asked, canAverage };
    this.numClasses = classes.length;
    this.versions.rows++;
    return { encoded, unknown: [] as string[] };
  }

  /** A new image: the vision tower runs now, once; the previous image's outputs and rows are freed. */
  async setPixels(data: Float32Array, width: number, height: number): Promise<void> {
    this.dropImage();
    const handle = await this.model.runVision(data, width, height);
    this.vision = { handle, h: 0, w: 0 };
    this.versions.pixels++;
  }

  private dropImage(): void {
    this.vision?.handle.dispose();
    this.vision = null;
    this.rowCache.clear();
    this.logits = null;
  }

  /**
   * Class logits [C, h*w]: the per-class max over its rows. Kept rows are reused; the decoder runs
   * only the others (in chunks), and their results are kept for the next vocabulary edit.
   */
  private async classLogits(job: Job): Promise<{ data: Float32Array; h: number; w: number }> {
    const key = `${this.versions.rows}/${this.versions.pixels}`;
    if (this.logits?.key === key) return this.logits;
    const vision = this.vision!;
    const byKey = new Map<string, number[]>();
    this.rowKeys.forEach((k, i) => {
      const list = byKey.get(k);
      if (list) list.push(i);
      else byKey.set(k, [i]);
    });
    let out: Float32Array | null = null;
    const fold = (row: Float32Array, rows: number[]) => {
      out ??= emptyClassMax(this.numClasses, row.length);
      for (const i of rows) maxInto(out, this.rowToClass[i]!, row, 0, row.length);
    };
    const missing: string[] = [];
    for (const [k, rows] of byKey) {
      const kept = this.rowCache.get(k);
      if (kept) fold(kept, rows);
      else missing.push(k);
    }
    let i = 0;
    for (const size of decoderRuns(missing.length, this.chunk, !this.model.visionOnGpu)) {
      const keys = missing.slice(i, (i += size));
      const r = await this.model.runDecoder(
        vision.handle,
        keys.map((k) => this.rowCuts[byKey.get(k)![0]!]!),
      );
      vision.h = r.h;
      vision.w = r.w;
      const P = r.h * r.w;
      keys.forEach((k, j) => {
        const row = r.n === 1 ? r.logits : r.logits.slice(j * P, (j + 1) * P);
        this.rowCache.set(k, row);
        fold(row, byKey.get(k)!);
      });
      // Rows are kept as they come: a picture replaced mid-way stops here, an edit reuses them.
      await job.step('rows', i, missing.length);
    }
    this.logits = { key, data: out!, h: vision.h, w: vision.w };
    return this.logits;
  }

  async segment(o: RunnerSegment): Promise<RunnerResult> {
    if (!this.vision) throw new NoImageError();
    if (this.numClasses === 0) throw new VocabularyEmptyError();
    const t0 = performance.now();
    const cl = await this.classLogits(o.job ?? UNWATCHED);
    const t1 = performance.now();
    const logits = smoothScores(cl.data, o.smoothing?.previous, o.smoothing?.history);
    const identity = Int32Array.from({ length: this.numClasses }, (_, i) => i);
    const r = denseLabels(logits, {
      rowToClass: identity,
      numClasses: this.numClasses,
      h: cl.h,
      w: cl.w,
      width: o.width,
      height: o.height,
      threshold: o.threshold,
    });
    this.lastSegmentMs = { image: t1 - t0, combine: performance.now() - t1 };
    return {
      labels: r.labels,
      scores: r.scores,
      scoreWidth: r.scoreWidth,
      scoreHeight: r.scoreHeight,
      counts: r.counts,
      semseg: logits,
      ...(o.debug ? { debug: { dense: { classLogits: Float32Array.from(cl.data) } } } : {}),
    };
  }

  /**
   * Every part at real shapes. WASM: a text batch as encode() sends, a full decoder chunk and a single
   * row (the first run of a size grows ORT's arena). WebGPU: one decoder row (the load's probes already
   * compiled the text part's shaders): on a software adapter each new decoder shape costs tens of seconds of shader
   * work, and a full chunk minutes; DenseModel.warmUp takes any row counts for other choices.
   */
  async warmUp(job: Job = UNWATCHED): Promise<void> {
    const gpu = this.model.visionOnGpu;
    const { h, w } = await this.model.warmUp({
      textRows: gpu ? 0 : this.model.crossBatch.text ? 1 : TEXT_ROWS,
      decoderRows: this.chunk === 1 || gpu ? [1] : [this.chunk, 1],
      job,
    });
    // The label pass too (plain JavaScript, slow until the engine has compiled it): 2 classes of
    // noise at the decoder's size, upsampled to a 4:3 photo.
    const logits = Float32Array.from({ length: 2 * h * w }, (_, i) => Math.sin(i * 0.7));
    const size = { width: Math.round((w * 4) / 3) + 1, height: h + 1 };
    denseLabels(logits, { rowToClass: [0, 1], numClasses: 2, h, w, ...size, threshold: 0 });
  }

  async release(): Promise<void> {
    this.dropImage();
    await this.model.release();
  }
}
