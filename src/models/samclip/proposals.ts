/**
 * SAM's proposals on the current picture: the automatic mask generation over a point grid (decoder
 * runs in batches, kept per grid size until the picture changes) and the object at a click's points
 * (the decoder alone, the best of its three masks).
 */
import { NoImageError } from '../../errors';
import type { PromptPoint } from '../../shared/protocol';
import { AmgCollector, type AmgMask } from './maths/amg';
import { stabilityCuts } from './maths/cuts';
import { FastPost } from './maths/fastPost';
import { samFrame, type SamFrame } from './maths/frame';
import { gridPoints, toModelFrame } from './maths/grid';
import type { SamClipManifest } from './family';
import type { SamModel } from './samModel';

/** What the proposals need of SAM: its prompt decoder on the current picture (a benchmark times it). */
export type PromptDecoder = Pick<SamModel, 'decode'>;

export class Proposals {
  private frame: { plan: SamFrame; post: FastPost } | null = null;
  private kept: { grid: number; masks: AmgMask[] } | null = null;

  constructor(
    private sam: PromptDecoder,
    private amg: SamClipManifest['amg'],
  ) {}

  /** A new picture (its size): the masks of the old one go. */
  forget(picture: { width: number; height: number }): void {
    const plan = samFrame(picture.height, picture.width);
    this.frame = { plan, post: new FastPost(plan) };
    this.kept = null;
  }

  /** The masks SAM's automatic mask generation keeps on an n x n grid (computed once per grid). */
  async generate(n: number): Promise<AmgMask[]> {
    const f = this.frame;
    if (!f) throw new NoImageError();
    if (this.kept?.grid === n) return this.kept.masks;
    const { height, width } = f.plan;
    const points = gridPoints(n, height, width);
    const model = toModelFrame(points, height, width);
    const a = this.amg;
    const collector = new AmgCollector(
      f.plan,
      {
        predIouThresh: a.predIouThresh,
        stabilityScoreThresh: a.stabilityScoreThresh,
        stabilityScoreOffset: a.stabilityScoreOffset,
        boxNmsThresh: a.boxNmsThresh,
        minMaskRegionArea: a.minMaskRegionArea,
      },
      f.post,
    );
    const N = n * n;
    for (let i = 0; i < N; i += a.pointsPerBatch) {
      const P = Math.min(a.pointsPerBatch, N - i);
      const out = await this.sam.decode(
        model.subarray(2 * i, 2 * (i + P)),
        new Array<number>(P).fill(1),
        P,
        1,
      );
      collector.add({
        iouScores: out.iou,
        lowResMasks: out.masks,
        points: points.subarray(2 * i, 2 * (i + P)),
        firstPoint: i,
      });
    }
    const masks = collector.finish();
    this.kept = { grid: n, masks };
    return masks;
  }

  /** The object at the user's points: the decoder's best mask of three, at the picture's size. */
  async prompt(points: readonly PromptPoint[]): Promise<{ mask: Uint8Array; score: number }> {
    const f = this.frame;
    if (!f) throw new NoImageError();
    const { height, width } = f.plan;
    const xy = toModelFrame(
      points.flatMap((p) => [p.x, p.y]),
      height,
      width,
    );
    const out = await this.sam.decode(
      xy,
      points.map((p) => (p.positive ? 1 : 0)),
      1,
      points.length,
    );
    let best = 0;
    for (let k = 1; k < out.iou.length; k++) if (out.iou[k]! > out.iou[best]!) best = k;
    const plane = out.h * out.w;
    const low = out.masks.subarray(best * plane, (best + 1) * plane);
    return {
      mask: f.post.mask(low, stabilityCuts(0, this.amg.stabilityScoreOffset)).mask,
      score: out.iou[best]!,
    };
  }
}
