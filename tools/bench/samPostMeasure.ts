/**
 * SAM's automatic-mask-generation post-processing on synthetic decoder outputs: a 16 x 16 grid (768
 * candidates, 3 per point) on a 640 x 480 picture, SAM-like logits (samLogits.ts) fed in batches of
 * 64 points as the decoder would produce them; the time of AmgCollector's `add` for every batch
 * plus `finish` (NMS and the kept masks). Used by samPost.ts (its own command) and the benchmark's
 * SAM part.
 *
 * Two cases: "upstream" (predicted IoU uniform in [0.5, 1), thresholds 0.88 / 0.95: most candidates
 * stop at the IoU filter, as upstream orders it) and "all pass" (every candidate passes both filters:
 * stability for all 768, NMS over all of them). Medians of the runs after one warm-up.
 */
import { AmgCollector, type AmgOptions, type AmgStats } from '../../src/models/samclip/maths/amg';
import { samFrame } from '../../src/models/samclip/maths/frame';
import { gridPoints, toModelFrame } from '../../src/models/samclip/maths/grid';
import { samLikeBatch } from './samLogits';

export const POST_PICTURE = { width: 640, height: 480 } as const;
export const POST_GRID = 16;
const POINTS_PER_BATCH = 64;

export interface SamLikeBatch {
  iou: Float32Array;
  masks: Float32Array;
  /** The batch's grid points in picture pixels. */
  points: Float64Array;
  first: number;
}

/** SAM-like decoder outputs for the grid's batches (predicted IoU uniform in [iouLow, 1)). */
export function samLikeBatches(
  iouLow: number,
  side = POST_GRID,
  perBatch = POINTS_PER_BATCH,
): SamLikeBatch[] {
  const { width: W, height: H } = POST_PICTURE;
  const pts = gridPoints(side, H, W);
  const model = toModelFrame(pts, H, W);
  const out: SamLikeBatch[] = [];
  for (let first = 0; first < side * side; first += perBatch) {
    const end = Math.min(side * side, first + perBatch);
    const b = samLikeBatch(model.subarray(2 * first, 2 * end), 1000 + first, iouLow);
    out.push({ iou: b.iou, masks: b.masks, points: pts.subarray(2 * first, 2 * end), first });
  }
  return out;
}

export interface PostFigures {
  /** Medians, ms: the whole post-processing, its `add` part, and CPU time. */
  wall: number;
  add: number;
  cpu: number;
  kept: number;
  stats: AmgStats;
}

const median = (v: number[]) => [...v].sort((a, b) => a - b)[v.length >> 1]!;
const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

function measure(data: SamLikeBatch[], options: Partial<AmgOptions>, runs: number): PostFigures {
  const frame = samFrame(POST_PICTURE.height, POST_PICTURE.width);
  const wall: number[] = [];
  const cpu: number[] = [];
  const add: number[] = [];
  let last: AmgCollector | null = null;
  let kept = 0;
  for (let run = 0; run <= runs; run++) {
    const t0 = performance.now();
    const c0 = cpuMs();
    const c = new AmgCollector(frame, options);
    for (const b of data)
      c.add({ iouScores: b.iou, lowResMasks: b.masks, points: b.points, firstPoint: b.first });
    const t1 = performance.now();
    kept = c.finish().length;
    if (run === 0) continue; // warm-up
    wall.push(performance.now() - t0);
    cpu.push(cpuMs() - c0);
    add.push(t1 - t0);
    last = c;
  }
  return { wall: median(wall), add: median(add), cpu: median(cpu), kept, stats: last!.stats };
}

/** Both cases, `runs` timed runs each after a warm-up. */
export function measureSamPost(runs: number): { upstream: PostFigures; allPass: PostFigures } {
  return {
    upstream: measure(samLikeBatches(0.5), { predIouThresh: 0.88, stabilityScoreThresh: 0.95 }, runs),
    allPass: measure(samLikeBatches(0.9), { predIouThresh: 0.88, stabilityScoreThresh: 1e-9 }, runs),
  };
}
