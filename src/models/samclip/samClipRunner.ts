/**
 * SAM proposals named by CLIP, as the engine runs it (the worker's `Runner`):
 * - `setPixels`: per picture, SAM's image encoder (kept) and the dense CLIP tower's patch
 *   embeddings of the picture (kept);
 * - `setVocabulary`: the names through the CLIP text tower (cached) and the family's settings;
 * - `segment`: SAM's automatic mask generation on a point grid (decoder runs in batches, once per
 *   picture and grid), one embedding per kept mask (the mask-weighted mean of the patch
 *   embeddings), then GKC: logit = scale * cos, max over a class's names, softmax, semseg = Σ_q p(q,c)
 *   mask_q, argmax; pixels no mask covers take dense CLIP's label or stay unlabelled;
 * - `prompt`: a click's points through the decoder only, the best of its three masks, named.
 * So a vocabulary edit runs no image model at all, and a new picture runs each tower once.
 */
import { ModelGraphUnsupportedError, NoImageError, VocabularyEmptyError } from '../../errors';
import type { PromptPoint, PromptResult } from '../../shared/protocol';
import type { InputSize } from '../../processing/normalize';
import { modelInputSize, preprocess } from '../../processing/normalize';
import type { RgbaImage } from '../../processing/resize';
import type { VocabClass } from '../../processing/vocabulary';
import type { ClipDenseModel } from '../clip/clipDenseModel';
import { clipInputSize, createDenseTower, embedPicture, type Coverage } from '../clip/pictureEmbeds';
import type { FamilyStats } from '../families';
import { NameEncoder, type EncodedVocabulary } from '../nameEncoder';
import { UNWATCHED, type Job } from '../job';
import type { Runner, RunnerResult, RunnerSegment } from '../runner';
import type { LoadedBundle, TextCaches } from '../runnerInputs';
import { createSession, type Ep } from '../runtime/ortRuntime';
import type { ClipTokenizer } from '../tokenizer';
import type { SamClipManifest } from './family';
import { Proposals } from './proposals';
import { SamModel } from './samModel';
import { Named } from './named';

/** Points per side at most on live video: 64 decoder points a frame. */
const LIVE_GRID = 8;

export class SamClipRunner implements Runner {
  private vocab: { classes: VocabClass[]; enc: EncodedVocabulary } | null = null;
  private settings: { grid: number; uncovered: 'patch' | 'unlabelled' } = { grid: 16, uncovered: 'patch' };
  /** The current picture: its size, and its dense CLIP patch embeddings on a grid of cells. */
  private picture: { width: number; height: number; cells: Float32Array; gh: number; gw: number } | null =
    null;
  private proposals: Proposals;
  /** The naming of the current proposals with the current vocabulary (a threshold change reuses it). */
  private named: Named | null = null;
  /** Where the last segment() went: decoder runs, and naming with the label pass. */
  lastSegmentMs: { image: number; combine: number } | undefined = undefined;
  /** The last segmentation was a live frame (it runs LIVE_GRID at most). */
  private live = false;
  textRuns = 0;

  private constructor(
    private manifest: SamClipManifest,
    private ep: Ep,
    private sam: SamModel,
    private clip: ClipDenseModel,
    private text: NameEncoder,
    readonly dtypes: Runner['dtypes'],
  ) {
    this.proposals = new Proposals(sam, manifest.amg);
  }

  static async create(
    b: LoadedBundle,
    ep: Ep,
    tokenizer: ClipTokenizer,
    caches: TextCaches,
  ): Promise<SamClipRunner> {
    const m = b.manifest as SamClipManifest;
    const [encoder, decoder, image, text] = [
      b.parts.encoder!,
      b.parts.decoder!,
      b.parts.image!,
      b.parts.text!,
    ];
    const coverage = { resolution: m.clip.resolution, ...m.clip.window, resample: m.clip.resample };
    const [sam, clip, textSession] = await Promise.all([
      SamModel.create(encoder, decoder, ep),
      createDenseTower(image.bytes, ep, `the CLIP vision tower (${image.file})`, coverage),
      createSession(text.bytes, ep, `the text model (${text.file})`),
    ]);
    // The sessions hold their own copies now.
    for (const k of ['encoder', 'decoder', 'image', 'text']) b.parts[k] = undefined;
    const names = new NameEncoder(textSession, tokenizer, m, caches.embeddings, b.textKey, ep !== 'webgpu');
    return new SamClipRunner(m, ep, sam, clip, names, { image: encoder.dtype, text: text.dtype });
  }

  /** SAM's input: the picture's long side at 1024 (the rest is padded by the encoder step). */
  inputFor(width: number, height: number): InputSize {
    return { ...modelInputSize(this.manifest.input, width, height), resample: this.manifest.input.resample };
  }

  /** The grid the next segmentation runs: the chosen one, at most LIVE_GRID for live frames. */
  private get grid(): number {
    return this.live ? Math.min(LIVE_GRID, this.settings.grid) : this.settings.grid;
  }

