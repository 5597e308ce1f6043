/**
 * The benchmark's checks in Node (ONNX Runtime WASM, the bench's thread count; the floor also on
 * WebGPU through Dawn), on the model file itself: the bare parts' floor, and split == unsplit. One at
 * a time, each releasing its sessions before the next is made (a full-size model is 545 MB a session).
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { ort } from '../../src/models/runtime/ortRuntime';
import { timeFloor, type FloorTimes } from '../lib/floor';
import { splitFloorParts } from '../lib/floorParts';
import { configureNodeEp, configureOrt } from '../lib/nodeSegmenter';
import { compareSplitToWhole, splitCheckInputs, type SplitCheckResult } from '../lib/splitCheck';

/** The speed issue's bar for split == unsplit: max difference over the whole graph's logit range. */
export const SPLIT_TARGET = 1e-3;

function setUp(threads: number) {
  configureOrt();
  ort.env.wasm.numThreads = threads;
}

/**
 * The floor in this process. On WebGPU it turns this process's ORT into the browser build for good
 * (configureNodeEp): a bench that goes on timing WASM in Node calls measureFloorApart instead.
 */
export async function measureFloor(
  bytes: Uint8Array,
  threads: number,
  reps: number,
  ep: 'wasm' | 'webgpu' = 'wasm',
): Promise<FloorTimes> {
  const gpu = await configureNodeEp(ep);
  setUp(threads);
  const parts = await splitFloorParts(bytes, ep);
  try {
    return { ...(await timeFloor(parts, reps)), ep, ...(gpu ? { adapter: gpu.adapter } : {}) };
  } finally {
    await parts.release?.();
  }
}

/** The floor of a model file on `ep`, timed in a Node process of its own (tools/bench/floorNode.ts). */
export async function measureFloorApart(
  file: string,
  threads: number,
  reps: number,
  ep: 'wasm' | 'webgpu',
): Promise<FloorTimes> {
  const args = ['tsx', 'tools/bench/floorNode.ts', file, String(threads), String(reps), ep];
  // A full-size model's parts take minutes on a CPU driver; the JSON is one line. The bound only
  // keeps a process that never ends (a driver that hangs) from holding the bench for good.
  const { stdout } = await promisify(execFile)('npx', args, { maxBuffer: 1 << 20, timeout: 60 * 60_000 });
  const last = stdout.trim().split('\n').at(-1) ?? '';
  return JSON.parse(last) as FloorTimes;
}

/**
 * `prompts` seeded prompts through the whole graph and through the app's three-way split (one vision
 * run, the decoder in two chunks of rows), logits compared.
 */
export async function checkSplit(
  bytes: Uint8Array,
  threads: number,
  prompts: number,
): Promise<SplitCheckResult> {
  setUp(threads);
  return compareSplitToWhole(bytes, splitCheckInputs(prompts), {
    chunk: Math.max(1, Math.ceil(prompts / 2)),
  });
}
