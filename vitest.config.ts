import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'tools/**/*.test.ts'],
    environment: 'node',
    testTimeout: 60_000,
    // Model loads in beforeAll hooks take seconds on a quiet machine and far longer on a busy one.
    hookTimeout: 120_000,
    // ORT's WASM runtime is heavy; two cores do not gain from many parallel forks.
    maxWorkers: 2,
    // Load ORT natively so Node picks its Node build and finds its .wasm beside it.
    server: { deps: { external: [/onnxruntime-web/, /@huggingface\/transformers/] } },
  },
});
