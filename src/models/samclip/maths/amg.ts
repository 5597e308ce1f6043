/**
 * SAM's automatic mask generation after the decoder (upstream `SamAutomaticMaskGenerator` with one
 * crop, the whole picture): per batch, candidates with predicted IoU `> predIouThresh` are scored
 * (stability on picture-size logits), those with stability `>= stabilityScoreThresh` are kept with
 * their box; at the end box NMS over every batch, then optionally upstream's small-region clean-up.
 * Thresholds compare in float32, as torch compares a float32 tensor with a Python float.
 *
 * Batches can be fed as the decoder makes them: only survivors are kept, each with its picture-size
 * mask (written while its stability is computed; one byte a pixel) for pictures up to SAM's own
 * padded frame (1024 x 1024 pixels), otherwise with a copy of its low-res plane (4 bytes a low-res
 * pixel: 256 kB), from which the mask is made if NMS keeps it.
 */
import { boxXywh, nms } from './boxes';
import { stabilityCuts, type BoxXyxy, type Cuts } from './cuts';
import { FastPost } from './fastPost';
import type { SamFrame } from './frame';
import { removeSmallRegionsAll } from './regions';

const f32 = Math.fround;

export interface AmgOptions {
  predIouThresh: number;
  stabilityScoreThresh: number;
  stabilityScoreOffset: number;
  boxNmsThresh: number;
  maskThreshold: number;
  /** Upstream `min_mask_region_area`: 0 leaves masks as they are. */
  minMaskRegionArea: number;
  /** What a survivor keeps until NMS: its mask, or its low-res plane (default: the mask up to 1024 x 1024 pixels). */
  keep?: 'mask' | 'lowRes';
}

/** Upstream's defaults. */
export const AMG_DEFAULTS: Readonly<AmgOptions> = {
  predIouThresh: 0.88,
  stabilityScoreThresh: 0.95,
  stabilityScoreOffset: 1.0,
  boxNmsThresh: 0.7,
  maskThreshold: 0.0,
  minMaskRegionArea: 0,
};

/** One decoder run: P prompt points with `outputs` masks each (SAM: 3). */
export interface AmgBatch {
  /** [P * outputs] predicted IoU. */
  iouScores: Float32Array;
  /** [P * outputs * lowRes * lowRes] low-res logits. */
  lowResMasks: Float32Array;
  /** [P * 2] each prompt point (x, y) in picture pixels. */
  points: ArrayLike<number>;
  /** Grid index of the batch's first point. */
  firstPoint: number;
}

/** A mask the generator keeps, as upstream's annotation records it. */
export interface AmgMask {
  /** [height * width] 0 / 1. */
  mask: Uint8Array;
  area: number;
  /** Upstream `bbox`: [x0, y0, x1 - x0, y1 - y0] of the inclusive box. */
  bbox: [number, number, number, number];
  box: BoxXyxy;
  predictedIou: number;
  stabilityScore: number;
  point: [number, number];
  pointIndex: number;
  output: number;
  /** pointIndex * outputs + output. */
  candidate: number;
}

interface Survivor extends Omit<AmgMask, 'mask' | 'bbox'> {
  mask: Uint8Array | null;
  low: Float32Array | null;
}

export interface AmgStats {
  candidates: number;
  passedIou: number;
  passedStability: number;
  /** Pixels evaluated with torch's exact arithmetic (within a rounding hair of a cut). */
  hairPixels: number;
}

export class AmgCollector {
  readonly options: AmgOptions;
  readonly stats: AmgStats = { candidates: 0, passedIou: 0, passedStability: 0, hairPixels: 0 };
  private readonly cuts: Cuts;
  private readonly survivors: Survivor[] = [];
  private readonly keepMasks: boolean;
  /** Where a candidate's mask is written; all zeros between candidates. */
  private scratch: Uint8Array | null;

