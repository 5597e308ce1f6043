import type { ModelInfo, PromptPoint, PromptResult, SegmentResult } from '../shared/protocol';
import { resolveSettings, type Manifest } from '../models/families';
import { PUBLIC_HUB } from '../models/hub';
import {
  NoImageError,
  NoModelLoadedError,
  PromptUnsupportedError,
  VocabularyEmptyError,
  VocabularyTooLargeError,
} from '../errors';
import { UNWATCHED, type Job } from '../models/job';
import { checkFinite } from '../models/outputContract';
import type { Dtype } from '../models/manifest';
import { DTYPE_ORDER } from '../models/presets';
import { checkGpuBuffers } from '../models/onnx/bufferCheck';
import type { RunnerResult, Runner } from '../models/runner';
import type { TextCaches } from '../models/runnerInputs';
import { RUNNERS } from '../models/runners';
import type { Ep } from '../models/runtime/ortRuntime';
import { createClipTokenizer } from '../models/tokenizer';
import { changedShare } from '../processing/labels';
import { preprocess } from '../processing/normalize';
import type { RgbaImage } from '../processing/resize';
import { vocabularyCostProblem, type VocabClass } from '../processing/vocabulary';
import { loadBundle, type Fetcher, type FileProgress, type ManifestSource } from './bundle';
import { EmbeddingCache } from './embeddingCache';
import { describeModel } from './modelInfo';

export type { ModelInfo };

/** An upright image whose RGBA the engine reads at its own size (the engine does the resizing). */
export interface ImageSource {
  width: number;
  height: number;
  rgba(): Promise<RgbaImage> | RgbaImage;
}

/** The protocol's result before the worker draws its overlay, with the class scores of the frame. */
export type SegmentOutput = Omit<SegmentResult, 'overlay'> & Pick<RunnerResult, 'semseg'>;

export interface LoadOptions {
  dtype?: Dtype | undefined;
  /** Base URL of the model hub for parts that name a `repo`. */
  hub?: string | undefined;
  /** WebGPU: the adapter's largest storage-buffer binding; bigger tensors cannot run there. */
  gpuBufferLimit?: number | undefined;
  onProgress?: (p: FileProgress) => void;
  /** Told when the load moves on from the download (so a hang can be named). */
  onStage?: (stage: 'compile' | 'warm-up') => void;
  /** Hears of each warm-up run: signs of life, as a warm-up on a software adapter takes minutes. */
  warmUpJob?: Job;
}

const now = () => performance.now();

/**
 * The engine (the page talks to it through WorkerClient), free of DOM and worker APIs: the browser worker
 * and the Node command line run the same code. It loads a bundle of any family (../models/runners.ts), keeps
 * the text side per prompt and the image's outputs per image: a vocabulary edit re-runs what depends on it.
 */
export class Segmenter {
  private runner: Runner | null = null;
  private image: { width: number; height: number; preprocess: number; image: number } | null = null;
  /** The current vocabulary; `version` changes with every vocabulary set (live history key). */
  private vocab: { version: number; classes: VocabClass[] } | null = null;
  private vocabVersion = 0;
  /** Why the last vocabulary could not be set: what segmentations say until one is. */
  private vocabError: Error | null = null;
  /** Text time of the last vocabulary, not yet reported by a segmentation. */
  private textMs = 0;
  /** Previous frame of a live stream: smoothing input and flicker reference. */
  private live: { key: string; state: Float32Array; labels: Uint16Array } | null = null;
  /** The loaded model's pixel normalisation. */
  private norm: { mean: number[]; std: number[] } | null = null;
  /** The loaded model's manifest (its family's settings and their defaults). */
  private manifest: Manifest | null = null;
  promptsEncoded = 0;
  info: ModelInfo | null = null;
  /** The model input of the current image (NCHW float32), for parity checks. */
  private lastPixels: { data: Float32Array; width: number; height: number } | null = null;
  /** Where setImage's preprocessing time went: reading the source's pixels, resize + normalise. */
  private prepMs: { read: number; resize: number } | null = null;

  private caches: TextCaches;

  /**
   * `cache`: text embeddings; `structured`: other per-prompt values a family keeps (a split model's
   * text cuts), memory only unless the caller gives a store (the worker does).
   */
  constructor(cache: EmbeddingCache<Float32Array>, structured = new EmbeddingCache<unknown>()) {
    this.caches = { embeddings: cache, structured };
  }

  async load(fetcher: Fetcher, source: ManifestSource, ep: Ep, o: LoadOptions = {}): Promise<ModelInfo> {
    const t0 = now();
    const byEp = DTYPE_ORDER[ep];
    const prefer = o.dtype ? [o.dtype, ...byEp] : [...byEp];
    const b = await loadBundle(fetcher, source, prefer, o.hub ?? PUBLIC_HUB, o.onProgress);
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
    const runner = await RUNNERS[m.family](b, ep, tokenizer, this.caches);
    this.runner = runner;
    this.norm = m.pixel;
    this.manifest = m;
    const loadMs = now() - t0;
    const t1 = now();
    o.onStage?.('warm-up');
    try {
      await runner.warmUp(o.warmUpJob);
    } catch (e) {
      // A model that fails its warm-up (a broken output contract) keeps no session alive.
      await this.dispose();
      throw e;
    }
    this.info = describeModel(m, runner, ep, { loadMs, warmupMs: now() - t1, textKey: b.textKey });
    return this.info;
  }

  private need(): Runner {
    if (!this.runner) throw new NoModelLoadedError();
    return this.runner;
  }

