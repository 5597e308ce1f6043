import type { ModelInfo, Timings } from '../engine/protocol';
import type { Dtype, QueryManifest } from '../models/manifest';
import { createClipTokenizer } from '../models/tokenizer';
import { modelInputSize, toPixelValues } from '../processing/normalize';
import type { RgbaImage } from '../processing/resize';
import type { VocabClass } from '../processing/vocabulary';
import { loadBundle, type Fetcher, type FileProgress } from './bundle';

export type { ModelInfo, Timings };
import { combine, type Combined, type QueryOutputs } from './combine';
import type { EmbeddingCache } from './embeddingCache';
import { NameEncoder, type EncodedVocabulary } from './nameEncoder';
import { createSession, ort, type Ep } from './ortRuntime';

/** Something that can hand the engine its pixels at a requested size. */
export interface ImageSource {
  width: number;
  height: number;
  pixels(width: number, height: number): Promise<RgbaImage> | RgbaImage;
}

export interface SegmentOutput extends Combined {
  /** Share of pixels whose label changed since the previous live frame. */
  flicker?: number | undefined;
  width: number;
  height: number;
  classes: string[];
  unknown: string[];
  timings: Timings;
  /** Counters since load: image-model runs and text-model runs. */
  runs: { image: number; text: number; promptsEncoded: number };
}

export class EngineError extends Error {
  override name = 'EngineError';
}

const now = () => performance.now();

/**
 * The query-family engine, free of DOM and worker APIs so that the browser worker and the Node
 * command line run the same code. Image outputs are kept, so a vocabulary edit re-runs no image model.
 */
export class Engine {
  private manifest: QueryManifest | null = null;
  private image: ort.InferenceSession | null = null;
  private text: NameEncoder | null = null;
  private kept: {
    outputs: QueryOutputs;
    width: number;
    height: number;
    preprocess: number;
    image: number;
  } | null = null;
  private vocab: { key: string; classes: VocabClass[]; enc: EncodedVocabulary } | null = null;
  /** Previous frame of a live stream: smoothing input and flicker reference. */
  private live: { key: string; semseg: Float32Array; labels: Uint16Array } | null = null;
  imageRuns = 0;
  promptsEncoded = 0;
  info: ModelInfo | null = null;

  constructor(private cache: EmbeddingCache) {}

  async load(
    fetcher: Fetcher,
    manifestPath: string,
    ep: Ep,
    onProgress?: (p: FileProgress) => void,
    dtype?: Dtype,
  ): Promise<ModelInfo> {
    const t0 = now();
    // int8 graphs fall off the WebGPU EP; q8 is the fast choice on WASM.
    const byEp: Dtype[] = ep === 'webgpu' ? ['fp32', 'fp16', 'q8'] : ['q8', 'fp32', 'fp16'];
    const prefer = dtype ? [dtype, ...byEp] : byEp;
    const b = await loadBundle(fetcher, manifestPath, prefer, onProgress);
    const tokenizer = await createClipTokenizer(
      b.tokenizerJson,
      b.tokenizerConfig,
      b.manifest.tokenizer.maxLength ?? 77,
    );
    const [image, text] = await Promise.all([
      createSession(b.imageBytes, ep, `the image model (${b.manifest.image.files[b.imageDtype]})`),
      createSession(b.textBytes, ep, `the text model (${b.manifest.text.files[b.textDtype]})`),
    ]);
    await this.dispose();
    this.manifest = b.manifest;
    this.image = image;
    this.text = new NameEncoder(text, tokenizer, b.manifest, this.cache);
    this.imageRuns = 0;
    this.promptsEncoded = 0;
    const loadMs = now() - t0;
    const warmupMs = await this.warmUp();
    this.info = {
      id: b.manifest.id,
      name: b.manifest.name,
      description: b.manifest.description ?? '',
      ep,
      imageDtype: b.imageDtype,
      textDtype: b.textDtype,
      threshold: b.manifest.threshold ?? 0,
      vocabulary: b.manifest.vocabulary ?? [],
      loadMs,
      warmupMs,
    };
    return this.info;
  }

  /** First runs compile shaders and allocate; do them before the user waits on a result. */
  private async warmUp(): Promise<number> {
    const t0 = now();
    const m = this.manifest!;
    const size = modelInputSize(m.input, 64, 64);
    await this.runImage(new Float32Array(3 * size.width * size.height), size.width, size.height);
    await this.text!.warm();
    return now() - t0;
  }

