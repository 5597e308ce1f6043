/**
 * SAM's kept masks named with the current vocabulary, GKC's way: one embedding per mask (the
 * mask-weighted mean of dense CLIP's patch embeddings), `logit = scale * cos(mask, name)`, max over
 * a class's names, softmax over classes; then the label map, the objects, a click's names and the
 * COCO export all read the same probabilities. Made once per picture, grid and vocabulary.
 */
import type { EncodedVocabulary } from '../nameEncoder';
import { classProbs } from '../gkc/classProbs';
import { patchClassLogits } from '../gkc/patchLogits';
import type { SamClipDebug, SamObject } from './family';
import type { AmgMask } from './maths/amg';
import type { BoxXyxy } from './maths/cuts';
import { densePatchLabels, maskEmbeddings, semanticMap, type PatchFill } from './maths/naming';
import { cocoCategories, cocoResults } from './maths/rle';

/** The picture's size and its dense CLIP patch embeddings on a gh x gw grid of cells. */
export interface PictureCells {
  width: number;
  height: number;
  cells: Float32Array;
  gh: number;
  gw: number;
}

const argmax = (row: ArrayLike<number>): number => {
  let best = 0;
  for (let c = 1; c < row.length; c++) if (row[c]! > row[best]!) best = c;
  return best;
};

export class Named {
  private readonly embeds: Float32Array;
  readonly probs: Float32Array;
  private readonly C: number;
  private readonly D: number;
  private fill: PatchFill | null = null;
  private readonly boxes: BoxXyxy[];

  constructor(
    readonly kept: readonly AmgMask[],
    private pic: PictureCells,
    private enc: EncodedVocabulary,
    numClasses: number,
    private logitScale: number,
  ) {
    this.C = numClasses;
    this.D = enc.dim;
    // The boxes let both read only inside each mask's box.
    this.boxes = kept.map((k) => k.box);
    this.embeds = maskEmbeddings(
      kept.map((k) => k.mask),
      pic.height,
      pic.width,
      pic.cells,
      pic.gh,
      pic.gw,
      this.boxes,
    );
    this.probs = this.score(this.embeds);
  }

  /** [K, C] GKC class probabilities of K mask embeddings (no learned void: SAM has none). */
  private score(embeds: Float32Array): Float32Array {
    return classProbs({
      queryEmbeds: embeds,
      nameEmbeds: this.enc.nameEmbeds,
      nameToClass: this.enc.nameToClass,
      numClasses: this.C,
      dim: this.D,
      logitScale: this.logitScale,
      voidEmbedding: null,
    });
  }

  /** Dense CLIP's label of each patch cell (for pixels no mask covers), computed once. */
  private patchFill(): PatchFill {
    if (this.fill) return this.fill;
    const { cells, gh, gw } = this.pic;
    const logits = patchClassLogits(
      cells,
      this.enc.nameEmbeds,
      this.enc.nameToClass,
      this.C,
      this.D,
      this.logitScale,
    );
    this.fill = { labels: densePatchLabels(logits, this.C).labels, gh, gw };
    return this.fill;
  }

  /** The label map at the picture's size, with the threshold and the rule for uncovered pixels. */
  labels(threshold: number, uncovered: 'patch' | 'unlabelled') {
    const { width, height } = this.pic;
    const fill = uncovered === 'patch' ? this.patchFill() : undefined;
    const masks = this.kept.map((k) => k.mask);
    const map = semanticMap(masks, this.probs, this.C, height, width, threshold, fill, this.boxes);
    return { ...map, scoreWidth: width, scoreHeight: height };
  }

  /** Each kept mask as an object: its best class, that class's probability, its area and point. */
  objects(classes: readonly string[]): SamObject[] {
    return this.kept.map((k, q) => {
      const row = this.probs.subarray(q * this.C, (q + 1) * this.C);
      const best = argmax(row);
      return { label: classes[best]!, score: row[best]!, area: k.area, point: k.point };
    });
  }

  /** The best three classes of any mask (a click's object), by GKC probability. */
  nameMask(mask: Uint8Array, classes: readonly string[]): { label: string; score: number }[] {
    const { width, height, cells, gh, gw } = this.pic;
    const probs = this.score(maskEmbeddings([mask], height, width, cells, gh, gw));
    return Array.from(probs, (score, c) => ({ label: classes[c]!, score }))
      .sort((a, b) => b.score - a.score)
      .slice(0, 3);
  }

  /**
   * The kept masks as COCO: the results (category = the mask's best class, score = its
   * probability; segmentation as compressed RLE) and the categories (the vocabulary, ids from 1).
   */
  coco(classes: readonly string[]): string {
    const items = this.kept.map((k, q) => {
      const best = argmax(this.probs.subarray(q * this.C, (q + 1) * this.C));
      return { mask: k.mask, categoryId: best + 1, score: this.probs[q * this.C + best]! };
    });
    const { height, width } = this.pic;
    return JSON.stringify({
      images: [{ id: 1, height, width }],
      categories: cocoCategories(classes),
      annotations: cocoResults(1, height, width, items),
    });
  }

  debug(): SamClipDebug {
    const { width, height } = this.pic;
    const masks = new Uint8Array(this.kept.length * width * height);
    this.kept.forEach((k, q) => masks.set(k.mask, q * width * height));
    return {
      iou: Float32Array.from(this.kept, (k) => k.predictedIou),
      stability: Float32Array.from(this.kept, (k) => k.stabilityScore),
      source: Int32Array.from(this.kept, (k) => k.candidate),
      masks,
      maskEmbeds: this.embeds,
      classProbs: this.probs,
    };
  }
}
