import { modelInputSize, type InputSize } from '../../processing/normalize';
import type { VocabClass } from '../../processing/vocabulary';
import { ManifestError } from '../manifest';
import type { Runner, RunnerResult, RunnerSegment } from '../runner';
import type { LoadedBundle, TextCaches } from '../runnerInputs';
import { createSession, ort, type Ep } from '../runtime/ortRuntime';
import type { ClipTokenizer } from '../tokenizer';
import {
  combine,
  queryProbs,
  scoreQueries,
  warmCombine,
  type Combined,
  type QueryOutputs,
  type Scored,
} from '../gkc/combine';
import type { QueryManifest } from './family';
import type { FamilyStats } from '../families';
import { UNWATCHED, type Job } from '../job';
import { NameEncoder, type EncodedVocabulary } from '../nameEncoder';
import { ModelGraphUnsupportedError, NoImageError, VocabularyEmptyError } from '../../errors';
import { checkQueryShapes, checkQueryValues } from './contract';
import { GraphQueryCombine } from './queryCombineGpu';
import { labelHistogram } from '../../processing/labels';

/** An image run's outputs; on the GPU path `masks` stays empty until `cpuOutputs` reads it back. */
interface ImageOutputs {
  value: QueryOutputs;
  /** The mask logits where the image model left them (WebGPU, GPU path), else null. */
  gpuMasks: ort.Tensor | null;
}

/**
 * GKC / Mask2Former family: image model once per image, names embedded once and cached.
 *
 * With `gpuCombine` (off by default; WebGPU only) the combine and the label pass run as graphs on the
 * GPU (`GraphQueryCombine`) where the segment needs nothing but labels and best scores: the masks
 * stay on the GPU and the [C, H, W] class scores are never read back. That is when the picture is no
 * larger than the model's input (larger ones are labelled from class scores at the input size,
 * upsampled on the CPU), it is not a live frame (smoothing blends the CPU class scores) and no
 * diagnostics are asked for. Otherwise the masks are read back once per picture and the JavaScript
 * combine runs, as on WASM. Off by default: its labels are not the JavaScript combine's bit for bit,
 * and ONNX Runtime's JSEP ArgMax mislabels after a change of class count (`queryCombineGpu.ts`).
 */
export class QueryRunner implements Runner {
  imageRuns = 0;
  /** Segments that took the GPU path. */
  private gpuCombines = 0;
  private outputs: ImageOutputs | null = null;
  private vocab: { classes: VocabClass[]; enc: EncodedVocabulary } | null = null;
  private readonly voidEmbedding: Float32Array | null;
  /** Scores of the last unsmoothed segment: a threshold change only redoes the labels. */
  private scored: {
    outputs: QueryOutputs;
    vocab: object;
    width: number;
    height: number;
    value: Scored;
  } | null = null;

  private constructor(
    private manifest: QueryManifest,
    private image: ort.InferenceSession,
    private text: NameEncoder,
    readonly dtypes: Runner['dtypes'],
    private gpu: GraphQueryCombine | null,
  ) {
    this.voidEmbedding = manifest.voidEmbedding ? Float32Array.from(manifest.voidEmbedding) : null;
  }

  static async create(
    b: LoadedBundle,
    ep: Ep,
    tokenizer: ClipTokenizer,
    caches: TextCaches,
    /** The combine as graphs on the GPU where it applies (see the class); WebGPU only. */
    gpuCombine = false,
  ): Promise<QueryRunner> {
    const m = b.manifest as QueryManifest;
    const image = b.parts.image!;
    const text = b.parts.text!;
    const onGpu = gpuCombine && ep === 'webgpu';
    const keep: ort.InferenceSession.SessionOptions = onGpu
      ? { preferredOutputLocation: { pred_masks: 'gpu-buffer' } }
      : {};
    const [imageSession, textSession, gpu] = await Promise.all([
      createSession(image.bytes, ep, `the image model (${image.file})`, keep),
      createSession(text.bytes, ep, `the text model (${text.file})`),
      onGpu ? GraphQueryCombine.create(ep) : null,
    ]);
    // Cached embeddings are named by what computes them (text graph and tokenizer bytes), not by id.
    const encoder = new NameEncoder(textSession, tokenizer, m, caches.embeddings, b.textKey, ep !== 'webgpu');
    return new QueryRunner(m, imageSession, encoder, { image: image.dtype, text: text.dtype }, gpu);
  }

  inputFor(width: number, height: number): InputSize {
    return { ...modelInputSize(this.manifest.input, width, height), resample: this.manifest.input.resample };
  }
  get textRuns() {
    return this.text.runs;
  }

  async setVocabulary(classes: VocabClass[], _settings: unknown, job: Job) {
    const enc = await this.text.encode(classes, job);
    this.vocab = { classes, enc };
    return { encoded: enc.encoded, unknown: enc.unknown };
  }

  async setPixels(pixels: Float32Array, width: number, height: number): Promise<void> {
    const outputs = await this.runImage(pixels, width, height);
    this.outputs?.gpuMasks?.dispose();
    this.outputs = outputs;
    this.imageRuns++;
  }

