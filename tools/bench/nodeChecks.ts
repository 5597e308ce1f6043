/**
 * The benchmark's checks in Node (ONNX Runtime WASM, the bench's thread count), on the model file
 * itself: the bare parts' floor, and split == unsplit. One at a time, each releasing its sessions
 * before the next is made (a full-size model is 545 MB a session).
 */
import { ort } from '../../src/models/runtime/ortRuntime';
import { timeFloor, type FloorTimes } from '../lib/floor';
import { splitFloorParts } from '../lib/floorParts';
import { configureOrt } from '../lib/nodeSegmenter';
import { compareSplitToWhole, splitCheckInputs, type SplitCheckResult } from '../lib/splitCheck';

/** The speed issue's bar for split == unsplit: max difference over the whole graph's logit range. */
export const SPLIT_TARGET = 1e-3;

function setUp(threads: number) {
  configureOrt();
  ort.env.wasm.numThreads = threads;
}

export async function measureFloor(
  bytes: Uint8Array,
  threads: number,
  reps: number,
  ep: 'wasm' | 'webgpu' = 'wasm',
): Promise<FloorTimes> {
  setUp(threads);
  const parts = await splitFloorParts(bytes, ep);
  try {
    return await timeFloor(parts, reps);
  } finally {
    await parts.release?.();
  }
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