  private async runImage(pixels: Float32Array, width: number, height: number): Promise<QueryOutputs> {
    const res = await this.image!.run({
      pixel_values: new ort.Tensor('float32', pixels, [1, 3, height, width]),
    });
    const masksT = res.pred_masks;
    const embedsT = res.query_embeds;
    if (!masksT || !embedsT) throw new EngineError('The image model must output pred_masks and query_embeds');
    const [, Q, h, w] = masksT.dims as number[];
    const D = embedsT.dims[2]!;
    const masks = (await masksT.getData()) as Float32Array;
    const embeds = (await embedsT.getData()) as Float32Array;
    masksT.dispose();
    embedsT.dispose();
    return { masks, embeds, Q: Q!, h: h!, w: w!, D, inputWidth: width, inputHeight: height };
  }

  private need(): { manifest: QueryManifest; text: NameEncoder } {
    if (!this.manifest || !this.text) throw new EngineError('No model is loaded');
    return { manifest: this.manifest, text: this.text };
  }

  /** Encodes the vocabulary (cached prompts cost nothing); returns milliseconds spent. */
  async setVocabulary(classes: VocabClass[]): Promise<number> {
    const { text } = this.need();
    if (classes.length === 0) throw new EngineError('The vocabulary is empty: type at least one class name');
    const key = JSON.stringify(classes);
    if (this.vocab?.key === key) return 0;
    const t0 = now();
    const enc = await text.encode(classes);
    this.promptsEncoded += enc.encoded;
    this.vocab = { key, classes, enc };
    return now() - t0;
  }

  /** Runs the image model on a new image and keeps its outputs for later vocabulary edits. */
  async setImage(src: ImageSource): Promise<void> {
    const { manifest } = this.need();
    const t0 = now();
    const size = modelInputSize(manifest.input, src.width, src.height);
    const rgba = await src.pixels(size.width, size.height);
    const pixels = toPixelValues(rgba, manifest.pixel.mean, manifest.pixel.std);
    await this.setPixelValues(pixels, size.width, size.height, src.width, src.height, now() - t0);
  }

  /** Runs the image model on ready pixel values (NCHW, the model's input size). */
  async setPixelValues(
    pixels: Float32Array,
    width: number,
    height: number,
    imageWidth = width,
    imageHeight = height,
    preprocess = 0,
  ): Promise<void> {
    this.need();
    const t1 = now();
    const outputs = await this.runImage(pixels, width, height);
    this.imageRuns++;
    this.kept = { outputs, width: imageWidth, height: imageHeight, preprocess, image: now() - t1 };
  }

  get hasImage(): boolean {
    return this.kept !== null;
  }

  /** Classifies the kept image outputs with the current vocabulary. */
  segment(opts: {
    threshold: number;
    debug?: boolean;
    textMs?: number;
    fresh?: boolean;
    /** Video frame: smoothing weight of the history (0 = none) and flicker against the last frame. */
    live?: { smoothing: number };
  }): SegmentOutput {
    const { manifest, text } = this.need();
    if (!this.kept) throw new EngineError('No image to segment');
    if (!this.vocab) throw new EngineError('The vocabulary is empty: type at least one class name');
    const { outputs, width, height } = this.kept;
    const t0 = now();
    const liveKey = `${this.vocab.key}|${width}x${height}|${opts.threshold}`;
    if (!opts.live || this.live?.key !== liveKey) this.live = null;
    const combined = combine(outputs, {
      nameEmbeds: this.vocab.enc.nameEmbeds,
      nameToClass: this.vocab.enc.nameToClass,
      numClasses: this.vocab.classes.length,
      logitScale: manifest.logitScale,
      voidEmbedding: manifest.voidEmbedding ? Float32Array.from(manifest.voidEmbedding) : null,
      threshold: opts.threshold,
      width,
      height,
      debug: opts.debug ?? false,
      smoothing: opts.live
        ? { previous: this.live?.semseg ?? null, history: opts.live.smoothing }
        : undefined,
    });
    let flicker: number | undefined;
    if (opts.live) {
      if (this.live) {
        let changed = 0;
        const prev = this.live.labels;
        for (let i = 0; i < prev.length; i++) if (prev[i] !== combined.labels[i]) changed++;
        flicker = changed / prev.length;
      }
      this.live = { key: liveKey, semseg: combined.semseg, labels: combined.labels.slice() };
    }
    return {
      ...combined,
      flicker,
      width,
      height,
      classes: this.vocab.classes.map((c) => c.label),
      unknown: this.vocab.enc.unknown,
      timings: {
        preprocess: opts.fresh ? this.kept.preprocess : 0,
        image: opts.fresh ? this.kept.image : 0,
        text: opts.textMs ?? 0,
        combine: now() - t0,
      },
      runs: { image: this.imageRuns, text: text.runs, promptsEncoded: this.promptsEncoded },
    };
  }

  async dispose(): Promise<void> {
    await this.image?.release();
    await this.text?.release();
    this.image = null;
    this.text = null;
    this.kept = null;
    this.vocab = null;
    this.manifest = null;
    this.info = null;
  }
}
