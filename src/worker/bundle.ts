import { parseManifest, pickDtype, type Dtype, type Manifest } from '../models/manifest';
import { looksLikeOnnx } from './ortRuntime';

import type { FileProgress } from '../engine/protocol';

export type { FileProgress };

/** Reads one file of a bundle by its manifest-relative path. */
export type Fetcher = (path: string, onProgress?: (p: FileProgress) => void) => Promise<Uint8Array>;

export class BundleError extends Error {
  override name = 'BundleError';
}

/** Fetcher over HTTP(S), relative to the manifest URL, reporting bytes as they stream in. */
export function httpFetcher(manifestUrl: string): Fetcher {
  return async (path, onProgress) => {
    const url = new URL(path, manifestUrl).href;
    let res: Response;
    try {
      res = await fetch(url);
    } catch (e) {
      throw new BundleError(`Could not reach ${url}: ${e instanceof Error ? e.message : String(e)}`);
    }
    if (!res.ok) throw new BundleError(`Could not download ${path}: HTTP ${res.status}`);
    const total = Number(res.headers.get('content-length')) || null;
    if (!res.body) return new Uint8Array(await res.arrayBuffer());
    const reader = res.body.getReader();
    const chunks: Uint8Array[] = [];
    let loaded = 0;
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      loaded += value.length;
      onProgress?.({ file: path, loaded, total });
    }
    if (total !== null && loaded !== total)
      throw new BundleError(`Download of ${path} was cut short (${loaded} of ${total} bytes)`);
    const out = new Uint8Array(loaded);
    let o = 0;
    for (const c of chunks) {
      out.set(c, o);
      o += c.length;
    }
    return out;
  };
}

export interface LoadedBundle {
  manifest: Manifest;
  imageBytes: Uint8Array;
  textBytes: Uint8Array;
  imageDtype: Dtype;
  textDtype: Dtype;
  tokenizerJson: unknown;
  tokenizerConfig: unknown;
}

const decodeJson = (bytes: Uint8Array, what: string): unknown => {
  try {
    return JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    throw new BundleError(`${what} is not valid JSON`);
  }
};

/** Reads and checks a whole bundle: manifest, tokenizer, both ONNX graphs. */
export async function loadBundle(
  fetcher: Fetcher,
  manifestPath: string,
  prefer: Dtype[],
  onProgress?: (p: FileProgress) => void,
): Promise<LoadedBundle> {
  const manifest = parseManifest(decodeJson(await fetcher(manifestPath), 'The model manifest'));
  const imageDtype = pickDtype(manifest.image.files, prefer);
  const textDtype = pickDtype(manifest.text.files, prefer);
  const onnx = async (file: string) => {
    const bytes = await fetcher(file, onProgress);
    if (!looksLikeOnnx(bytes)) throw new BundleError(`${file} is not an ONNX model`);
    return bytes;
  };
  const [tokJson, tokConfig, imageBytes, textBytes] = await Promise.all([
    fetcher(manifest.tokenizer.json, onProgress).then((b) => decodeJson(b, manifest.tokenizer.json)),
    manifest.tokenizer.config
      ? fetcher(manifest.tokenizer.config).then((b) => decodeJson(b, manifest.tokenizer.config!))
      : Promise.resolve({}),
    onnx(manifest.image.files[imageDtype]!),
    onnx(manifest.text.files[textDtype]!),
  ]);
  return {
    manifest,
    imageBytes,
    textBytes,
    imageDtype,
    textDtype,
    tokenizerJson: tokJson,
    tokenizerConfig: tokConfig,
  };
}
