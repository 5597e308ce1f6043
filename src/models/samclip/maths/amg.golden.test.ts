import { beforeAll, describe, expect, it } from 'vitest';
import { configureOrt } from '../../../../tools/lib/nodeSegmenter';
import { ort } from '../../runtime/ortRuntime';
import { AmgCollector, type AmgMask } from './amg';
import { stabilityCuts } from './cuts';
import { FastPost } from './fastPost';
import { samFrame } from './frame';
import { gridPoints, toModelFrame } from './grid';
import { candidateReference } from './reference';
import { fileBytes, SAM_TINY, samArray } from './samTiny.testing';

/*
 * End to end on fixtures/sam-tiny: the fp32 prompt decoder (onnxruntime-web, WASM) on the 8x8 grid in
 * batches of 16, fed the encoder's reference embeddings, then this folder's AMG with the fixture's
 * thresholds, against upstream's SamAutomaticMaskGenerator run in PyTorch (amg_*).
 */
const { height: H, width: W } = SAM_TINY.image;
const cfg = SAM_TINY.amg.config;
const N = 256;

interface Decoded {
  iou: Float32Array;
  masks: Float32Array;
}

async function decodeGrid(points1024: Float32Array): Promise<Decoded[]> {
  const session = await ort.InferenceSession.create(fileBytes('prompt_encoder_mask_decoder.onnx'));
  const emb = new ort.Tensor('float32', samArray('image_embeddings', 'float32'), [1, 32, 64, 64]);
  const pe = new ort.Tensor('float32', samArray('image_positional_embeddings', 'float32'), [1, 32, 64, 64]);
  const out: Decoded[] = [];
  try {
    const n = points1024.length / 2;
    for (let first = 0; first < n; first += cfg.points_per_batch) {
      const P = Math.min(cfg.points_per_batch, n - first);
      const r = await session.run({
        input_points: new ort.Tensor('float32', points1024.slice(2 * first, 2 * (first + P)), [1, P, 1, 2]),
        input_labels: new ort.Tensor('int64', new BigInt64Array(P).fill(1n), [1, P, 1]),
        image_embeddings: emb,
        image_positional_embeddings: pe,
      });
      out.push({ iou: r.iou_scores!.data as Float32Array, masks: r.pred_masks!.data as Float32Array });
    }
  } finally {
    await session.release();
  }
  return out;
}

describe('automatic mask generation on sam-tiny against upstream (PyTorch)', () => {
  const frame = samFrame(H, W);
  const points = gridPoints(cfg.points_per_side, H, W);
  let batches: Decoded[];
  let kept: AmgMask[];
  let collector: AmgCollector;

  beforeAll(async () => {
    configureOrt();
    batches = await decodeGrid(toModelFrame(points, H, W));
    collector = new AmgCollector(frame, {
      predIouThresh: cfg.pred_iou_thresh,
      stabilityScoreThresh: cfg.stability_score_thresh,
      stabilityScoreOffset: cfg.stability_score_offset,
      boxNmsThresh: cfg.box_nms_thresh,
      maskThreshold: cfg.mask_threshold,
    });
    batches.forEach((b, k) =>
      collector.add({
        iouScores: b.iou,
        lowResMasks: b.masks,
        points: points.subarray(
          2 * k * cfg.points_per_batch,
          2 * (k * cfg.points_per_batch + b.iou.length / 3),
        ),
        firstPoint: k * cfg.points_per_batch,
      }),
    );
    kept = collector.finish();
  });

  it('feeds the decoder the grid as upstream does (apply_coords, float32)', () => {
    expect(Array.from(toModelFrame(points, H, W))).toEqual(
      Array.from(samArray('amg_grid_points_1024', 'float32')),
    );
  });

  it('scores every candidate as upstream: predicted IoU and stability of all 192', () => {
    const allIou = samArray('amg_all_iou', 'float32');
    const allStab = samArray('amg_all_stability', 'float32');
    const post = new FastPost(frame);
    const cuts = stabilityCuts(cfg.mask_threshold, cfg.stability_score_offset);
    const stabCut = Math.fround(cfg.stability_score_thresh);
    let iouDiff = 0;
    let stabDiff = 0;
    let same = 0;
    for (let k = 0; k < allIou.length; k++) {
      const b = batches[Math.floor(k / (3 * cfg.points_per_batch))]!;
      const j = k % (3 * cfg.points_per_batch);
      iouDiff = Math.max(iouDiff, Math.abs(b.iou[j]! - allIou[k]!));
      const low = b.masks.subarray(j * N * N, (j + 1) * N * N);
      const fast = post.scores(low, cuts).stability;
      const ref = candidateReference(frame, low, cuts).stability;
      expect(Object.is(fast, ref), `candidate ${k}: fast ${fast}, reference ${ref}`).toBe(true);
      if (Object.is(fast, allStab[k])) same++;
      else stabDiff = Math.max(stabDiff, Math.abs(fast - allStab[k]!));
      // ORT's logits are PyTorch's within 5e-5: a few pixels near a cut may flip, never a decision.
      expect(fast >= stabCut, `candidate ${k}`).toBe(allStab[k]! >= stabCut);
    }
    console.log(
      `sam-tiny AMG (ORT decoder): ${same} / ${allIou.length} stability scores identical to PyTorch's, ` +
        `the others within ${stabDiff.toExponential(2)}; IoU within ${iouDiff.toExponential(2)}`,
    );
    // golden.json onnxruntime_web: decoder IoU within 3.4e-6 and logits within 4.8e-5 of PyTorch's.
    expect(iouDiff).toBeLessThan(1e-5);
    expect(stabDiff).toBeLessThan(1e-3);
  });

  it('passes the filters with upstream counts', () => {
    expect(collector.stats.candidates).toBe(SAM_TINY.amg.candidates);
    expect(collector.stats.passedIou).toBe(SAM_TINY.amg.passed_iou);
    expect(collector.stats.passedStability).toBe(SAM_TINY.amg.passed_both);
  });

  it('keeps the same masks in the same order, pixel for pixel, with their scores, boxes, areas and points', () => {
    expect(kept.map((m) => m.candidate)).toEqual(SAM_TINY.amg.kept_candidates);
    const masks = samArray('amg_masks', 'uint8');
    const iou = samArray('amg_iou', 'float32');
    const stab = samArray('amg_stability', 'float32');
    const boxes = samArray('amg_boxes', 'int32');
    const area = samArray('amg_area', 'int32');
    const pts = samArray('amg_points', 'float32');
    const src = samArray('amg_source', 'int32');
    let differing = 0;
    kept.forEach((m, k) => {
      const ref = masks.subarray(k * H * W, (k + 1) * H * W);
      for (let i = 0; i < H * W; i++) if (m.mask[i] !== ref[i]) differing++;
      expect(Math.abs(m.predictedIou - iou[k]!)).toBeLessThan(1e-5);
      expect(m.stabilityScore).toBe(stab[k]);
      expect(m.bbox).toEqual(Array.from(boxes.subarray(4 * k, 4 * k + 4)));
      expect(m.area).toBe(area[k]);
      expect(m.point.map(Math.fround)).toEqual(Array.from(pts.subarray(2 * k, 2 * k + 2)));
      expect([m.pointIndex, m.output]).toEqual(Array.from(src.subarray(2 * k, 2 * k + 2)));
    });
    console.log(`sam-tiny AMG: ${kept.length} masks kept, ${differing} pixels differ from PyTorch's`);
    expect(differing).toBe(0);
  });
});
