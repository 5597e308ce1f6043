import { describe, expect, it } from 'vitest';
import type { GpuInfo } from '../shared/protocol';
import { chooseBackend, isSoftwareAdapter, SOFTWARE_ADAPTER_REASON } from './backend';

const gpu = (available: boolean, fallback: boolean): GpuInfo => ({
  available,
  fallback,
  f16: false,
  description: available ? 'an adapter' : 'no WebGPU',
  maxBufferSize: 1 << 30,
  maxStorageBufferBindingSize: 1 << 27,
});

describe('chooseBackend', () => {
  it('starts on WASM, saying why, when the only WebGPU adapter is a software fallback', () => {
    expect(chooseBackend(null, gpu(true, true))).toEqual({
      ep: 'wasm',
      reason: SOFTWARE_ADAPTER_REASON,
      warning: null,
    });
  });

  it('still runs a software adapter when WebGPU is asked for', () => {
    expect(chooseBackend('webgpu', gpu(true, true))).toEqual({ ep: 'webgpu', reason: null, warning: null });
  });

  it('starts on a hardware adapter by default, and on WASM when asked', () => {
    expect(chooseBackend(null, gpu(true, false)).ep).toBe('webgpu');
    expect(chooseBackend('wasm', gpu(true, false)).ep).toBe('wasm');
  });

  it('falls back to WASM without WebGPU, warning only when WebGPU was asked for', () => {
    expect(chooseBackend(null, gpu(false, false))).toEqual({ ep: 'wasm', reason: null, warning: null });
    const asked = chooseBackend('webgpu', gpu(false, false));
    expect(asked.ep).toBe('wasm');
    expect(asked.warning).toMatch(/WebGPU is not available \(no WebGPU\); using WASM/);
  });
});

describe('isSoftwareAdapter', () => {
  it('trusts the fallback flag, and recognises software adapters by name', () => {
    expect(isSoftwareAdapter(true, [])).toBe(true);
    expect(isSoftwareAdapter(false, ['google', 'swiftshader', 'SwiftShader Device (Subzero)'])).toBe(true);
    expect(isSoftwareAdapter(false, ['mesa', 'llvmpipe (LLVM 15.0.6, 256 bits)'])).toBe(true);
    expect(isSoftwareAdapter(false, ['nvidia', 'ampere', undefined])).toBe(false);
    expect(isSoftwareAdapter(false, ['', undefined])).toBe(false);
  });
});
