import { describe, expect, it } from 'vitest';
import { TEST_EP, TEST_EP_NAME } from '../../test-support/testEp';
import { measureFloorApart } from './nodeChecks';

describe(`the bench's floor in a Node process of its own (${TEST_EP_NAME})`, () => {
  it('times the bare parts of clipseg-tiny on the asked backend and says where they ran', async () => {
    const floor = await measureFloorApart('fixtures/clipseg-tiny/model.onnx', 1, 2, TEST_EP);
    expect(floor.ep).toBe(TEST_EP);
    expect(floor.reps).toBe(2);
    for (const ms of [floor.visionMs, floor.decoderRowMs, floor.textMs]) {
      expect(Number.isFinite(ms)).toBe(true);
      expect(ms).toBeGreaterThan(0);
    }
    // WebGPU names its adapter (Dawn's description of the Vulkan device); WASM has none.
    if (TEST_EP === 'webgpu') expect(floor.adapter).toMatch(/\S/);
    else expect(floor.adapter).toBeUndefined();
  }, 300_000);
});
