import {
  checkFileOrigins,
  parseManifest,
  pickDtype,
  type Dtype,
  type Manifest,
  type ModelPart,
} from '../models/manifest';
import { contentHash } from './contentHash';
import { LIMITS, capFor } from './limits';
import { looksLikeOnnx } from './ortRuntime';

import type { FileProgress } from '../engine/protocol';

export type { FileProgress };

/** Reads one file of a bundle by its manifest-relative path, refusing it when over `cap` bytes. */
export type Fetcher = (
  path: string,
  onProgress?: (p: FileProgress) => void,
  cap?: number,
) => Promise<Uint8Array>;

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
  /** ONNX bytes per part: query and clip-dense bundles have `image` and `text`, dense ones `model`. */
  parts: Partial<Record<'image' | 'text' | 'model', { bytes: Uint8Array; dtype: Dtype; file: string }>>;
  tokenizerJson: unknown;
  tokenizerConfig: unknown;
  /**
   * What produced the text side's results, for caching them: a hash of the text graph's bytes (the
   * whole graph for a dense model) and of the tokenizer files. Never the manifest's id or name, which
   * any manifest can copy.
   */
  textKey: string;
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
      : parseManifest(
          decodeJson(await fetcher(source.path, undefined, LIMITS.manifest), 'The model manifest'),
        );
  checkFileOrigins(manifest, 'path' in source ? source.path : (source.base ?? null), hub);
  const partList: ['image' | 'text' | 'model', ModelPart][] =
    manifest.family === 'dense'
      ? [['model', manifest.model]]
      : [
          ['image', manifest.image],
          ['text', manifest.text],
        ];
  const load = async ([name, part]: ['image' | 'text' | 'model', ModelPart]) => {
    const dtype = pickDtype(part.files, prefer);
    const file = partFile(part.files[dtype]!, part.repo, hub);
    const bytes = await fetcher(file, onProgress, capFor(declaredSize(part, dtype)));
    if (!looksLikeOnnx(bytes)) throw new BundleError(`${file} is not an ONNX model`);
    return [name, { bytes, dtype, file }] as const;
  };
  const tok = manifest.tokenizer;
  const [tokBytes, configBytes, ...loaded] = await Promise.all([
    fetcher(partFile(tok.json, tok.repo, hub), onProgress, LIMITS.tokenizerJson),
    tok.config
      ? fetcher(partFile(tok.config, tok.repo, hub), undefined, LIMITS.tokenizerConfig)
      : Promise.resolve(null),
    ...partList.map(load),
  ]);
  const parts = Object.fromEntries(loaded) as LoadedBundle['parts'];
  const textPart = parts.text ?? parts.model!;
  const textKey = await contentHash([
    textPart.bytes,
    tokBytes,
    configBytes ?? new Uint8Array(0),
    new TextEncoder().encode(String(tok.maxLength ?? 77)),
  ]);
  return {
    manifest,
    parts,
    tokenizerJson: decodeJson(tokBytes, tok.json),
    tokenizerConfig: configBytes ? decodeJson(configBytes, tok.config!) : {},
    textKey,
  };
}

/** The size the manifest declares for a part's variant: exact (a `{"path", "size"}` entry) or else approximate. */
export function declaredSize(part: ModelPart, dtype: Dtype): number | undefined {
  return part.fileSizes?.[dtype] ?? part.sizes?.[dtype];
}