  /**
   * Sets the vocabulary of the segmentations that follow (the page sends it only when it changes):
   * encodes what is not cached (cached prompts cost nothing). Returns the milliseconds spent, the
   * prompts encoded and the names the model knows no word of. `settings`: the user's choices among
   * the family's settings; a key the family lacks or a value it does not offer is the model's default.
   * A vocabulary over what a vocabulary may cost is refused before any run; `job` hears of each run
   * and may stop the encoding between runs. Until a vocabulary is set, segmentations fail with the
   * last one's error (not "the vocabulary is empty").
   */
  async setVocabulary(
    classes: VocabClass[],
    settings: Readonly<Record<string, string>> = {},
    job: Job = UNWATCHED,
  ): Promise<{ ms: number; encoded: number; unknown: string[] }> {
    const runner = this.need();
    this.vocab = null;
    try {
      if (classes.length === 0) throw new VocabularyEmptyError();
      const tooLarge = vocabularyCostProblem(classes, this.manifest!.templates.length);
      if (tooLarge) throw new VocabularyTooLargeError(tooLarge);
      const t0 = now();
      const asked = resolveSettings(this.manifest!, settings);
      const { encoded, unknown } = await runner.setVocabulary(classes, asked, job);
      this.promptsEncoded += encoded;
      this.vocab = { version: ++this.vocabVersion, classes };
      this.vocabError = null;
      const ms = now() - t0;
      this.textMs += ms;
      return { ms, encoded, unknown };
    } catch (e) {
      this.vocabError = e as Error;
      throw e;
    }
  }

  /** A new image: preprocessed to the model's input size, image-only work done now. */
  async setImage(src: ImageSource): Promise<void> {
    const runner = this.need();
    const t0 = now();
    const rgba = await src.rgba();
    const t1 = now();
    const px = preprocess(rgba, runner.inputFor(rgba.width, rgba.height), this.norm!);
    const prepMs = { read: t1 - t0, resize: now() - t1 };
    await this.setPixelValues(px.data, px.width, px.height, src.width, src.height, now() - t0, rgba);
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
    picture: RgbaImage | null = null,
  ): Promise<void> {
    const runner = this.need();
    const t1 = now();
    this.lastPixels = { data: pixels, width, height };
    this.prepMs = null;
    await runner.setPixels(pixels, width, height, picture);
    this.image = { width: imageWidth, height: imageHeight, preprocess, image: now() - t1 };
  }

  /** The object at the user's points on the current picture (families that propose objects). */
  async prompt(points: PromptPoint[]): Promise<PromptResult> {
    const runner = this.need();
    if (!this.image) throw new NoImageError();
    if (!runner.prompt)
      throw new PromptUnsupportedError(
        `${this.info?.name ?? 'This model'} does not find objects from a click.`,
      );
    return runner.prompt(points, { width: this.image.width, height: this.image.height });
  }

  /** The current picture's objects as COCO results JSON (families that propose objects). */
  instances(): string {
    const runner = this.need();
    if (!this.image) throw new NoImageError();
    if (!runner.instances)
      throw new PromptUnsupportedError(`${this.info?.name ?? 'This model'} proposes no objects.`);
    return runner.instances({ width: this.image.width, height: this.image.height });
  }

  /** Per-image buffers held between requests (diagnostics: they must not pile up). */
  get heldBuffers(): number {
    return (this.image ? 1 : 0) + (this.live ? 1 : 0);
  }

  /** Labels the current image with the current vocabulary. */
  async segment(opts: {
    threshold: number;
    debug?: boolean;
    fresh?: boolean;
    /** Video frame: smoothing weight of the history (0 = none) and flicker against the last frame. */
    live?: { smoothing: number } | undefined;
    /** Told after each of the family's model runs here (dense decoder rows); may stop between them. */
    job?: Job | undefined;
  }): Promise<SegmentOutput> {
    const runner = this.need();
    if (!this.image) throw new NoImageError();
    if (!this.vocab) throw this.vocabError ?? new VocabularyEmptyError();
    const { width, height } = this.image;
    const t0 = now();
    const liveKey = `${this.vocab.version}|${width}x${height}|${opts.threshold}`;
    if (!opts.live || this.live?.key !== liveKey) this.live = null;
    const combined = await runner.segment({
      threshold: opts.threshold,
      width,
      height,
      debug: opts.debug ?? false,
      smoothing: opts.live ? { previous: this.live?.state ?? null, history: opts.live.smoothing } : undefined,
      job: opts.job ?? UNWATCHED,
    });
    // Any family: scores that are not numbers would label nothing, silently.
    checkFinite(combined.scores, "The model's class scores");
    let flicker: number | undefined;
    if (opts.live) {
      if (this.live) flicker = changedShare(this.live.labels, combined.labels);
      this.live = { key: liveKey, state: combined.semseg, labels: combined.labels.slice() };
    }
    // A runner that runs image-dependent model work here (the dense decoder) reports its own split.
    const segMs = now() - t0;
    const split = runner.lastSegmentMs ?? { image: 0, combine: segMs };
    const textMs = this.textMs;
    this.textMs = 0;
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
      timings: {
        preprocess: opts.fresh ? this.image.preprocess : 0,
        image: (opts.fresh ? this.image.image : 0) + split.image,
        text: textMs,
        combine: split.combine,
      },
      runs: { image: runner.imageRuns, text: runner.textRuns, promptsEncoded: this.promptsEncoded },
      stats: runner.stats?.(),
    };
  }

  async dispose(): Promise<void> {
    await this.runner?.release();
    this.runner = null;
    this.image = null;
    this.lastPixels = null;
    this.vocab = null;
    this.vocabError = null;
    this.textMs = 0;
    this.live = null;
    this.info = null;
    this.manifest = null;
    this.promptsEncoded = 0;
  }
}
