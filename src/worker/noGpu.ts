import type { GpuInfo } from '../shared/protocol';

/** What the worker reports where there is no WebGPU (and what tests run the worker with). */
export const NO_GPU: GpuInfo = {
  available: false,
  fallback: false,
  f16: false,
  description: 'no WebGPU',
  maxBufferSize: 0,
  maxStorageBufferBindingSize: 0,
};
