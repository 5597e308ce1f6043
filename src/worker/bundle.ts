import { familyOf } from '../models/families';
import {
  checkFileOrigins,
  parseManifest,
  pickDtype,
  type Dtype,
  type Manifest,
  type ModelPart,
} from '../models/manifest';
import type { LoadedBundle, LoadedPart } from '../models/runnerInputs';
import { looksLikeOnnx } from '../models/runtime/ortRuntime';
import { hubRepoBase } from '../models/hub';
import { ModelFileInvalidError } from '../errors';
import { contentHash } from './contentHash';
import { LIMITS, capFor } from './limits';

import type { FileProgress } from '../shared/protocol';

export type { FileProgress };

/** Reads one file of a bundle by its manifest-relative path, refusing it when over `cap` bytes. */
export type Fetcher = (
  path: string,
  onProgress?: (p: FileProgress) => void,
  cap?: number,
) => Promise<Uint8Array>;

export type { LoadedBundle };

/**
 * A web page where a bundle file should be: many servers (this app's own among them) answer an
 * address they have no file for with their index page, so "not valid JSON" would blame the file.
 */
export function looksLikeHtml(bytes: Uint8Array): boolean {
  const head = new TextDecoder().decode(bytes.subarray(0, 512)).trimStart().toLowerCase();
  return head.startsWith('<!doctype html') || head.startsWith('<html') || head.startsWith('<head');
}

const webPage = (what: string, expected: string) =>
  new ModelFileInvalidError(
    `${what} is a web page, not ${expected}: the server has no such file at that address (check it)`,
  );

const decodeJson = (bytes: Uint8Array, what: string): unknown => {
  if (looksLikeHtml(bytes)) throw webPage(what, 'JSON');
  try {
    return JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    throw new ModelFileInvalidError(`${what} is not valid JSON`);
  }
};

/** Where a file of a part lives: beside the manifest, or in a hub repository. */
function partFile(file: string, repo: string | undefined, hub: string): string {
  return repo ? `${hubRepoBase(hub, repo)}${file}` : file;
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
  const family = familyOf(manifest);
  const partList = Object.entries(family.parts(manifest));
  const load = async ([name, part]: [string, ModelPart]): Promise<[string, LoadedPart]> => {
    const dtype = pickDtype(part.files, prefer);
    const file = partFile(part.files[dtype]!, part.repo, hub);
    const bytes = await fetcher(file, onProgress, capFor(declaredSize(part, dtype)));
    if (!looksLikeOnnx(bytes))
      throw looksLikeHtml(bytes)
        ? webPage(file, 'an ONNX model')
        : new ModelFileInvalidError(`${file} is not an ONNX model`);
    return [name, { bytes, dtype, file }];
  };
  const tok = manifest.tokenizer;
  const [tokBytes, configBytes, ...loaded] = await Promise.all([
    fetcher(partFile(tok.json, tok.repo, hub), onProgress, LIMITS.tokenizerJson),
    tok.config
      ? fetcher(partFile(tok.config, tok.repo, hub), undefined, LIMITS.tokenizerConfig)
      : Promise.resolve(null),
    ...partList.map(load),
  ]);
  const parts: LoadedBundle['parts'] = Object.fromEntries(loaded);
  const textPart = parts[family.textPart]!;
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
function declaredSize(part: ModelPart, dtype: Dtype): number | undefined {
  return part.fileSizes?.[dtype] ?? part.sizes?.[dtype];
}
