import type { PromptCut } from '../models/dense/denseModel';
import type { ModelInfo, SegmentResult, Timings } from '../engine/protocol';
import type { Dtype } from '../models/manifest';
import { checkGpuBuffers } from '../models/onnx/bufferCheck';
import { createClipTokenizer } from '../models/tokenizer';
import { preprocess } from '../processing/normalize';
import type { NamesRule, RowsReport } from '../processing/namesRule';
import type { RgbaImage } from '../processing/resize';
import type { VocabClass } from '../processing/vocabulary';
import { loadBundle, type Fetcher, type FileProgress, type ManifestSource } from './bundle';
import type { Combined } from './combine';
import { ClipDenseRunner } from '../models/clipdense/clipDenseRunner';
import { DenseRunner } from './denseRunner';
import type { EmbeddingCache } from './embeddingCache';
import { EngineError } from './errors';
import type { Ep } from './ortRuntime';
import { QueryRunner } from './queryRunner';
import type { Runner } from './runner';

export type { ModelInfo, Timings };
export { EngineError };

/** An upright image whose RGBA the engine reads at its own size (the engine does the resizing). */
export interface ImageSource {
  width: number;
  height: number;
  rgba(): Promise<RgbaImage> | RgbaImage;
}

export interface SegmentOutput extends Combined {
  debug?:
    | (Combined['debug'] & { pixelValues?: Float32Array; preprocessMs?: { read: number; resize: number } })
    | undefined;
  /** Share of pixels whose label changed since the previous live frame. */
  flicker?: number | undefined;
  width: number;
  height: number;
  classes: string[];
  unknown: string[];
  timings: Timings;
  /** Counters since load (the protocol's definition: the page receives them as they are). */
  runs: SegmentResult['runs'];
  /** Dense family: which rule scored classes with several names, and its decoder rows. */
  rows?: RowsReport | undefined;
}

export interface LoadOptions {
  dtype?: Dtype | undefined;
  /** Base URL of the model hub for parts that name a `repo`. */
  hub?: string | undefined;
  /** WebGPU: the adapter's largest storage-buffer binding; bigger tensors cannot run there. */
  gpuBufferLimit?: number | undefined;
  onProgress?: (p: FileProgress) => void;
  /** Told when the load moves on from the download (so a hang can be named). */
  onStage?: (stage: 'compile' | 'warm-up') => void;
}

const now = () => performance.now();
export const DEFAULT_HUB = 'https://huggingface.co';

/**
 * The engine, free of DOM and worker APIs so that the browser worker and the Node command line run
 * the same code. It loads a bundle of either family, keeps the text side cached per prompt and the
 * image's outputs per image, so a vocabulary edit re-runs only what depends on it.
 */
export class Engine {
  private runner: Runner | null = null;
  private image: { width: number; height: number; preprocess: number; image: number } | null = null;
  private vocab: { key: string; classes: VocabClass[]; unknown: string[] } | null = null;
  /** Previous frame of a live stream: smoothing input and flicker reference. */
  private live: { key: string; state: Float32Array; labels: Uint16Array } | null = null;
  /** The loaded model's pixel normalisation. */
  private norm: { mean: number[]; std: number[] } | null = null;
  promptsEncoded = 0;
  info: ModelInfo | null = null;
  /** The model input of the current image (NCHW float32), for parity checks. */
  lastPixels: { data: Float32Array; width: number; height: number } | null = null;
  /** Where setImage's preprocessing time went: reading the source's pixels, resize + normalise. */
  private prepMs: { read: number; resize: number } | null = null;

  constructor(
    private cache: EmbeddingCache<Float32Array>,
    private cutCache: EmbeddingCache<PromptCut> = cache as unknown as EmbeddingCache<PromptCut>,
  ) {}

  async load(fetcher: Fetcher, source: ManifestSource, ep: Ep, o: LoadOptions = {}): Promise<ModelInfo> {
    const t0 = now();
    // int8 graphs fall off the WebGPU EP; q8 is the fast choice on WASM.
    const byEp: Dtype[] = ep === 'webgpu' ? ['fp32', 'fp16', 'q8'] : ['q8', 'fp32', 'fp16'];
    const prefer = o.dtype ? [o.dtype, ...byEp] : byEp;
    const b = await loadBundle(fetcher, source, prefer, o.hub ?? DEFAULT_HUB, o.onProgress);
    const m = b.manifest;
    o.onStage?.('compile');
    if (ep === 'webgpu' && o.gpuBufferLimit)
      for (const part of Object.values(b.parts))
        if (part) checkGpuBuffers(part.bytes, part.file, o.gpuBufferLimit);
    const tokenizer = await createClipTokenizer(
      b.tokenizerJson,
      b.tokenizerConfig,
      m.tokenizer.maxLength ?? 77,
    );
    // Release the old sessions before creating new ones. ORT-web counts live WebGPU sessions but
    // misses those created before its WebGPU backend started: releasing such WASM sessions after
    // new WebGPU ones exist drops the count to 0 and frees the new sessions' GPU buffers
    // ("no GPU data for input" when switching WASM -> WebGPU).
    await this.dispose();
    const runner =
      m.family === 'query'
        ? await QueryRunner.create(b, ep, tokenizer, this.cache)
        : m.family === 'clip-dense'
          ? await ClipDenseRunner.create(b, ep, tokenizer, this.cache)
          : await DenseRunner.create(b, ep, tokenizer, this.cutCache);
    this.runner = runner;
    this.norm = m.pixel;
    const loadMs = now() - t0;
    const t1 = now();
    o.onStage?.('warm-up');
    await runner.warmUp();
    this.info = {
      id: m.id,
      name: m.name,
      family: m.family,
      description: m.description ?? '',
      ep,
      imageDtype: runner.dtypes.image,
      textDtype: runner.dtypes.text,
      threshold: m.threshold ?? 0,
      vocabulary: m.family === 'query' ? (m.vocabulary ?? []) : [],
      ...(m.family === 'dense' ? { namesDefault: m.classMode ?? 'auto' } : {}),
      loadMs,
      warmupMs: now() - t1,
    };
    return this.info;
  }

