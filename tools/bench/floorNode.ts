/**
 * The floor of one model file in a Node process of its own (nodeChecks.measureFloorApart), so that
 * WebGPU's ORT build (configureNodeEp) stays out of the bench's own process, which goes on timing
 * WASM in Node. Prints the FloorTimes as the last line, in JSON:
 *   npx tsx tools/bench/floorNode.ts <model.onnx> <threads> <reps> <wasm|webgpu>
 */
import { readFile } from 'node:fs/promises';
import { measureFloor } from './nodeChecks';

const [file, threads, reps, ep] = process.argv.slice(2);
if (!file || !threads || !reps || (ep !== 'wasm' && ep !== 'webgpu')) {
  console.error('usage: npx tsx tools/bench/floorNode.ts <model.onnx> <threads> <reps> <wasm|webgpu>');
  process.exit(2);
}
const floor = await measureFloor(new Uint8Array(await readFile(file)), Number(threads), Number(reps), ep);
console.log(JSON.stringify(floor));
// Dawn's and ORT's threads would keep the process alive after the work is done.
process.exit(0);
