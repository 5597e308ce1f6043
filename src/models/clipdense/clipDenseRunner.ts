/**
 * The dense-CLIP family as the engine runs it (the worker's `Runner`): the vision tower rewritten at
 * load (./surgery.ts) and the plain CLIP text tower with the app's cached name encoder.
 * - `setPixels`: the image side, once per image: the patch embeddings of every 224x224 window (or of
 *   the one larger pass), kept; they do not depend on the vocabulary.
 * - `segment`: cosine x logit scale per patch and name, max over a class's names, windows averaged,
 *   (live: smoothed with the previous frame), softmax, bilinear upsampling, argmax, threshold.
 * So a vocabulary edit costs only its new prompts and the dot products, never an image run.
 */
import type { ClipDenseManifest } from './family';
import type { ClipTokenizer } from '../tokenizer';
import { WindowAverager } from '../clip/maths/windows';
import {
  clipInputSize,
  createDenseTower,
  embedPicture,
  type Coverage,
  type PictureEmbeds,
} from '../clip/pictureEmbeds';
import { patchClassLogits } from '../gkc/patchLogits';
import { softmaxClasses } from '../../processing/softmax';
import { argmaxLabels } from '../../processing/argmax';
import { labelHistogram, upsampleLabelMap } from '../../processing/labels';
import type { InputSize } from '../../processing/normalize';
import type { VocabClass } from '../../processing/vocabulary';
import { ModelGraphUnsupportedError, NoImageError, VocabularyEmptyError } from '../../errors';
import { NameEncoder, type EncodedVocabulary } from '../nameEncoder';
import { UNWATCHED, type Job } from '../job';
import { createSession, type Ep } from '../runtime/ortRuntime';
import type { FamilyStats } from '../families';
import type { RunnerResult, Runner, RunnerSegment } from '../runner';
import type { LoadedBundle, TextCaches } from '../runnerInputs';
import { smoothScores } from '../../processing/smoothing';
import type { ClipDenseModel } from '../clip/clipDenseModel';

type ImageEmbeds = PictureEmbeds;

export class ClipDenseRunner implements Runner {
  private image: ImageEmbeds | null = null;
  private vocab: { classes: VocabClass[]; enc: EncodedVocabulary } | null = null;
  /** Class logits of the current image and vocabulary (a threshold change or a live frame reuses them). */
  private logits: { image: ImageEmbeds; vocab: object; data: Float32Array; h: number; w: number } | null =
    null;
  /** Images whose embeddings were computed (one per `setPixels`). */
  private visionRuns = 0;

  private constructor(
    private manifest: ClipDenseManifest,
    private model: ClipDenseModel,
    private text: NameEncoder,
    readonly dtypes: Runner['dtypes'],
  ) {}

  static async create(
    b: LoadedBundle,
    ep: Ep,
    tokenizer: ClipTokenizer,
    caches: TextCaches,
  ): Promise<ClipDenseRunner> {
    const m = b.manifest as ClipDenseManifest;
    const image = b.parts.image!;
    const text = b.parts.text!;
    const what = `the image model (${image.file})`;
    const coverage = { resolution: m.resolution, ...m.window, resample: m.input.resample };
    const [model, textSession] = await Promise.all([
      createDenseTower(image.bytes, ep, what, coverage),
      createSession(text.bytes, ep, `the text model (${text.file})`),
    ]);
    // The bundle's bytes are no longer needed: the sessions hold their own copies.
    b.parts.image = undefined;
    b.parts.text = undefined;
    const encoder = new NameEncoder(textSession, tokenizer, m, caches.embeddings, b.textKey, ep !== 'webgpu');
    return new ClipDenseRunner(m, model, encoder, { image: image.dtype, text: text.dtype });
  }

  /**
   * The picture the engine prepares: windows -> short side from the manifest, both sides whole
   * patches (windows then fall on the patch grid); single pass -> the model's own larger input.
   */
  /** How the picture is covered: the manifest's windows (or one pass), the tower's filter. */
  private get coverage(): Coverage {
    const m = this.manifest;
    return { resolution: m.resolution, ...m.window, resample: m.input.resample };
  }

  inputFor(width: number, height: number): InputSize {
    return clipInputSize(this.model, this.coverage, width, height);
  }
  stats(): FamilyStats {
    return { 'clip-dense': { vision: this.visionRuns } };
  }
  get textRuns() {
    return this.text.runs;
  }
  /** Vision-tower runs (one a window). */
  get imageRuns() {
    return this.model.runs;
  }

