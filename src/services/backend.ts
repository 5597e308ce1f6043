import type { Ep, GpuInfo } from '../shared/protocol';

export { isSoftwareAdapter } from '../shared/gpuAdapter';

export interface BackendChoice {
  ep: Ep;
  /** Why the default is not WebGPU although an adapter exists (shown in the status bar). */
  reason: string | null;
  /** Something the user asked for that cannot be done. */
  warning: string | null;
}

export const SOFTWARE_ADAPTER_REASON =
  'WebGPU adapter is a software fallback; using WASM — pick WebGPU to try it';

/**
 * The backend to start on. `wanted` comes from the page address (?ep=). Without it, a software
 * WebGPU adapter (SwiftShader and the like) is passed over: it runs models far slower than WASM on
 * the same CPU (the embedded model: about 0.5 fps against 6–10 fps on a 2-core machine). The user
 * can still pick it in the backend menu or with ?ep=webgpu.
 */
export function chooseBackend(wanted: Ep | null, gpu: GpuInfo): BackendChoice {
  if (wanted === 'wasm') return { ep: 'wasm', reason: null, warning: null };
  if (!gpu.available)
    return {
      ep: 'wasm',
      reason: null,
      warning: wanted === 'webgpu' ? `WebGPU is not available (${gpu.description}); using WASM.` : null,
    };
  if (gpu.fallback && wanted !== 'webgpu')
    return { ep: 'wasm', reason: SOFTWARE_ADAPTER_REASON, warning: null };
  return { ep: 'webgpu', reason: null, warning: null };
}
