/** Node glue for the engine: files from disk, images decoded in JavaScript, ORT on WASM. */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { decode as decodePng } from 'fast-png';
import jpeg from 'jpeg-js';
import { applyOrientation, jpegOrientation } from '../../src/processing/exif';
import type { RgbaImage } from '../../src/processing/resize';
import type { Fetcher } from '../../src/worker/bundle';
import { EmbeddingCache } from '../../src/worker/embeddingCache';
import { Engine, type ImageSource } from '../../src/worker/engine';
import { ort, shareOrtInstance } from '../../src/worker/ortRuntime';

let configured = false;
/** ORT WASM in Node: one thread keeps runs reproducible and light on a small machine. */
export function configureOrt(): void {
  if (configured) return;
  ort.env.wasm.numThreads = 1;
  // Point ORT at its own files: left unset, transformers.js would fill in a CDN address.
  const wasm = createRequire(import.meta.url).resolve('onnxruntime-web/ort-wasm-simd-threaded.wasm');
  ort.env.wasm.wasmPaths = pathToFileURL(path.dirname(wasm) + path.sep).href;
  ort.env.logLevel = 'error';
  shareOrtInstance();
  configured = true;
}

export function fsFetcher(dir: string): Fetcher {
  return async (file) => {
    try {
      return new Uint8Array(await readFile(path.resolve(dir, file)));
    } catch {
      throw new Error(`Could not read ${file} in ${dir}`);
    }
  };
}

export function newEngine(): Engine {
  configureOrt();
  return new Engine(new EmbeddingCache());
}

export class ImageDecodeError extends Error {
  override name = 'ImageDecodeError';
}

/** PNG or JPEG bytes -> upright RGBA. */
export function decodeImage(bytes: Uint8Array): RgbaImage {
  if (bytes.length === 0) throw new ImageDecodeError('The file is empty');
  try {
    if (bytes[0] === 0x89 && bytes[1] === 0x50) {
      const png = decodePng(bytes);
      return toRgba(png.data, png.width, png.height, png.channels, png.depth);
    }
    if (bytes[0] === 0xff && bytes[1] === 0xd8) {
      const j = jpeg.decode(bytes, { useTArray: true, formatAsRGBA: true, maxMemoryUsageInMB: 2048 });
      const img = { width: j.width, height: j.height, data: new Uint8ClampedArray(j.data.buffer) };
      return applyOrientation(img, jpegOrientation(bytes));
    }
  } catch (e) {
    throw new ImageDecodeError(
      `The image could not be decoded: ${e instanceof Error ? e.message : String(e)}`,
    );
  }
  throw new ImageDecodeError('Not a PNG or JPEG image');
}

function toRgba(
  data: ArrayLike<number>,
  width: number,
  height: number,
  channels: number,
  depth: number,
): RgbaImage {
  const out = new Uint8ClampedArray(width * height * 4);
  const shift = depth === 16 ? 8 : 0;
  for (let i = 0; i < width * height; i++) {
    const g = channels <= 2;
    for (let c = 0; c < 3; c++) out[i * 4 + c] = data[i * channels + (g ? 0 : c)]! >> shift;
    out[i * 4 + 3] = 255;
  }
  return { width, height, data: out };
}

export function rgbaSource(img: RgbaImage): ImageSource {
  return { width: img.width, height: img.height, rgba: () => img };
}
