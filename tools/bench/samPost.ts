/**
 * SAM's automatic-mask-generation post-processing in Node (see samPostMeasure.ts): a 16 x 16 grid on
 * a 640 x 480 picture, SAM-like logits in batches of 64 points. Target: <= 100 ms.
 *
 *   npx tsx tools/bench/samPost.ts [--runs 7]
 *
 * Medians of the runs after one warm-up, wall and CPU time (the machine may be shared: the load
 * average is printed).
 */
import { loadavg } from 'node:os';
import { measureSamPost, POST_GRID, POST_PICTURE, type PostFigures } from './samPostMeasure';

const runsAt = process.argv.indexOf('--runs');
const RUNS = runsAt > 0 ? Number(process.argv[runsAt + 1]) : 7;
const load = () =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');

const line = (name: string, f: PostFigures) =>
  `${name}: ${f.wall.toFixed(1)} ms wall (add ${f.add.toFixed(1)}, finish ${(f.wall - f.add).toFixed(1)}), ` +
  `${f.cpu.toFixed(1)} ms CPU; ${f.stats.candidates} candidates, ${f.stats.passedIou} pass IoU, ` +
  `${f.stats.passedStability} pass stability, ${f.kept} kept; ${f.stats.hairPixels} pixels in the rounding hair`;

console.log(
  `SAM AMG post-processing, ${POST_GRID}x${POST_GRID} grid, ${POST_PICTURE.width}x${POST_PICTURE.height}, ${RUNS} runs, load average ${load()}`,
);
const r = measureSamPost(RUNS);
console.log(line('upstream thresholds', r.upstream));
console.log(line('all pass', r.allPass));
console.log(`load average after: ${load()}`);
