/**
 * The floor of a scenario: what the bare model parts cost for the work the scenario needs (bare
 * vision-tower runs + bare decoder rows + bare text runs of the prompts that had to be encoded),
 * timed in one session. The engine's own time divided by this says how much it spends beyond the
 * model itself (scheduling, copies, post-processing).
 *
 * The parts come from outside (see floorParts.ts for today's split; a runner that exposes its
 * three parts can hand them over directly).
 */
export interface FloorParts {
  /** `textRowsPerRun` prompts through the text part (to the conditional embedding). */
  text(): Promise<unknown>;
  /** One image through the vision tower (to the activations the decoder reads). */
  vision(): Promise<unknown>;
  /** One decoder run: `rowsPerRun` conditional embeddings against one image's activations. */
  decoderRow(): Promise<unknown>;
  /** Rows in one `decoderRow()` run (default 1); the floor's figure is per row. */
  rowsPerRun?: number;
  /** Prompts in one `text()` run (default 1); the floor's figure is per prompt. */
  textRowsPerRun?: number;
  release?(): Promise<void>;
}

export interface FloorTimes {
  textMs: number;
  visionMs: number;
  decoderRowMs: number;
  reps: number;
  /** Rows per decoder run the per-row figure was timed at. */
  rowsPerRun?: number;
  /** Prompts per text run the per-prompt figure was timed at. */
  textRowsPerRun?: number;
  /** Where the parts ran (default WASM); on WebGPU, the adapter Dawn gave. */
  ep?: 'wasm' | 'webgpu';
  adapter?: string;
}

/** The work a scenario needs at least. */
export interface FloorWork {
  visionRuns: number;
  decoderRows: number;
  textRuns: number;
}

export const median = (xs: readonly number[]): number => {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

async function timeOne(run: () => Promise<unknown>, reps: number): Promise<number> {
  await run(); // warm-up: first runs allocate
  const t: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    await run();
    t.push(performance.now() - t0);
  }
  return median(t);
}

/** Median time of each bare part over `reps` runs (after one warm-up run each). */
export async function timeFloor(parts: FloorParts, reps = 3): Promise<FloorTimes> {
  const visionMs = await timeOne(() => parts.vision(), reps);
  const decoderRowMs = (await timeOne(() => parts.decoderRow(), reps)) / (parts.rowsPerRun ?? 1);
  const textMs = (await timeOne(() => parts.text(), reps)) / (parts.textRowsPerRun ?? 1);
  return {
    textMs,
    visionMs,
    decoderRowMs,
    reps,
    rowsPerRun: parts.rowsPerRun ?? 1,
    textRowsPerRun: parts.textRowsPerRun ?? 1,
  };
}

export function floorMs(t: FloorTimes, w: FloorWork): number {
  return w.visionRuns * t.visionMs + w.decoderRows * t.decoderRowMs + w.textRuns * t.textMs;
}