  private async runImage(pixels: Float32Array, width: number, height: number): Promise<ImageOutputs> {
    const res = await this.image.run({
      pixel_values: new ort.Tensor('float32', pixels, [1, 3, height, width]),
    });
    let kept: ort.Tensor | null = null;
    let done = false;
    try {
      const { Q, h, w, D } = checkQueryShapes(res);
      const embeds = (await res.query_embeds!.getData()) as Float32Array;
      // On the GPU path the masks stay where the model wrote them (read back only if needed).
      if (res.pred_masks!.location === 'gpu-buffer') kept = res.pred_masks!;
      const masks = kept ? null : ((await res.pred_masks!.getData()) as Float32Array);
      checkQueryValues(masks, embeds);
      const value = {
        masks: masks ?? new Float32Array(0),
        embeds,
        Q,
        h,
        w,
        D,
        inputWidth: width,
        inputHeight: height,
      };
      done = true;
      return { value, gpuMasks: kept };
    } finally {
      // Every output, the ones the family does not read included (the masks kept on the GPU only
      // when they are handed on: a failed check must not leave them behind).
      for (const t of Object.values(res)) if (t !== kept || !done) t.dispose();
    }
  }

  /** The outputs with the masks on the CPU: read back (and checked) once per picture. */
  private async cpuOutputs(o: ImageOutputs): Promise<QueryOutputs> {
    if (o.value.masks.length || !o.gpuMasks) return o.value;
    const masks = (await o.gpuMasks.getData()) as Float32Array;
    checkQueryValues(masks, o.value.embeds);
    o.value = { ...o.value, masks };
    return o.value;
  }

  async segment(o: RunnerSegment): Promise<RunnerResult> {
    if (!this.outputs) throw new NoImageError();
    if (!this.vocab) throw new VocabularyEmptyError();
    const { value } = this.outputs;
    const small = o.width <= value.inputWidth && o.height <= value.inputHeight;
    if (this.gpu && this.outputs.gpuMasks && small && !o.smoothing && !o.debug)
      return this.segmentOnGpu(this.outputs, this.gpu, o);
    const { gkc, ...result } = this.combine(await this.cpuOutputs(this.outputs), o);
    return gkc ? { ...result, debug: { query: gkc } } : result;
  }

  /**
   * The GPU path: labels and best scores at the image size from the graphs, counted here. No class
   * scores come back: `semseg` is empty (only a live frame keeps them, and live frames do not come here).
   */
  private async segmentOnGpu(
    out: ImageOutputs,
    gpu: GraphQueryCombine,
    o: RunnerSegment,
  ): Promise<RunnerResult> {
    const v = out.value;
    const probs = queryProbs(v, this.options(o));
    const C = this.vocab!.classes.length;
    const { labels, scores } = await gpu.run({
      masks: out.gpuMasks!,
      probs,
      Q: v.Q,
      C,
      h: v.h,
      w: v.w,
      H: o.height,
      W: o.width,
      threshold: o.threshold,
    });
    this.gpuCombines++;
    return {
      labels,
      scores,
      scoreWidth: o.width,
      scoreHeight: o.height,
      counts: labelHistogram(labels, C + 1),
      semseg: new Float32Array(0),
    };
  }

  private options(o: RunnerSegment) {
    const vocab = this.vocab!;
    return {
      nameEmbeds: vocab.enc.nameEmbeds,
      nameToClass: vocab.enc.nameToClass,
      numClasses: vocab.classes.length,
      logitScale: this.manifest.logitScale,
      voidEmbedding: this.voidEmbedding,
      threshold: o.threshold,
      width: o.width,
      height: o.height,
      debug: o.debug,
      smoothing: o.smoothing,
    };
  }

  /** GKC's combine of the current outputs and vocabulary, reusing its scores where it can. */
  private combine(outputs: QueryOutputs, o: RunnerSegment): Combined {
    const options = this.options(o);
    // Smoothed scores depend on the previous frame: never reused.
    if (o.smoothing) return combine(outputs, options);
    const c = this.scored;
    const same =
      c?.outputs === outputs && c.vocab === this.vocab && c.width === o.width && c.height === o.height;
    const value = same ? c.value : scoreQueries(outputs, options);
    this.scored = { outputs, vocab: this.vocab!, width: o.width, height: o.height, value };
    return combine(outputs, options, value);
  }

  stats(): FamilyStats {
    return { query: { gpuCombines: this.gpuCombines } };
  }

  async warmUp(job: Job = UNWATCHED): Promise<void> {
    const size = modelInputSize(this.manifest.input, 64, 64);
    const run = await this.runImage(new Float32Array(3 * size.width * size.height), size.width, size.height);
    // Read back here whatever the path: the warm-up checks the masks' values, as the contract says.
    const out = await this.cpuOutputs(run);
    // The combine graphs are not warmed: JSEP's ArgMax would keep the warm-up's class count.
    run.gpuMasks?.dispose();
    await job.step('runs', 1, 2);
    const textDim = await this.text.warm();
    await job.step('runs', 2, 2);
    warmCombine();
    // Checked once here, not at every run: the sizes a manifest cannot know until the graphs ran.
    const voidLength = this.voidEmbedding?.length;
    if (voidLength !== undefined && voidLength !== textDim)
      throw new ManifestError(
        `Invalid model manifest: "voidEmbedding" has ${voidLength} numbers, but the text model's embeddings have ${textDim}`,
      );
    if (out.D !== textDim)
      throw new ModelGraphUnsupportedError(
        `The image model's query embeddings have ${out.D} numbers, but the text model's have ${textDim}: they do not belong together`,
      );
  }

  async release(): Promise<void> {
    this.outputs?.gpuMasks?.dispose();
    this.outputs = null;
    await this.gpu?.release();
    await this.image.release();
    await this.text.release();
  }
}