  get imageRuns() {
    return this.sam.encoderRuns + this.clip.runs;
  }

  private get coverage(): Coverage {
    const c = this.manifest.clip;
    return { resolution: c.resolution, ...c.window, resample: c.resample };
  }

  async setVocabulary(classes: VocabClass[], settings: Readonly<Record<string, string>>, job: Job) {
    const enc = await this.text.encode(classes, job);
    this.textRuns = this.text.runs;
    this.vocab = { classes, enc };
    const byBackend = this.manifest.amg.pointsPerSide[this.ep];
    const grid = settings.grid && settings.grid !== 'auto' ? Number(settings.grid) : byBackend;
    this.settings = { grid, uncovered: settings.uncovered === 'unlabelled' ? 'unlabelled' : 'patch' };
    this.named = null;
    return { encoded: enc.encoded, unknown: enc.unknown };
  }

  async setPixels(pixels: Float32Array, width: number, height: number, picture: RgbaImage | null) {
    this.picture = null;
    this.named = null;
    if (!picture)
      throw new ModelGraphUnsupportedError(
        'SAM proposals named by CLIP need the picture itself, not only its pixel values',
      );
    await this.sam.encode(pixels, width, height);
    const size = clipInputSize(this.clip, this.coverage, picture.width, picture.height);
    const px = preprocess(picture, size, this.manifest.clip.pixel);
    const e = await embedPicture(this.clip, this.coverage, px.data, px.width, px.height);
    const cells = e.cells ?? { embeds: e.embeds, h: this.clip.grid.h, w: this.clip.grid.w };
    this.picture = {
      width: picture.width,
      height: picture.height,
      cells: cells.embeds,
      gh: cells.h,
      gw: cells.w,
    };
    this.proposals.forget({ width: picture.width, height: picture.height });
  }

  async segment(o: RunnerSegment): Promise<RunnerResult> {
    const pic = this.picture;
    if (!pic) throw new NoImageError();
    if (!this.vocab) throw new VocabularyEmptyError();
    // Live frames: a smaller grid keeps the decoder's work per frame down (said in the status).
    this.live = o.smoothing !== undefined;
    const t0 = performance.now();
    const kept = await this.proposals.generate(this.grid);
    const t1 = performance.now();
    if (this.named?.kept !== kept)
      this.named = new Named(kept, pic, this.vocab.enc, this.vocab.classes.length, this.manifest.logitScale);
    const r = this.named.labels(o.threshold, this.settings.uncovered);
    // The decoder runs here (a new picture or grid): the status bar's image time, not the label pass.
    this.lastSegmentMs = { image: t1 - t0, combine: performance.now() - t1 };
    return {
      ...r,
      semseg: new Float32Array(0),
      ...(o.debug ? { debug: { 'sam-clip': this.named.debug() } } : {}),
    };
  }

  stats(): FamilyStats {
    const n = this.named;
    return {
      'sam-clip': {
        encoderRuns: this.sam.encoderRuns,
        grid: this.grid,
        live: this.live,
        decoderPoints: this.sam.decoderPoints,
        masks: n?.kept.length ?? 0,
        uncovered: this.settings.uncovered,
        objects: n && this.vocab ? n.objects(this.vocab.classes.map((c) => c.label)) : [],
      },
    };
  }

  async prompt(points: PromptPoint[]): Promise<PromptResult> {
    const pic = this.picture;
    if (!pic) throw new NoImageError();
    const { mask, score } = await this.proposals.prompt(points);
    const v = this.vocab;
    const named = v && (this.named ?? new Named([], pic, v.enc, v.classes.length, this.manifest.logitScale));
    const classes =
      v && named
        ? named.nameMask(
            mask,
            v.classes.map((c) => c.label),
          )
        : [];
    return { width: pic.width, height: pic.height, mask, score, classes };
  }

  instances(): string {
    if (!this.named || !this.vocab || !this.picture) throw new NoImageError();
    return this.named.coco(this.vocab.classes.map((c) => c.label));
  }

  /**
   * One small picture through the encoder and the CLIP tower, and one full batch of points through
   * the decoder: the shapes a picture's automatic mask generation runs (on WebGPU each new shape
   * compiles its shaders), so the warm-up time also sizes what a segmentation takes.
   */
  async warmUp(job: Job = UNWATCHED): Promise<void> {
    const side = 32;
    const rgba = { width: side, height: side, data: new Uint8Array(side * side * 4).fill(128) };
    const size = this.inputFor(side, side);
    const px = preprocess(rgba, size, this.manifest.pixel);
    await this.setPixels(px.data, px.width, px.height, rgba);
    await job.step('runs', 2, 3);
    const P = this.manifest.amg.pointsPerBatch;
    await this.sam.decode(new Float32Array(2 * P).fill(512), new Array<number>(P).fill(1), P, 1);
    await job.step('runs', 3, 3);
    this.picture = null;
  }

  async release(): Promise<void> {
    await Promise.all([this.sam.release(), this.clip.release(), this.text.release()]);
  }
}
