import { modelInputSize, type InputSize } from '../../processing/normalize';
import type { VocabClass } from '../../processing/vocabulary';
import { ManifestError } from '../manifest';
import type { Runner, RunnerResult, RunnerSegment } from '../runner';
import type { LoadedBundle, TextCaches } from '../runnerInputs';
import { createSession, ort, type Ep } from '../runtime/ortRuntime';
import type { ClipTokenizer } from '../tokenizer';
import {
  combine,
  scoreQueries,
  warmCombine,
  type Combined,
  type QueryOutputs,
  type Scored,
} from '../gkc/combine';
import type { QueryManifest } from './family';
import { UNWATCHED, type Job } from '../job';
import { NameEncoder, type EncodedVocabulary } from '../nameEncoder';
import { ModelGraphUnsupportedError, NoImageError, VocabularyEmptyError } from '../../errors';
import { checkQueryShapes, checkQueryValues } from './contract';

/** GKC / Mask2Former family: image model once per image, names embedded once and cached. */
export class QueryRunner implements Runner {
  imageRuns = 0;
  private outputs: QueryOutputs | null = null;
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
  ) {
    this.voidEmbedding = manifest.voidEmbedding ? Float32Array.from(manifest.voidEmbedding) : null;
  }

  static async create(
    b: LoadedBundle,
    ep: Ep,
    tokenizer: ClipTokenizer,
    caches: TextCaches,
  ): Promise<QueryRunner> {
    const m = b.manifest as QueryManifest;
    const image = b.parts.image!;
    const text = b.parts.text!;
    const [imageSession, textSession] = await Promise.all([
      createSession(image.bytes, ep, `the image model (${image.file})`),
      createSession(text.bytes, ep, `the text model (${text.file})`),
    ]);
    // Cached embeddings are named by what computes them (text graph and tokenizer bytes), not by id.
    const encoder = new NameEncoder(textSession, tokenizer, m, caches.embeddings, b.textKey, ep !== 'webgpu');
    return new QueryRunner(m, imageSession, encoder, { image: image.dtype, text: text.dtype });
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
    this.outputs = await this.runImage(pixels, width, height);
    this.imageRuns++;
  }

  private async runImage(pixels: Float32Array, width: number, height: number): Promise<QueryOutputs> {
    const res = await this.image.run({
      pixel_values: new ort.Tensor('float32', pixels, [1, 3, height, width]),
    });
    try {
      const { Q, h, w, D } = checkQueryShapes(res);
      const masks = (await res.pred_masks!.getData()) as Float32Array;
      const embeds = (await res.query_embeds!.getData()) as Float32Array;
      checkQueryValues(masks, embeds);
      return { masks, embeds, Q, h, w, D, inputWidth: width, inputHeight: height };
    } finally {
      // Every output, the ones the family does not read included.
      for (const t of Object.values(res)) t.dispose();
    }
  }

  async segment(o: RunnerSegment): Promise<RunnerResult> {
    const { gkc, ...result } = this.combine(o);
    return gkc ? { ...result, debug: { query: gkc } } : result;
  }

  /** GKC's combine of the current outputs and vocabulary, reusing its scores where it can. */
  private combine(o: RunnerSegment): Combined {
    if (!this.outputs) throw new NoImageError();
    if (!this.vocab) throw new VocabularyEmptyError();
    const options = {
      nameEmbeds: this.vocab.enc.nameEmbeds,
      nameToClass: this.vocab.enc.nameToClass,
      numClasses: this.vocab.classes.length,
      logitScale: this.manifest.logitScale,
      voidEmbedding: this.voidEmbedding,
      threshold: o.threshold,
      width: o.width,
      height: o.height,
      debug: o.debug,
      smoothing: o.smoothing,
    };
    // Smoothed scores depend on the previous frame: never reused.
    if (o.smoothing) return combine(this.outputs, options);
    const c = this.scored;
    const same =
      c?.outputs === this.outputs && c.vocab === this.vocab && c.width === o.width && c.height === o.height;
    const value = same ? c.value : scoreQueries(this.outputs, options);
    this.scored = { outputs: this.outputs, vocab: this.vocab, width: o.width, height: o.height, value };
    return combine(this.outputs, options, value);
  }

  async warmUp(job: Job = UNWATCHED): Promise<void> {
    const size = modelInputSize(this.manifest.input, 64, 64);
    const out = await this.runImage(new Float32Array(3 * size.width * size.height), size.width, size.height);
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
    await this.image.release();
    await this.text.release();
  }
}
