/**
 * How work is cut into model runs: run sizes for a count of rows, and which prompts share a text run.
 */

/**
 * Sizes of the fewest runs of at most `max` that hold `n` items, as equal as possible (79 with 48 a
 * run: 40 + 39, not 48 + 31): a short last run would pay a run's fixed costs for little work.
 */
export function evenRuns(n: number, max: number): number[] {
  if (n <= 0) return [];
  const m = Math.max(1, Math.floor(max));
  const runs = Math.ceil(n / m);
  const base = Math.floor(n / runs);
  const extra = n - base * runs;
  return Array.from({ length: runs }, (_, i) => base + (i < extra ? 1 : 0));
}

/** Sizes of full runs of `max` then the rest (79 with 48 a run: 48 + 31). */
export function fullRuns(n: number, max: number): number[] {
  if (n <= 0) return [];
  const m = Math.max(1, Math.floor(max));
  return Array.from({ length: Math.ceil(n / m) }, (_, i) => Math.min(m, n - i * m));
}

/**
 * Text-model runs for prompts of these token lengths: lists of prompt indices, every prompt in
 * exactly one run, at most `max` a run.
 *
 * A batch is padded to its longest prompt and the text tower computes every padded position, so a
 * run that mixes lengths pays for tokens that change nothing (CLIP's causal mask and end-token
 * pooling make the padding inert). `byLength` puts only prompts of one length in a run (shortest
 * first, each length's prompts in their order, its runs as even as possible): on WASM (2 threads,
 * the full-size CLIPSeg text part, PASCAL VOC's 79 prompts of 3 to 5 tokens) that took 417 ms
 * against 594 ms for runs of 32 in vocabulary order, and ADE20K-150's 150 prompts 773 against
 * 1049 ms. Without it (WebGPU, where every new input shape compiles its shaders) the runs are
 * consecutive slices of at most `max`, in order: as few shapes as the count allows.
 */
export function textRuns(lengths: readonly number[], max: number, byLength: boolean): number[][] {
  const m = Math.max(1, Math.floor(max));
  const groups = new Map<number, number[]>();
  if (byLength) {
    lengths.forEach((len, i) => {
      const g = groups.get(len);
      if (g) g.push(i);
      else groups.set(len, [i]);
    });
  } else if (lengths.length > 0)
    groups.set(
      0,
      lengths.map((_, i) => i),
    );
  const out: number[][] = [];
  for (const len of [...groups.keys()].sort((a, b) => a - b)) {
    const members = groups.get(len)!;
    let at = 0;
    const sizes = byLength ? evenRuns(members.length, m) : fullRuns(members.length, m);
    for (const size of sizes) out.push(members.slice(at, (at += size)));
  }
  return out;
}
