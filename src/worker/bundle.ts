import {
  checkFileOrigins,
  parseManifest,
  pickDtype,
  type Dtype,
  type Manifest,
  type ModelPart,
} from '../models/manifest';
import { looksLikeOnnx } from './ortRuntime';

import type { FileProgress } from '../engine/protocol';

export type { FileProgress };

/** Reads one file of a bundle by its manifest-relative path. */
export type Fetcher = (path: string, onProgress?: (p: FileProgress) => void) => Promise<Uint8Array>;

export class BundleError extends Error {
  constructor(
    message: string,
    override readonly name: string = 'BundleError',
  ) {
    super(message);
  }
}

export interface LoadedBundle {
  manifest: Manifest;
  /** ONNX bytes per part: query bundles have `image` and `text`, dense ones `model`. */
  parts: Partial<Record<'image' | 'text' | 'model', { bytes: Uint8Array; dtype: Dtype; file: string }>>;
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

/** Where a file of a part lives: beside the manifest, or in a hub repository. */
export function partFile(file: string, repo: string | undefined, hub: string): string {
  return repo ? `${hub.replace(/\/+$/, '')}/${repo}/resolve/main/${file}` : file;
}

/** A manifest by URL (or path), or inline; `base` is where an inline manifest's files live. */
export type ManifestSource = { path: string } | { manifest: Manifest; base?: string };

/** Reads and checks a whole bundle: manifest, tokenizer and every ONNX graph of its family. */
export async function loadBundle(
  fetcher: Fetcher,
  source: ManifestSource,
  prefer: Dtype[],
  hub: string,
  onProgress?: (p: FileProgress) => void,
): Promise<LoadedBundle> {
  const manifest =
    'manifest' in source
      ? parseManifest(source.manifest)
      : parseManifest(decodeJson(await fetcher(source.path), 'The model manifest'));
  checkFileOrigins(manifest, 'path' in source ? source.path : (source.base ?? null), hub);
  const partList: ['image' | 'text' | 'model', ModelPart][] =
    manifest.family === 'query'
      ? [
          ['image', manifest.image],
          ['text', manifest.text],
        ]
      : [['model', manifest.model]];
  const load = async ([name, part]: ['image' | 'text' | 'model', ModelPart]) => {
    const dtype = pickDtype(part.files, prefer);
    const file = partFile(part.files[dtype]!, part.repo, hub);
    const bytes = await fetcher(file, onProgress);
    if (!looksLikeOnnx(bytes)) throw new BundleError(`${file} is not an ONNX model`);
    return [name, { bytes, dtype, file }] as const;
  };
  const tok = manifest.tokenizer;
  const [tokJson, tokConfig, ...loaded] = await Promise.all([
    fetcher(partFile(tok.json, tok.repo, hub), onProgress).then((b) => decodeJson(b, tok.json)),
    tok.config
      ? fetcher(partFile(tok.config, tok.repo, hub)).then((b) => decodeJson(b, tok.config!))
      : Promise.resolve({}),
    ...partList.map(load),
  ]);
  return { manifest, parts: Object.fromEntries(loaded), tokenizerJson: tokJson, tokenizerConfig: tokConfig };
}
