/**
 * SAM's automatic-mask-generation post-processing in Node: a 16 x 16 grid (768 candidates, 3 per
 * point) on a 640 x 480 picture, synthetic SAM-like decoder outputs (tools/bench/samLogits.ts) fed
 * in batches of 64 points as the decoder would produce them; the time of AmgCollector's `add` for
 * every batch plus `finish` (NMS and the kept masks). Target: <= 100 ms.
 *
 *   npx tsx tools/bench/samPost.ts [--runs 7]
 *
 * Two cases: "upstream" (predicted IoU uniform in [0.5, 1), thresholds 0.88 / 0.95: most candidates
 * stop at the IoU filter, as upstream orders it) and "all pass" (every candidate passes both filters:
 * stability for all 768, NMS over all of them). Medians of the runs after one warm-up, wall and CPU
 * time (the machine may be shared: the load average is printed).
 */
import { loadavg } from 'node:os';
import { AmgCollector, type AmgOptions } from '../../src/models/samclip/maths/amg';
import { samFrame } from '../../src/models/samclip/maths/frame';
import { gridPoints, toModelFrame } from '../../src/models/samclip/maths/grid';
import { samLikeBatch } from './samLogits';

const H = 480;
const W = 640;
const SIDE = 16;
const PER_BATCH = 64;
const runsAt = process.argv.indexOf('--runs');
const RUNS = runsAt > 0 ? Number(process.argv[runsAt + 1]) : 7;

interface Batch {
  iou: Float32Array;
  masks: Float32Array;
  points: Float64Array;
  first: number;
}

function batches(iouLow: number): Batch[] {
  const pts = gridPoints(SIDE, H, W);
  const model = toModelFrame(pts, H, W);
  const out: Batch[] = [];
  for (let first = 0; first < SIDE * SIDE; first += PER_BATCH) {
    const b = samLikeBatch(model.subarray(2 * first, 2 * (first + PER_BATCH)), 1000 + first, iouLow);
    out.push({ iou: b.iou, masks: b.masks, points: pts.subarray(2 * first, 2 * (first + PER_BATCH)), first });
  }
  return out;
}

const median = (v: number[]) => [...v].sort((a, b) => a - b)[v.length >> 1]!;
const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

function measure(name: string, data: Batch[], options: Partial<AmgOptions>): void {
  const frame = samFrame(H, W);
  const wall: number[] = [];
  const cpu: number[] = [];
  const add: number[] = [];
  let last: AmgCollector | null = null;
  let kept = 0;
  for (let run = 0; run <= RUNS; run++) {
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
  const s = last!.stats;
  console.log(
    `${name}: ${median(wall).toFixed(1)} ms wall (add ${median(add).toFixed(1)}, finish ${(median(wall) - median(add)).toFixed(1)}), ` +
      `${median(cpu).toFixed(1)} ms CPU; ${s.candidates} candidates, ${s.passedIou} pass IoU, ${s.passedStability} pass stability, ` +
      `${kept} kept; ${s.hairPixels} pixels in the rounding hair`,
  );
}

console.log(
  `SAM AMG post-processing, ${SIDE}x${SIDE} grid, ${W}x${H}, ${RUNS} runs, load average ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}`,
);
measure('upstream thresholds', batches(0.5), { predIouThresh: 0.88, stabilityScoreThresh: 0.95 });
measure('all pass', batches(0.9), { predIouThresh: 0.88, stabilityScoreThresh: 1e-9 });
console.log(
  `load average after: ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}`,
);
