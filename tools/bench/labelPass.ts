/**
 * The label pass timed two ways on ONNX Runtime's WASM backend in Node: `argmaxLabels` (JavaScript)
 * and the label-pass graph (`GraphLabelPass`, its input copied in and its outputs read back
 * included). Both run on the CPU here: this says what the graph costs where it cannot win, not what
 * a GPU gains. Medians of `RUNS` after two warm-up runs; random scores, threshold 0.3.
 * `npx tsx tools/bench/labelPass.ts [classes] [width] [height]`
 */
import { argmaxLabels } from '../../src/processing/argmax';
import { GraphLabelPass } from '../../src/models/runtime/labelPass';
import { timeMedian } from './timeMedian';

const RUNS = 9;

const time = (f: () => unknown): Promise<number> => timeMedian(f, RUNS);

async function main(): Promise<void> {
  const [C, W, H] = [
    Number(process.argv[2] ?? 20),
    Number(process.argv[3] ?? 352),
    Number(process.argv[4] ?? 352),
  ];
  const P = W * H;
  let s = 1;
  const scores = Float32Array.from({ length: C * P }, () => (s = (s * 48271) % 2147483647) / 2147483647);
  const pass = await GraphLabelPass.create('wasm');
  const js = await time(() => argmaxLabels(scores, C, P, 0.3));
  const graph = await time(() => pass.run(scores, C, P, 0.3));
  await pass.release();
  console.log(
    `label pass, ${C} classes x ${W}x${H}, WASM (Node ${process.version}): JavaScript ${js.toFixed(1)} ms, graph ${graph.toFixed(1)} ms (medians of ${RUNS})`,
  );
}

void main();
