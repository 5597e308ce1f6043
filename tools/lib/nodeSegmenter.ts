/** Node glue for the engine: files from disk, images decoded in JavaScript, ORT on WASM or WebGPU. */
import { ImageInvalidError } from '../../src/errors';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { pathToFileURL } from 'node:url';
import { decode as decodePng, type DecodedPng } from 'fast-png';
import jpeg from 'jpeg-js';
import { applyOrientation, jpegOrientation } from '../../src/processing/exif';
import type { RgbaImage } from '../../src/processing/resize';
import type { Fetcher } from '../../src/worker/bundle';
import { EmbeddingCache } from '../../src/worker/embeddingCache';
import { Segmenter, type ImageSource } from '../../src/worker/segmenter';
import { ort, shareOrtInstance, useOrtBuild, type Ep } from '../../src/models/runtime/ortRuntime';
import { installDawnGpu, type DawnGpu } from './dawnGpu';

let configured = false;
/** ORT WASM in Node: one thread keeps runs reproducible and light on a small machine. */
export function configureOrt(): void {
  if (configured) return;
  ort.env.wasm.numThreads = 1;
  // Point ORT at its own files: left unset, transformers.js would fill in a CDN address.
  // The device kit ships ORT's files beside its one-file bundle, with no node_modules to resolve from.
  const dir =
    process.env.OVSEG_ORT_DIR ??
    path.dirname(createRequire(import.meta.url).resolve('onnxruntime-web/ort-wasm-simd-threaded.wasm'));
  ort.env.wasm.wasmPaths = pathToFileURL(dir + path.sep).href;
  ort.env.logLevel = 'error';
  shareOrtInstance();
  configured = true;
}

let webBuild = false;
/**
 * The device kit bundles ORT's browser build in place of its Node build (tools/device/pack.ts): it
 * says so before its first session, so configureNodeEp keeps that build rather than loading another.
 */
export function ortIsBrowserBuild(): void {
  webBuild = true;
}
/**
 * The engine's EP in Node. WASM: configureOrt. WebGPU: a navigator.gpu from Dawn, and ORT's browser
 * build in place of its Node build (which has no WebGPU backend), same threads and files as WASM;
 * call it before any session is made. Gives the adapter (null on WASM); throws when there is none.
 */
export async function configureNodeEp(ep: Ep): Promise<DawnGpu | null> {
  if (ep === 'wasm') {
    configureOrt();
    return null;
  }
  const gpu = await installDawnGpu();
  if (!webBuild) {
    // The browser build's WebAssembly (ORT's JSEP build, asyncified) has functions V8's optimising
    // compiler spends a minute or more of a core on, in the background, and Node waits for that at
    // exit: its baseline compiler alone makes it start at once. Set before the module is compiled.
    setFlagsFromString('--liftoff-only');
    const dist = path.dirname(
      createRequire(import.meta.url).resolve('onnxruntime-web/ort-wasm-simd-threaded.wasm'),
    );
    useOrtBuild((await import(pathToFileURL(path.join(dist, 'ort.min.mjs')).href)) as typeof ort);
    webBuild = true;
    configured = false;
  }
  configureOrt();
  return gpu;
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

export function newSegmenter(): Segmenter {
  configureOrt();
  return new Segmenter(new EmbeddingCache());
}

/** PNG or JPEG bytes -> upright RGBA. */
export function decodeImage(bytes: Uint8Array): RgbaImage {
  if (bytes.length === 0) throw new ImageInvalidError('The file is empty');
  try {
    if (bytes[0] === 0x89 && bytes[1] === 0x50) {
      return pngToRgba(decodePng(bytes));
    }
    if (bytes[0] === 0xff && bytes[1] === 0xd8) {
      const j = jpeg.decode(bytes, { useTArray: true, formatAsRGBA: true, maxMemoryUsageInMB: 2048 });
      const img = { width: j.width, height: j.height, data: new Uint8ClampedArray(j.data.buffer) };
      return applyOrientation(img, jpegOrientation(bytes));
    }
  } catch (e) {
    throw new ImageInvalidError(
      `The image could not be decoded: ${e instanceof Error ? e.message : String(e)}`,
    );
  }
  throw new ImageInvalidError('Not a PNG or JPEG image');
}

/**
 * Decoded PNG -> RGBA as Pillow's convert("RGB") gives it (and the browser draws it): palette entries
 * looked up, 1/2/4-bit samples unpacked from their byte-aligned rows and scaled to 0..255, 16-bit
 * samples cut to their high byte; alpha dropped without compositing, as the reference processors do.
 */
function pngToRgba(png: DecodedPng): RgbaImage {
  const { width, height, channels, depth, palette, data } = png;
  const perRow = width * channels;
  const rowBytes = depth < 8 ? Math.ceil((perRow * depth) / 8) : perRow;
  const max = (1 << depth) - 1;
  const sample = (y: number, i: number): number => {
    if (depth >= 8) return data[y * perRow + i]!;
    const bit = i * depth;
    return (data[y * rowBytes + (bit >> 3)]! >> (8 - depth - (bit & 7))) & max;
  };
  const level = (v: number) => (depth === 16 ? v >> 8 : depth < 8 ? (v * 255) / max : v);
  const out = new Uint8ClampedArray(width * height * 4);
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) {
      const o = (y * width + x) * 4;
      if (palette) {
        const c = palette[sample(y, x)] ?? [0, 0, 0];
        out.set([c[0]!, c[1]!, c[2]!], o);
      } else if (channels <= 2) {
        out.fill(level(sample(y, x * channels)), o, o + 3);
      } else {
        for (let c = 0; c < 3; c++) out[o + c] = level(sample(y, x * channels + c));
      }
      out[o + 3] = 255;
    }
  return { width, height, data: out };
}

export function rgbaSource(img: RgbaImage): ImageSource {
  return { width: img.width, height: img.height, rgba: () => img };
}
