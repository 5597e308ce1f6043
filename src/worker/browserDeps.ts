import type { GpuInfo } from '../engine/protocol';
import type { RgbaImage } from '../processing/resize';
import { httpFetcher } from './bundle';
import type { ImageSource } from './engine';

export async function detectGpu(): Promise<GpuInfo> {
  const none: GpuInfo = {
    available: false,
    fallback: false,
    f16: false,
    description: 'no WebGPU',
    maxBufferSize: 0,
  };
  const gpu = (navigator as Navigator & { gpu?: GPU }).gpu;
  if (!gpu) return none;
  try {
    const adapter = await gpu.requestAdapter();
    if (!adapter) return { ...none, description: 'WebGPU present, but no adapter was granted' };
    const info = adapter.info;
    const fallback = Boolean((info as GPUAdapterInfo & { isFallbackAdapter?: boolean }).isFallbackAdapter);
    const description =
      [info.vendor, info.architecture, info.description].filter(Boolean).join(' ') || 'WebGPU adapter';
    return {
      available: true,
      fallback,
      f16: adapter.features.has('shader-f16'),
      description,
      maxBufferSize: adapter.limits.maxBufferSize,
    };
  } catch (e) {
    return { ...none, description: `WebGPU failed: ${e instanceof Error ? e.message : String(e)}` };
  }
}

export function fetcherFor(manifestUrl: string) {
  return { fetcher: httpFetcher(manifestUrl), path: manifestUrl };
}

/** Scales on the GPU-backed canvas: no per-pixel JavaScript for the resize. */
export function sourceFromBitmap(bitmap: ImageBitmap): ImageSource {
  return {
    width: bitmap.width,
    height: bitmap.height,
    pixels(width, height): RgbaImage {
      const canvas = new OffscreenCanvas(width, height);
      const ctx = canvas.getContext('2d', { willReadFrequently: true });
      if (!ctx) throw new Error('2D canvas unavailable in the worker');
      ctx.imageSmoothingEnabled = true;
      ctx.imageSmoothingQuality = 'high';
      ctx.drawImage(bitmap, 0, 0, width, height);
      const img = ctx.getImageData(0, 0, width, height);
      return { width, height, data: img.data };
    },
  };
}

export async function toBitmap(
  rgba: Uint8ClampedArray,
  width: number,
  height: number,
): Promise<ImageBitmap | null> {
  if (typeof createImageBitmap === 'undefined') return null;
  return createImageBitmap(new ImageData(rgba as Uint8ClampedArray<ArrayBuffer>, width, height));
}