  async setVocabulary(classes: VocabClass[], _settings: unknown, job: Job) {
    const enc = await this.text.encode(classes, job);
    this.vocab = { classes, enc };
    return { encoded: enc.encoded, unknown: enc.unknown };
  }

  async setPixels(pixels: Float32Array, width: number, height: number): Promise<void> {
    this.image = null;
    this.logits = null;
    this.image = await embedPicture(this.model, this.coverage, pixels, width, height);
    this.visionRuns++;
  }

  /** [C, h, w] class logits of the current image and vocabulary, windows averaged on patch cells. */
  private classLogits(image: ImageEmbeds, vocab: NonNullable<typeof this.vocab>) {
    const c = this.logits;
    if (c?.image === image && c.vocab === vocab) return c;
    const { grid, info } = this.model;
    const C = vocab.classes.length;
    const rows = (k: number) => {
      const n = grid.h * grid.w * info.dim;
      return patchClassLogits(
        image.embeds.subarray(k * n, (k + 1) * n),
        vocab.enc.nameEmbeds,
        vocab.enc.nameToClass,
        C,
        info.dim,
        this.manifest.logitScale,
      );
    };
    let out: { data: Float32Array; h: number; w: number };
    if (this.manifest.resolution === 'single') out = { data: rows(0), h: grid.h, w: grid.w };
    else if (image.cells) {
      const { embeds, h, w } = image.cells;
      const data = patchClassLogits(
        embeds,
        vocab.enc.nameEmbeds,
        vocab.enc.nameToClass,
        C,
        info.dim,
        this.manifest.logitScale,
      );
      out = { data, h, w };
    } else {
      // Windows off the patch grid (a stride that is not whole patches): logits averaged per pixel.
      const avg = new WindowAverager(C, image.H, image.W, 1);
      image.windows.forEach((p, k) => avg.add(rows(k), grid.h, grid.w, p.y, p.x, this.model.size.h));
      out = { data: avg.result(), h: avg.h, w: avg.w };
    }
    this.logits = { image, vocab, ...out };
    return this.logits;
  }

  async segment(o: RunnerSegment): Promise<RunnerResult> {
    if (!this.image) throw new NoImageError();
    if (!this.vocab) throw new VocabularyEmptyError();
    const cl = this.classLogits(this.image, this.vocab);
    const C = this.vocab.classes.length;
    // Live video: an exponential moving average of the logits with the previous frame's.
    const logits = smoothScores(cl.data, o.smoothing?.previous, o.smoothing?.history);
    const probs = softmaxClasses(Float32Array.from(logits), C);
    const P = cl.h * cl.w;
    const raw = argmaxLabels(probs, C, P, -Infinity);
    // Bilinear probabilities at the image size, argmax, "unlabelled" under the threshold; computed
    // from the (at most four) classes winning around each pixel, so the cost does not grow with C.
    let labels = raw.labels;
    let counts: Uint32Array;
    if (cl.h === o.height && cl.w === o.width) {
      for (let i = 0; i < P; i++) if (raw.scores[i]! < o.threshold) labels[i] = 0;
      counts = labelHistogram(labels, C + 1);
    } else
      ({ labels, counts } = upsampleLabelMap(
        raw.labels,
        probs,
        cl.h,
        cl.w,
        o.height,
        o.width,
        o.threshold,
        C + 1,
      ));
    return {
      labels,
      scores: raw.scores,
      scoreWidth: cl.w,
      scoreHeight: cl.h,
      counts,
      semseg: logits,
      ...(o.debug
        ? {
            debug: {
              'clip-dense': {
                classLogits: Float32Array.from(cl.data),
                patchEmbeds: this.image.embeds.slice(),
              },
            },
          }
        : {}),
    };
  }

  /** One window and one prompt at real shapes; the text and image towers must share a space. */
  async warmUp(job: Job = UNWATCHED): Promise<void> {
    const { h, w } = this.model.size;
    await this.model.embed(new Float32Array(3 * h * w));
    this.model.runs = 0;
    await job.step('runs', 1, 2);
    const textDim = await this.text.warm();
    await job.step('runs', 2, 2);
    if (textDim !== this.model.info.dim)
      throw new ModelGraphUnsupportedError(
        `The image model's patch embeddings have ${this.model.info.dim} numbers, but the text model's have ${textDim}: they do not belong together`,
      );
  }

  async release(): Promise<void> {
    this.image = null;
    this.logits = null;
    await this.model.release();
    await this.text.release();
  }
}
