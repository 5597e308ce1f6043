/**
 * How long a worker request may run before the worker counts as hung. Bounds scale with the model:
 * a segmentation step may take 10x the model's measured warm-up (at least 30 s), the vocabulary
 * step more for long vocabularies; a load may go this long without a sign of progress (bytes, a stage,
 * a finished warm-up run, a WebGPU warm-up waiting on the GPU), plus time for the bytes it brought.
 */
import type { Stage } from '../shared/protocol';

export const SEGMENT_FLOOR_MS = 30_000;
/** Prompts of one text run (the worker's batch): the most a vocabulary step's bound grows for. */
export const STEP_NAMES = 64;
const WARMUP_FACTOR = 10;
const LOAD_FLOOR_MS = 120_000;
/** Extra time after a download, per MB downloaded, for compiling and warming up. */
const LOAD_MS_PER_MB = 2_000;
const ALIVE_STEPS = 10;

/** Test/diagnostic overrides (?debug): fixed bounds instead of the scaled ones. */
export interface DeadlineOverrides {
  segmentMs?: number | undefined;
  loadMs?: number | undefined;
  /** How long a model's server may take to answer (the worker's download bound, RESPONSE_MS). */
  responseMs?: number | undefined;
}

/** Bound of one step of a segmentation (it resets when the worker reports the next stage). */
export function segmentStepMs(
  warmupMs: number | null,
  names: number,
  stage: Stage | null,
  o: DeadlineOverrides = {},
): number {
  const base = o.segmentMs ?? Math.max(SEGMENT_FLOOR_MS, WARMUP_FACTOR * (warmupMs ?? 0));
  // Each name may need a text-model run; the warm-up ran about one. The worker reports a step after
  // each run of at most STEP_NAMES prompts and each step restarts the clock, so the bound stops
  // growing there: a long vocabulary is watched run by run, not given minutes up front.
  const counted = Math.min(names, STEP_NAMES);
  return stage === 'vocabulary' && o.segmentMs === undefined ? base * (1 + counted / 4) : base;
}

/** Bound of a load between signs of progress (download bytes, stage changes). */
export function loadStepMs(bytesSeen: number, o: DeadlineOverrides = {}): number {
  return o.loadMs ?? LOAD_FLOOR_MS + (bytesSeen / 2 ** 20) * LOAD_MS_PER_MB;
}

/**
 * How long a WebGPU warm-up's notes that it waits on the GPU keep it alive: 10 load steps (22 min
 * for an 8 MB bundle). A software adapter may need minutes; a graph that waits on the GPU forever
 * (a loop reading a GPU value each turn) must still end.
 */
export function aliveForMs(bytesSeen: number, o: DeadlineOverrides = {}): number {
  return ALIVE_STEPS * loadStepMs(bytesSeen, o);
}