  constructor(
    readonly frame: SamFrame,
    options: Partial<AmgOptions> = {},
    private readonly post = new FastPost(frame),
  ) {
    this.options = { ...AMG_DEFAULTS, ...options };
    this.cuts = stabilityCuts(this.options.maskThreshold, this.options.stabilityScoreOffset);
    const pixels = frame.height * frame.width;
    this.keepMasks = (this.options.keep ?? (pixels <= frame.padded ** 2 ? 'mask' : 'lowRes')) === 'mask';
    this.scratch = this.keepMasks ? new Uint8Array(pixels) : null;
  }

  /** Filters one batch; only its survivors' low-res planes are kept (copied). */
  add(batch: AmgBatch): void {
    const P = batch.points.length / 2;
    const outputs = batch.iouScores.length / P;
    const plane = this.frame.lowRes ** 2;
    if (!Number.isInteger(outputs) || batch.lowResMasks.length !== P * outputs * plane)
      throw new Error(
        `AmgCollector: ${P} points, ${batch.iouScores.length} scores, ${batch.lowResMasks.length} mask values`,
      );
    const iouCut = f32(this.options.predIouThresh);
    const stabilityCut = f32(this.options.stabilityScoreThresh);
    for (let k = 0; k < P * outputs; k++) {
      this.stats.candidates++;
      const iou = batch.iouScores[k]!;
      // Upstream skips a filter whose threshold is 0 or less (NaN scores then pass too).
      if (this.options.predIouThresh > 0 && !(iou > iouCut)) continue;
      this.stats.passedIou++;
      const low = batch.lowResMasks.subarray(k * plane, (k + 1) * plane);
      const s = this.post.scores(low, this.cuts, this.scratch);
      this.stats.hairPixels += s.hair;
      if (this.options.stabilityScoreThresh > 0 && !(s.stability >= stabilityCut)) {
        this.clearScratch(s.box, s.area);
        continue;
      }
      this.stats.passedStability++;
      const p = Math.floor(k / outputs);
      const pointIndex = batch.firstPoint + p;
      this.survivors.push({
        mask: this.scratch,
        low: this.keepMasks ? null : low.slice(),
        area: s.area,
        box: s.box,
        predictedIou: iou,
        stabilityScore: s.stability,
        point: [batch.points[2 * p]!, batch.points[2 * p + 1]!],
        pointIndex,
        output: k % outputs,
        candidate: pointIndex * outputs + (k % outputs),
      });
      if (this.scratch) this.scratch = new Uint8Array(this.scratch.length);
    }
  }

  /** Zeroes the scratch mask inside the box of what was written. */
  private clearScratch([x0, y0, x1, y1]: BoxXyxy, area: number): void {
    if (!this.scratch || area === 0) return;
    const W = this.frame.width;
    for (let y = y0; y <= y1; y++) this.scratch.fill(0, y * W + x0, y * W + x1 + 1);
  }

  /** Box NMS over every batch, masks for the kept ones, then the optional small-region clean-up. */
  finish(): AmgMask[] {
    const all = this.survivors;
    const keep = nms(
      all.map((s) => s.box),
      all.map((s) => s.predictedIou),
      this.options.boxNmsThresh,
    );
    const masks = keep.map((i): AmgMask => {
      const { low, mask, ...s } = all[i]!;
      if (mask) return { ...s, mask, bbox: boxXywh(s.box) };
      const m = this.post.mask(low!, this.cuts);
      this.stats.hairPixels += m.hair;
      return { ...s, mask: m.mask, bbox: boxXywh(s.box) };
    });
    const { minMaskRegionArea, boxNmsThresh } = this.options;
    if (minMaskRegionArea <= 0) return masks;
    // Upstream uses max(box_nms_thresh, crop_nms_thresh), the latter 0.7 by default.
    return removeSmallRegionsAll(
      masks,
      this.frame.height,
      this.frame.width,
      minMaskRegionArea,
      Math.max(boxNmsThresh, 0.7),
    );
  }
}