  private need(): Runner {
    if (!this.runner) throw new EngineError('No model is loaded');
    return this.runner;
  }

  /**
   * Encodes the vocabulary (cached prompts cost nothing); returns milliseconds spent. `names`: the
   * dense family's rule for classes with several names (none: the model's default).
   */
  async setVocabulary(classes: VocabClass[], names?: NamesRule): Promise<number> {
    const runner = this.need();
    if (classes.length === 0) throw new EngineError('The vocabulary is empty: type at least one class name');
    const key = `${names ?? ''}|${JSON.stringify(classes)}`;
    if (this.vocab?.key === key) return 0;
    const t0 = now();
    const { encoded, unknown } = await runner.setVocabulary(classes, names);
    this.promptsEncoded += encoded;
    this.vocab = { key, classes, unknown };
    return now() - t0;
  }

  /** A new image: preprocessed to the model's input size, image-only work done now. */
  async setImage(src: ImageSource): Promise<void> {
    const runner = this.need();
    const t0 = now();
    const rgba = await src.rgba();
    const t1 = now();
    const px = preprocess(rgba, runner.input, this.norm!);
    const prepMs = { read: t1 - t0, resize: now() - t1 };
    await this.setPixelValues(px.data, px.width, px.height, src.width, src.height, now() - t0);
    this.prepMs = prepMs;
  }

  /** Runs the image side on ready pixel values (NCHW, the model's input size). */
  async setPixelValues(
    pixels: Float32Array,
    width: number,
    height: number,
    imageWidth = width,
    imageHeight = height,
    preprocess = 0,
  ): Promise<void> {
    const runner = this.need();
    const t1 = now();
    this.lastPixels = { data: pixels, width, height };
    this.prepMs = null;
    await runner.setPixels(pixels, width, height);
    this.image = { width: imageWidth, height: imageHeight, preprocess, image: now() - t1 };
  }

  get hasImage(): boolean {
    return this.image !== null;
  }

  /** Per-image buffers held between requests (diagnostics: they must not pile up). */
  get heldBuffers(): number {
    return (this.image ? 1 : 0) + (this.live ? 1 : 0);
  }

  /** Labels the current image with the current vocabulary. */
  async segment(opts: {
    threshold: number;
    debug?: boolean;
    textMs?: number;
    fresh?: boolean;
    /** Video frame: smoothing weight of the history (0 = none) and flicker against the last frame. */
    live?: { smoothing: number } | undefined;
  }): Promise<SegmentOutput> {
    const runner = this.need();
    if (!this.image) throw new EngineError('No image to segment');
    if (!this.vocab) throw new EngineError('The vocabulary is empty: type at least one class name');
    const { width, height } = this.image;
    const t0 = now();
    const imageRunsBefore = runner.imageRuns;
    const liveKey = `${this.vocab.key}|${width}x${height}|${opts.threshold}`;
    if (!opts.live || this.live?.key !== liveKey) this.live = null;
    const combined = await runner.segment({
      threshold: opts.threshold,
      width,
      height,
      debug: opts.debug ?? false,
      smoothing: opts.live ? { previous: this.live?.state ?? null, history: opts.live.smoothing } : undefined,
    });
    let flicker: number | undefined;
    if (opts.live) {
      if (this.live) {
        let changed = 0;
        const prev = this.live.labels;
        for (let i = 0; i < prev.length; i++) if (prev[i] !== combined.labels[i]) changed++;
        flicker = changed / prev.length;
      }
      this.live = { key: liveKey, state: combined.semseg, labels: combined.labels.slice() };
    }
    // Dense models run their image part here (it depends on the vocabulary): count it as image time.
    const segMs = now() - t0;
    const imageInSegment = runner.imageRuns > imageRunsBefore;
    const debug =
      opts.debug && this.lastPixels
        ? { ...combined.debug, pixelValues: this.lastPixels.data, preprocessMs: this.prepMs ?? undefined }
        : combined.debug;
    return {
      ...combined,
      debug,
      flicker,
      width,
      height,
      classes: this.vocab.classes.map((c) => c.label),
      unknown: this.vocab.unknown,
      timings: {
        preprocess: opts.fresh ? this.image.preprocess : 0,
        image: (opts.fresh ? this.image.image : 0) + (imageInSegment ? segMs : 0),
        text: opts.textMs ?? 0,
        combine: imageInSegment ? 0 : segMs,
      },
      runs: {
        image: runner.imageRuns,
        text: runner.textRuns,
        promptsEncoded: this.promptsEncoded,
        vision: runner.visionRuns,
        decoderRows: runner.decoderRows,
        bytesReadBack: runner.bytesReadBack,
      },
      rows: runner.rows,
    };
  }

  async dispose(): Promise<void> {
    await this.runner?.release();
    this.runner = null;
    this.image = null;
    this.lastPixels = null;
    this.vocab = null;
    this.live = null;
    this.info = null;
    this.promptsEncoded = 0;
  }
}
