/**
 * GKC's query combine timed two ways on ONNX Runtime's WASM backend in Node, on the query golden's
 * masks and class probabilities: the JavaScript combine (`querySemseg` with the runner's defaults,
 * then the threshold) and the graphs (`GraphQueryCombine`: the masks copied in, labels and best
 * scores read back). Both on the CPU here: what the graphs cost where they cannot win, not what a
 * GPU gains. Medians of `RUNS` after two warm-up runs, threshold 0.3.
 * `npx tsx tools/bench/queryCombineGraph.ts [width] [height]`
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { querySemseg } from '../../src/models/gkc/querySemseg';
import { GraphQueryCombine } from '../../src/models/query/queryCombineGpu';
import { timeMedian } from './timeMedian';

const RUNS = 9;
const fixture = (p: string): Float32Array => {
  const b = readFileSync(fileURLToPath(new URL(`../../fixtures/query-ovseg-tiny/${p}`, import.meta.url)));
  return new Float32Array(b.buffer, b.byteOffset, b.byteLength / 4);
};

const time = (f: () => unknown): Promise<number> => timeMedian(f, RUNS);

async function main(): Promise<void> {
  const [W, H] = [Number(process.argv[2] ?? 320), Number(process.argv[3] ?? 256)];
  const [Q, C, h, w, threshold] = [12, 4, 64, 80, 0.3];
  const masks = fixture('pred_masks.bin');
  const probs = fixture('class_probs.bin');
  const graph = await GraphQueryCombine.create('wasm');
  const js = await time(() => {
    const r = querySemseg({ probs, masks, Q, C, h, w, H, W });
    for (let i = 0; i < r.labels.length; i++) if (r.scores[i]! < threshold) r.labels[i] = 0;
  });
  const onGraph = await time(() => graph.run({ masks, probs, Q, C, h, w, H, W, threshold }));
  await graph.release();
  console.log(
    `query combine, ${Q} queries x ${C} classes, ${w}x${h} masks to ${W}x${H}, WASM (Node ${process.version}): JavaScript ${js.toFixed(1)} ms, graphs ${onGraph.toFixed(1)} ms (medians of ${RUNS})`,
  );
}

void main();
