import { median } from '../lib/floor';

/** Median wall time of `runs` calls of `f`, after two warm-up calls (first runs allocate, compile). */
export async function timeMedian(f: () => unknown, runs: number): Promise<number> {
  const ms: number[] = [];
  for (let r = 0; r < runs + 2; r++) {
    const t0 = performance.now();
    await f();
    if (r >= 2) ms.push(performance.now() - t0);
  }
  return median(ms);
}
