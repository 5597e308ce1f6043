/**
 * `npm run test:gpu`: the fp32 goldens of every family on WebGPU in Node (Dawn's Node bindings on
 * whatever Vulkan driver the machine has; lavapipe on a machine with no GPU), with the tolerances the
 * WASM runs use. See docs/testing.md, "WebGPU in Node".
 */
import { defineConfig } from 'vitest/config';
import base from './vitest.config';

export default defineConfig({
  ...base,
  test: {
    ...base.test,
    include: [
      'src/models/colours/coloursModel.test.ts',
      'src/models/dense/denseModel.golden.test.ts',
      'src/models/clip/clipDenseModel.golden.test.ts',
      'src/models/clip/surgery.golden.test.ts',
      'src/models/samclip/samModel.golden.test.ts',
      'src/worker/segmenter.golden.test.ts',
      'tools/bench/floorNode.test.ts',
      'tools/segmentEp.test.ts',
    ],
    env: { OVSEG_TEST_EP: 'webgpu' },
  },
});
