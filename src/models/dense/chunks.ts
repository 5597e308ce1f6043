/**
 * How the joint part (the conditioned decoder) is fed: how many rows go into one run.
 *
 * The decoder has no per-image work left in it (the reduces and everything else that reads only the
 * pixels are in the vision part), so a row's cost is its own arithmetic: three 64-d transformer
 * layers over the 485 tokens and the transposed convolution, about 1.07 GFLOP. Bigger runs only
 * spread ORT's fixed costs and keep its kernels busier: on WASM (2 threads, the full-size model,
 * interleaved in one process) a row in a run of 48 costs about 0.83 of a row in a run of 16 and half
 * of a row run alone. The largest activations of a 48-row run, the [48, 4, 485, 485] attention scores
 * and the [48, 485, 2048] MLP activations, are about 0.2 GB each: well inside ORT's 4 GB WASM heap
 * beside the model's weights. WebGPU keeps 16: each new row count compiles its own shaders (minutes
 * on a software adapter), so its runs keep one size.
 */
import type { Ep } from '../../worker/ortRuntime';

/** Most decoder rows in one run, per execution provider. */
export const DECODER_ROWS: Readonly<Record<Ep, number>> = { wasm: 48, webgpu: 16 };

/**
 * Run sizes for `n` rows at most `max` a run. WASM: as few runs as `max` allows, their sizes as equal
 * as possible (79 rows: 40 + 39, not 48 + 31: a small run costs more a row). `even: false` (WebGPU):
 * full runs of `max` then the rest, so the shapes stay the ones the warm-up compiled.
 */
export function decoderRuns(n: number, max: number, even = true): number[] {
  if (n <= 0) return [];
  const m = Math.max(1, Math.floor(max));
  const runs = Math.ceil(n / m);
  if (!even) return Array.from({ length: runs }, (_, i) => Math.min(m, n - i * m));
  const base = Math.floor(n / runs);
  const extra = n - base * runs;
  return Array.from({ length: runs }, (_, i) => base + (i < extra ? 1 : 0));
}
