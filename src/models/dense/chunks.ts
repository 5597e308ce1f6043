/**
 * How the joint part (the conditioned decoder) is fed: how many rows go into one run.
 *
 * The decoder has no per-image work left in it (the reduces and everything else that reads only the
 * pixels are in the vision part), so a row's cost is its own arithmetic: three 64-d transformer
 * layers over the 485 tokens and the transposed convolution, about 1.07 GFLOP. On WASM (2 threads, the
 * full-size model, interleaved in one process on a quiet machine) a row costs the same in any run of 4
 * to 24 rows (31-33 ms) and a little more in runs of 38 or 48 (34 ms), so 16, which also bounds the
 * [N, 4, 485, 485] attention scores and [N, 485, 2048] MLP activations. Runs are as
 * even as possible. WebGPU keeps full runs of 16: each new row count compiles its own shaders
 * (minutes on a software adapter), so its runs keep the sizes the warm-up compiled.
 */
import { evenRuns, fullRuns } from '../../processing/runSizes';
import type { Ep } from '../runtime/ortRuntime';

/**
 * Most prompts in one text run (on WASM a run holds prompts of one token length: see textRuns in
 * ../../processing/runSizes).
 */
export const TEXT_ROWS = 32;

/** Most decoder rows in one run, per execution provider. */
export const DECODER_ROWS: Readonly<Record<Ep, number>> = { wasm: 16, webgpu: 16 };

/**
 * Run sizes for `n` rows at most `max` a run. WASM: as few runs as `max` allows, their sizes as equal
 * as possible (79 rows with 48 a run: 40 + 39, not 48 + 31). `even: false` (WebGPU):
 * full runs of `max` then the rest, so the shapes stay the ones the warm-up compiled.
 */
export function decoderRuns(n: number, max: number, even = true): number[] {
  return even ? evenRuns(n, max) : fullRuns(n, max);
}
