import { describe, expect, it } from 'vitest';
import { samLikeBatch } from '../../../../tools/bench/samLogits';
import { AMG_DEFAULTS, AmgCollector, type AmgMask, type AmgOptions } from './amg';
import { boxXywh, nms } from './boxes';
import { stabilityCuts } from './cuts';
import { samFrame, type SamFrame } from './frame';
import { gridPoints, toModelFrame } from './grid';
import { candidateReference } from './reference';
import { removeSmallRegionsAll } from './regions';
import { SAM_TINY } from './samTiny.testing';

const H = 90;
const W = 120;
const N = 256;
const OPTS: AmgOptions = {
  predIouThresh: 0.8,
  stabilityScoreThresh: 0.85,
  stabilityScoreOffset: 1,
  boxNmsThresh: 0.5,
  maskThreshold: 0,
  minMaskRegionArea: 0,
};

/** Upstream's pipeline written out over every candidate with the reference post-processing. */
function referenceAmg(
  frame: SamFrame,
  iou: Float32Array,
  masks: Float32Array,
  pts: Float64Array,
  o: AmgOptions,
) {
  const cuts = stabilityCuts(o.maskThreshold, o.stabilityScoreOffset);
  const kept: (ReturnType<typeof candidateReference> & {
    iou: number;
    candidate: number;
    point: number[];
  })[] = [];
  for (let k = 0; k < iou.length; k++) {
    if (!(iou[k]! > Math.fround(o.predIouThresh))) continue;
    const r = candidateReference(frame, masks.subarray(k * N * N, (k + 1) * N * N), cuts);
    if (!(r.stability >= Math.fround(o.stabilityScoreThresh))) continue;
    const p = Math.floor(k / 3);
    kept.push({ ...r, iou: iou[k]!, candidate: k, point: [pts[2 * p]!, pts[2 * p + 1]!] });
  }
  const order = nms(
    kept.map((c) => c.box),
    kept.map((c) => c.iou),
    o.boxNmsThresh,
  );
  return order.map((i) => kept[i]!);
}

function collect(
  frame: SamFrame,
  iou: Float32Array,
  masks: Float32Array,
  pts: Float64Array,
  perBatch: number,
  o: Partial<AmgOptions>,
) {
  const c = new AmgCollector(frame, o);
  const P = pts.length / 2;
  for (let first = 0; first < P; first += perBatch) {
    const end = Math.min(P, first + perBatch);
    c.add({
      iouScores: iou.subarray(3 * first, 3 * end),
      lowResMasks: masks.subarray(3 * first * N * N, 3 * end * N * N),
      points: pts.subarray(2 * first, 2 * end),
      firstPoint: first,
    });
  }
  return { masks: c.finish(), stats: c.stats };
}

describe('AMG_DEFAULTS', () => {
  it("are upstream SamAutomaticMaskGenerator's defaults (sam-tiny golden.json)", () => {
    const u = SAM_TINY.amg.upstream_defaults;
    expect(AMG_DEFAULTS).toEqual({
      predIouThresh: u.pred_iou_thresh,
      stabilityScoreThresh: u.stability_score_thresh,
      stabilityScoreOffset: u.stability_score_offset,
      boxNmsThresh: u.box_nms_thresh,
      maskThreshold: u.mask_threshold,
      minMaskRegionArea: u.min_mask_region_area,
    });
  });
});

describe('AmgCollector on SAM-like decoder outputs', () => {
  const frame = samFrame(H, W);
  const pts = gridPoints(6, H, W);
  const { iou, masks } = samLikeBatch(toModelFrame(pts, H, W), 11, 0.6, { radii: [12, 30, 60] });

  it('keeps what upstream pipeline written out over the reference keeps, in the same order', () => {
    const ref = referenceAmg(frame, iou, masks, pts, OPTS);
    const { masks: got, stats } = collect(frame, iou, masks, pts, 16, OPTS);
    expect(ref.length).toBeGreaterThan(3);
    expect(stats.passedStability).toBeGreaterThan(ref.length); // NMS removed some
    expect(got.map((m) => m.candidate)).toEqual(ref.map((r) => r.candidate));
    got.forEach((m: AmgMask, k) => {
      const r = ref[k]!;
      expect(Array.from(m.mask)).toEqual(Array.from(r.mask));
      expect([m.area, m.box, m.bbox, m.stabilityScore, m.predictedIou]).toEqual([
        r.area,
        r.box,
        boxXywh(r.box),
        r.stability,
        r.iou,
      ]);
      expect(m.point).toEqual(r.point);
      expect([m.pointIndex, m.output]).toEqual([Math.floor(r.candidate / 3), r.candidate % 3]);
    });
  });

  it('gives the same result whatever the batch size', () => {
    const a = collect(frame, iou, masks, pts, 16, OPTS).masks;
    for (const per of [1, 5]) {
      const b = collect(frame, iou, masks, pts, per, OPTS).masks;
      expect(b.map((m) => [m.candidate, m.area, m.stabilityScore])).toEqual(
        a.map((m) => [m.candidate, m.area, m.stabilityScore]),
      );
    }
  });

  it('gives the same masks whether survivors keep their mask or their low-res plane', () => {
    const byMask = collect(frame, iou, masks, pts, 16, { ...OPTS, keep: 'mask' }).masks;
    const byLowRes = collect(frame, iou, masks, pts, 16, { ...OPTS, keep: 'lowRes' }).masks;
    expect(byLowRes).toEqual(byMask);
  });

  it('skips a filter whose threshold is 0, as upstream does', () => {
    const all = collect(frame, iou, masks, pts, 16, { ...OPTS, predIouThresh: 0, stabilityScoreThresh: 0 });
    expect(all.stats.passedIou).toBe(iou.length);
    expect(all.stats.passedStability).toBe(iou.length);
  });

  it('applies the small-region clean-up to the kept masks when minMaskRegionArea is set', () => {
    const plain = collect(frame, iou, masks, pts, 16, OPTS).masks;
    const cleaned = collect(frame, iou, masks, pts, 16, { ...OPTS, minMaskRegionArea: 400 }).masks;
    expect(cleaned).toEqual(removeSmallRegionsAll(plain, H, W, 400, 0.7));
    expect(cleaned).not.toEqual(plain);
  });

  it('refuses a batch whose arrays do not match', () => {
    const c = new AmgCollector(frame);
    expect(() =>
      c.add({
        iouScores: new Float32Array(6),
        lowResMasks: new Float32Array(5),
        points: [1, 2, 3, 4],
        firstPoint: 0,
      }),
    ).toThrow(/2 points, 6 scores, 5 mask values/);
  });
});
