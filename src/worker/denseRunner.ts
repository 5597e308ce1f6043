import { DenseModel, type PromptCut } from '../models/dense/denseModel';
import type { DenseManifest } from '../models/manifest';
import type { ClipTokenizer } from '../models/tokenizer';
import { averageRows, denseLabels } from '../processing/dense';
import { promptsFor, type VocabClass } from '../processing/vocabulary';
import type { LoadedBundle } from './bundle';
import type { Combined } from './combine';
import type { EmbeddingCache } from './embeddingCache';
import { EngineError } from './errors';
import type { Ep } from './ortRuntime';
import type { Runner, RunnerSegment } from './runner';

/** Decoder rows per image-part run: bounds memory for long vocabularies. */
const CHUNK = 16;
/** Above this many prompts, a class's prompts are averaged into one row (when the split allows). */
const MAX_ROWS = 48;

/**
 * CLIPSeg family, split at load: the text part runs once per prompt (its cut tensors are cached),
 * the image part runs once per image for all rows, one image broadcast against N rows.
 */
export class DenseRunner implements Runner {
  private rows: PromptCut[] = [];
  private rowToClass = new Int32Array(0);
  private numClasses = 0;
  private pixels: { data: Float32Array; width: number; height: number } | null = null;
  /** [C, h*w] class logits of the current image and rows (image part results are reused). */
  private logits: { key: string; data: Float32Array; h: number; w: number } | null = null;
  private versions = { rows: 0, pixels: 0 };
  /** How rows were made last time, for the status bar. */
  mode: 'max' | 'mean' = 'max';

  private constructor(
    private manifest: DenseManifest,
    private model: DenseModel,
    private tokenizer: ClipTokenizer,
    private cache: EmbeddingCache<PromptCut>,
    private namespace: string,
    readonly dtypes: Runner['dtypes'],
  ) {}

  static async create(b: LoadedBundle, ep: Ep, tokenizer: ClipTokenizer, cache: EmbeddingCache<PromptCut>) {
    const m = b.manifest as DenseManifest;
    const part = b.parts.model!;
    const model = await DenseModel.create(part.bytes, ep, `the model (${part.file})`);
    // Drop our reference: the split copies what each part needs.
    b.parts.model = undefined;
    const ns = `${b.textKey}@${model.conditional ? 'cond' : 'cut'}`;
    return new DenseRunner(m, model, tokenizer, cache, ns, { image: part.dtype, text: part.dtype });
  }

  get input() {
    return this.manifest.input;
  }
  get textRuns() {
    return this.model.textRuns;
  }
  get imageRuns() {
    return this.model.imageRuns;
  }

  private async encode(prompts: string[]): Promise<{ cuts: PromptCut[]; encoded: number }> {
    const cached = await this.cache.lookup(this.namespace, prompts);
    const missing = prompts.filter((_, i) => !cached[i]);
    const fresh: PromptCut[] = [];
    // int8 exports quantise with one scale per run: encode such prompts alone, so cached values hold.
    const step = this.model.crossBatch.text ? 1 : 32;
    for (let i = 0; i < missing.length; i += step) {
      const enc = this.tokenizer.batch(missing.slice(i, i + step));
      fresh.push(...(await this.model.encodeText(enc.ids, enc.mask, enc.batch, enc.length)));
    }
    if (missing.length)
      await this.cache.store(
        this.namespace,
        missing.map((p, i): [string, PromptCut] => [p, fresh[i]!]),
      );
    let j = 0;
    return { cuts: cached.map((c) => c ?? fresh[j++]!), encoded: missing.length };
  }

  async setVocabulary(classes: VocabClass[]) {
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
    const { cuts, encoded } = await this.encode(prompts);
    const wantMean = this.manifest.classMode === 'mean' || prompts.length > MAX_ROWS;
    if (wantMean && this.model.conditional) {
      const dim = this.model.embeddingOf(cuts[0]!).length;
      const rows = new Float32Array(cuts.length * dim);
      cuts.forEach((c, i) => rows.set(this.model.embeddingOf(c), i * dim));
      const avg = averageRows(rows, dim, promptClass, classes.length);
      this.rows = classes.map((_, k) => this.model.promptFromEmbedding(avg.subarray(k * dim, (k + 1) * dim)));
      this.rowToClass = Int32Array.from(classes.keys());
      this.mode = 'mean';
    } else {
      this.rows = cuts;
      this.rowToClass = Int32Array.from(promptClass);
      this.mode = 'max';
    }
    this.numClasses = classes.length;
    this.versions.rows++;
    return { encoded, unknown: [] as string[] };
  }

  async setPixels(data: Float32Array, width: number, height: number): Promise<void> {
    this.pixels = { data, width, height };
    this.versions.pixels++;
  }

  /** Runs the image part for all rows (in chunks) and keeps the per-class max of their logits. */
  private async classLogits(): Promise<{ data: Float32Array; h: number; w: number }> {
    const key = `${this.versions.rows}/${this.versions.pixels}`;
    if (this.logits?.key === key) return this.logits;
    const px = this.pixels!;
    let out: Float32Array | null = null;
    let h = 0,
      w = 0;
    for (let i = 0; i < this.rows.length; i += CHUNK) {
      const rows = this.rows.slice(i, i + CHUNK);
      const r = await this.model.runImage(px.data, px.width, px.height, this.model.stack(rows));
      h = r.h;
      w = r.w;
      const P = h * w;
      out ??= new Float32Array(this.numClasses * P).fill(-Infinity);
      for (let j = 0; j < rows.length; j++) {
        const dst = this.rowToClass[i + j]! * P;
        for (let p = 0; p < P; p++) {
          const v = r.logits[j * P + p]!;
          if (v > out[dst + p]!) out[dst + p] = v;
        }
      }
    }
    this.logits = { key, data: out!, h, w };
    return this.logits;
  }

  async segment(o: RunnerSegment): Promise<Combined> {
    if (!this.pixels) throw new EngineError('No image to segment');
    if (this.numClasses === 0) throw new EngineError('The vocabulary is empty: type at least one class name');
    const cl = await this.classLogits();
    let logits = cl.data;
    const prev = o.smoothing?.previous;
    if (prev && prev.length === logits.length && o.smoothing!.history > 0) {
      const k = o.smoothing!.history;
      logits = logits.map((v, i) => k * prev[i]! + (1 - k) * v);
    }
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
    return {
      labels: r.labels,
      scores: r.scores,
      scoreWidth: r.scoreWidth,
      scoreHeight: r.scoreHeight,
      counts: r.counts,
      semseg: logits,
      ...(o.debug ? { debug: { classLogits: Float32Array.from(cl.data) } } : {}),
    };
  }

  async warmUp(): Promise<void> {
    await this.model.warmUp();
  }

  async release(): Promise<void> {
    await this.model.release();
  }
}
