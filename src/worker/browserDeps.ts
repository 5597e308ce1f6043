import type { GpuInfo } from '../shared/protocol';
import { isSoftwareAdapter } from '../shared/gpuAdapter';
import type { RgbaImage } from '../processing/resize';
import type { FileProgress } from './bundle';
import { cachedBytes, cachingFetcher, deleteCached, openModelCache } from './modelCache';
import type { ImageSource } from './segmenter';
import type { FetcherOptions } from './requests';
import type { EmbeddingCache } from './embeddingCache';
import { NO_GPU } from './noGpu';

export async function detectGpu(): Promise<GpuInfo> {
  const none = NO_GPU;
  const gpu = (navigator as Navigator & { gpu?: GPU }).gpu;
  if (!gpu) return none;
  try {
    const adapter = await gpu.requestAdapter();
    if (!adapter) return { ...none, description: 'WebGPU present, but no adapter was granted' };
    const info = adapter.info;
    // The flag sits on the adapter in older Chromium, on its info in newer; some builds set neither
    // for SwiftShader, so its name counts too.
    const flagged =
      Boolean((info as GPUAdapterInfo & { isFallbackAdapter?: boolean }).isFallbackAdapter) ||
      Boolean((adapter as GPUAdapter & { isFallbackAdapter?: boolean }).isFallbackAdapter);
    const fallback = isSoftwareAdapter(flagged, [
      info.vendor,
      info.architecture,
      info.description,
      info.device,
    ]);
    const description =
      [info.vendor, info.architecture, info.description].filter(Boolean).join(' ') || 'WebGPU adapter';
    return {
      available: true,
      fallback,
      f16: adapter.features.has('shader-f16'),
      description,
      maxBufferSize: adapter.limits.maxBufferSize,
      maxStorageBufferBindingSize: adapter.limits.maxStorageBufferBindingSize,
    };
  } catch (e) {
    return { ...none, description: `WebGPU failed: ${e instanceof Error ? e.message : String(e)}` };
  }
}

/** The hosts the build's Content-Security-Policy allows (vite.config.ts); none in dev (no policy). */
function allowedOrigins(): string[] | undefined {
  const list = import.meta.env.VITE_CONNECT_ORIGINS as string | undefined;
  return list === undefined ? undefined : [self.location.origin, ...list.split(' ').filter(Boolean)];
}

export function fetcher(base: string, o: FetcherOptions) {
  const made = openModelCache().then((cache) =>
    cachingFetcher(base, {
      cache,
      signal: o.signal,
      onProgress: o.onProgress,
      responseMs: o.responseMs,
      allowedOrigins: allowedOrigins(),
      bundle: o.bundle,
    }),
  );
  const f = async (path: string, onProgress?: (p: FileProgress) => void, cap?: number) =>
    (await made)(path, onProgress, cap);
  return Object.assign(f, { commit: async () => (await made).commit() });
}

/** What the site keeps: model files under each prefix, text values of each model, the origin's storage. */
export async function storage(prefixes: string[], models: string[], text: EmbeddingCache<unknown>) {
  const cache = await openModelCache();
  const cached = await Promise.all(
    prefixes.map(async (prefix) => ({ prefix, ...(await cachedBytes(cache, prefix)) })),
  );
  const bytes = await text.usage(models);
  const embeddings = models.map((model, i) => ({ model, bytes: bytes[i] ?? 0 }));
  const est = await navigator.storage?.estimate?.().catch(() => null);
  return { cached, embeddings, usage: est?.usage ?? null, quota: est?.quota ?? null };
}

/** Deletes model files under the prefixes and the text values of the models (memory and IndexedDB). */
export async function evict(prefixes: string[], models: string[], text: readonly EmbeddingCache<unknown>[]) {
  const cache = await openModelCache();
  let n = 0;
  for (const p of prefixes) n += await deleteCached(cache, p);
  for (const t of text) await t.forget(models);
  return n;
}

/** One canvas reused frame after frame (a webcam stream keeps its size). */
let readCanvas: OffscreenCanvasRenderingContext2D | null = null;

/**
 * The bitmap's own pixels, unscaled: the canvas only copies them out (drawImage at the same size does
 * not resample), and the engine resizes them with the reference processors' filter, like the command
 * line. A canvas's drawImage resize is not PIL's and moved one picture's labels by several percent.
 */
export function sourceFromBitmap(bitmap: ImageBitmap): ImageSource {
  return {
    width: bitmap.width,
    height: bitmap.height,
    rgba(): RgbaImage {
      const { width, height } = bitmap;
      if (!readCanvas) {
        readCanvas = new OffscreenCanvas(width, height).getContext('2d', { willReadFrequently: true });
        if (!readCanvas) throw new Error('2D canvas unavailable in the worker');
      }
      const canvas = readCanvas.canvas;
      if (canvas.width !== width || canvas.height !== height) {
        canvas.width = width;
        canvas.height = height;
      }
      // 'copy' replaces every pixel, so nothing of the previous frame shows through transparency.
      readCanvas.globalCompositeOperation = 'copy';
      readCanvas.drawImage(bitmap, 0, 0);
      const img = readCanvas.getImageData(0, 0, width, height);
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
