/**
 * One sam-clip frame and one click as the family's runner makes them (SamClipRunner's setPixels,
 * segment and prompt), through the family's own pieces (SamModel, Proposals, Named, the shared
 * dense-CLIP picture embeddings) with each part timed:
 * - encoder: the picture prepared (long side 1024, ImageNet normalisation) and SAM's encoder;
 * - clip: the picture through the dense CLIP tower (the app's windows), cells averaged;
 * - decoder: the prompt decoder's runs on the grid (batches of 64 points);
 * - post: the automatic mask generation's post-processing (the grid's time less the decoder's);
 * - naming: mask embeddings, GKC class probabilities and the label map, names' embeddings given.
 *
 * Random weights make masks unlike SAM's, so by default each decoder batch's outputs are replaced,
 * after the decoder has run, by SAM-like logits for the same points (samPostMeasure.ts, made before
 * the clock starts): the post-processing and the naming then work on masks like SAM's.
 */
import type { ClipDenseModel } from '../../src/models/clip/clipDenseModel';
import { clipInputSize, embedPicture, type Coverage } from '../../src/models/clip/pictureEmbeds';
import type { EncodedVocabulary } from '../../src/models/nameEncoder';
import type { SamClipManifest } from '../../src/models/samclip/family';
import { Named, type PictureCells } from '../../src/models/samclip/named';
import { Proposals } from '../../src/models/samclip/proposals';
import type { Decoded, SamModel } from '../../src/models/samclip/samModel';
import { modelInputSize, preprocess } from '../../src/processing/normalize';
import type { RgbaImage } from '../../src/processing/resize';
import type { SamLikeBatch } from './samPostMeasure';

export interface FrameParts {
  encoder: number;
  clip: number;
  decoder: number;
  /** Each decoder run, ms. */
  batches: number[];
  post: number;
  naming: number;
  total: number;
  /** CPU time of the process over the frame (all threads): less sensitive than wall time to a shared machine. */
  cpu: number;
  kept: number;
}

export interface ClickParts {
  decoder: number;
  /** The best of the three masks at the picture's size. */
  mask: number;
  naming: number;
  total: number;
}

/** SAM's decoder, each run timed; its outputs optionally replaced by SAM-like ones for the same points. */
class TimedDecoder {
  times: number[] = [];
  substitute: readonly SamLikeBatch[] | null = null;
  constructor(private sam: SamModel) {}

  async decode(points: Float32Array, labels: ArrayLike<number>, P: number, n: number): Promise<Decoded> {
    const t0 = performance.now();
    const out = await this.sam.decode(points, labels, P, n);
    this.times.push(performance.now() - t0);
    const s = this.substitute?.[this.times.length - 1];
    if (!s) return out;
    if (s.iou.length !== 3 * P) throw new Error(`SAM-like batch of ${s.iou.length / 3} points for ${P}`);
    return { iou: s.iou, masks: s.masks, h: out.h, w: out.w };
  }
}

const sum = (v: number[]) => v.reduce((a, b) => a + b, 0);
const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

export class SamClipFrame {
  private readonly decoder: TimedDecoder;
  private readonly proposals: Proposals;
  private picture: PictureCells | null = null;

  constructor(
    private sam: SamModel,
    private clip: ClipDenseModel,
    private m: SamClipManifest,
  ) {
    this.decoder = new TimedDecoder(sam);
    this.proposals = new Proposals(this.decoder, m.amg);
  }

  private get coverage(): Coverage {
    const c = this.m.clip;
    return { resolution: c.resolution, ...c.window, resample: c.resample };
  }

  /** SAM's encoder on a picture (what a click needs); ms. */
  async encode(img: RgbaImage): Promise<number> {
    const t0 = performance.now();
    const size = { ...modelInputSize(this.m.input, img.width, img.height), resample: this.m.input.resample };
    const px = preprocess(img, size, this.m.pixel);
    await this.sam.encode(px.data, px.width, px.height);
    this.proposals.forget(img);
    return performance.now() - t0;
  }

  private async embed(img: RgbaImage): Promise<PictureCells> {
    const size = clipInputSize(this.clip, this.coverage, img.width, img.height);
    const px = preprocess(img, size, this.m.clip.pixel);
    const e = await embedPicture(this.clip, this.coverage, px.data, px.width, px.height);
    const cells = e.cells ?? { embeds: e.embeds, h: this.clip.grid.h, w: this.clip.grid.w };
    return { width: img.width, height: img.height, cells: cells.embeds, gh: cells.h, gw: cells.w };
  }

  /** A whole frame on a new picture at `grid` x `grid` points; `substitute`: SAM-like outputs per batch. */
  async frame(
    img: RgbaImage,
    grid: number,
    enc: EncodedVocabulary,
    C: number,
    substitute: readonly SamLikeBatch[] | null,
  ): Promise<FrameParts> {
    const c0 = cpuMs();
    const t0 = performance.now();
    const encoder = await this.encode(img);
    const t1 = performance.now();
    this.picture = await this.embed(img);
    const t2 = performance.now();
    this.decoder.times = [];
    this.decoder.substitute = substitute;
    const kept = await this.proposals.generate(grid);
    const t3 = performance.now();
    new Named(kept, this.picture, enc, C, this.m.logitScale).labels(0, this.m.uncovered);
    const t4 = performance.now();
    const batches = this.decoder.times;
    const decoder = sum(batches);
    return {
      encoder,
      clip: t2 - t1,
      decoder,
      batches,
      post: t3 - t2 - decoder,
      naming: t4 - t3,
      total: t4 - t0,
      cpu: cpuMs() - c0,
      kept: kept.length,
    };
  }

  /** What names a click's mask on the last frame's picture (as the runner does before a grid's masks exist). */
  namer(enc: EncodedVocabulary, C: number): Named {
    if (!this.picture) throw new Error('namer: no frame yet');
    return new Named([], this.picture, enc, C, this.m.logitScale);
  }

  /** A click on the current picture: the decoder for one point, the best mask, its three best names. */
  async click(x: number, y: number, named: Named, classes: readonly string[]): Promise<ClickParts> {
    this.decoder.times = [];
    this.decoder.substitute = null;
    const t0 = performance.now();
    const { mask } = await this.proposals.prompt([{ x, y, positive: true }]);
    const t1 = performance.now();
    named.nameMask(mask, classes);
    const t2 = performance.now();
    const decoder = this.decoder.times[0]!;
    return { decoder, mask: t1 - t0 - decoder, naming: t2 - t1, total: t2 - t0 };
  }
}
