/**
 * How busy the machine is, measured: waits in the suite are sized from this, not from a bare fixed
 * budget that a loaded machine overruns.
 */

/** CPU time this process has used, in ms. */
const cpuMs = (since: NodeJS.CpuUsage): number => {
  const u = process.cpuUsage(since);
  return (u.user + u.system) / 1000;
};

/**
 * How much slower wall-clock time runs than CPU time for a fixed piece of single-threaded work:
 * about 1 on an idle machine, about N when N runnable threads share each core (as the browser's
 * threads do). The median of three short probes (about 3 × `workMs` of CPU), clamped to [1, max].
 */
export function measureContention(workMs = 40, max = 12): number {
  const ratios: number[] = [];
  let sink = 0;
  for (let run = 0; run < 3; run++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    while (cpuMs(c0) < workMs) for (let k = 1; k < 20_000; k++) sink += Math.sqrt(k);
    ratios.push((performance.now() - t0) / cpuMs(c0));
  }
  if (sink < 0) throw new Error('unreachable'); // keeps the loop from being optimised away
  ratios.sort((a, b) => a - b);
  return Math.min(max, Math.max(1, ratios[1]!));
}
