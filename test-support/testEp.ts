/**
 * The EP the golden tests run their models on: WASM, or WebGPU through Dawn's Node bindings under
 * `npm run test:gpu` (OVSEG_TEST_EP=webgpu, vitest.gpu.config.ts), with the same tolerances.
 */
import type { Ep } from '../src/shared/protocol';
import { configureNodeEp } from '../tools/lib/nodeSegmenter';

const asked = process.env.OVSEG_TEST_EP ?? 'wasm';
if (asked !== 'wasm' && asked !== 'webgpu')
  throw new Error(`OVSEG_TEST_EP takes wasm or webgpu, not ${asked}`);
export const TEST_EP: Ep = asked;
export const TEST_EP_NAME = TEST_EP === 'wasm' ? 'WASM' : 'WebGPU';

/**
 * Runs before the file's first session. On WebGPU with no adapter it throws, and the file fails
 * with Dawn's reason and the set-up steps: a GPU run that quietly fell back to WASM would prove
 * nothing.
 */
export async function setUpTestEp(): Promise<void> {
  const gpu = await configureNodeEp(TEST_EP);
  if (gpu) console.log(`WebGPU adapter: ${gpu.adapter}`);
}

/** Why a non-fp32 variant is left out on WebGPU (printed, so that the skip says why). */
export function fp32OnlyOnGpu(file: string, fp32: boolean): boolean {
  const skip = TEST_EP !== 'wasm' && !fp32;
  if (skip) console.log(`${file}: WASM only (npm run test:gpu checks the fp32 goldens on WebGPU)`);
  return skip;
}
