/**
 * Model bundle manifest (`ovseg.json`): everything the engine needs to run a model family.
 * Paths inside are relative to the manifest's own URL or folder. The schema (field types and
 * ranges) is in `manifestSchema.ts`; this file turns its verdict into messages that name the field.
 */
import { ManifestInvalidError } from '../errors';
import * as v from 'valibot';
import { manifestSchema, partsOf, type Manifest } from './families';
import { hubRepoBase } from './hub';
import { DTYPES } from './manifestSchema';

export type Dtype = (typeof DTYPES)[number];

export type { Manifest };
export type { DenseManifest } from './dense/family';
export type { ModelPart } from './manifestSchema';
export type { ClipDenseManifest } from './clipdense/family';

/**
 * Fixed: the graph has a baked size (many real exports): feed exactly this size and map results
 * back. Dynamic: any size; the long side is scaled to `longSide`, each side rounded to a multiple
 * of `multiple`. `resample` (bilinear when absent) is how the image is resized.
 */

/** The manifest family of ManifestInvalidError (its name kept for the messages that show it). */
export class ManifestError extends ManifestInvalidError {
  override name = 'ManifestError';
}

const MAX_ISSUES = 3;

/** `["input", "height"]` -> `input.height`; array indices as `[i]`. */
function pathOf(issue: v.BaseIssue<unknown>): string {
  let out = '';
  for (const item of issue.path ?? []) {
    const key = item.key as unknown;
    if (typeof key === 'number') out += `[${key}]`;
    else out += out ? `.${String(key)}` : String(key);
  }
  return out;
}

/** A short rendering of a rejected value (never the whole of a huge one). */
function preview(value: unknown): string {
  if (value === undefined) return 'nothing';
  let s: string;
  try {
    s = typeof value === 'number' ? String(value) : (JSON.stringify(value) ?? String(value));
  } catch {
    s = String(value);
  }
  return s.length > 60 ? `${s.slice(0, 57)}…` : s;
}

function describe(issue: v.BaseIssue<unknown>): string {
  const path = pathOf(issue);
  const last = issue.path?.[issue.path.length - 1];
  // A key issue: a required key missing (object), or a key not allowed (a record's dtype).
  if (last?.origin === 'key')
    return issue.type === 'object' ? `"${path}" is missing` : `"${path}" ${issue.message}`;
  // A rule checked on an object but reported on one of its fields: show that field's value.
  const value = last && 'value' in last ? last.value : issue.input;
  if (value === undefined && path)
    return issue.type === 'object' ? `"${path}" is missing` : `"${path}" is missing (it ${issue.message})`;
  return `"${path}" ${issue.message} (got ${preview(value)})`;
}

/**
 * Most bytes a manifest may take, downloaded or chosen from disk (a manifest is a few kB; the
 * embedded model's, with its vocabulary, is under 10 kB).
 */
export const MAX_MANIFEST_BYTES = 2 ** 20;

/** Validates untrusted JSON into a manifest, with messages a model owner can act on. */
export function parseManifest(json: unknown): Manifest {
  if (typeof json !== 'object' || json === null || Array.isArray(json))
    throw new ManifestError('Invalid model manifest: not a JSON object');
  const r = v.safeParse(manifestSchema, json, { abortPipeEarly: true });
  if (r.success) return r.output as Manifest;
  // One message a field: a union or pipe may report the same field more than once.
  const seen = new Set<string>();
  const lines: string[] = [];
  for (const issue of r.issues) {
    const p = pathOf(issue);
    if (seen.has(p)) continue;
    seen.add(p);
    lines.push(describe(issue));
  }
  const more = lines.length > MAX_ISSUES ? ` (and ${lines.length - MAX_ISSUES} more)` : '';
  throw new ManifestError(`Invalid model manifest: ${lines.slice(0, MAX_ISSUES).join('; ')}${more}`);
}

const originOf = (url: string): string | null => {
  try {
    const u = new URL(url);
    return u.protocol === 'http:' || u.protocol === 'https:' ? u.origin : null;
  } catch {
    return null;
  }
};

const ABSOLUTE = /^[a-z][a-z0-9+.-]*:/i;

/**
 * A bundle's files come from the manifest's origin (`base`: its URL, or a preset's base URL) or the
 * model hub, never from a third host: a manifest shared in a link must not make the page fetch
 * from elsewhere. Relative paths stay on the manifest's origin (the schema refuses `//host`);
 * files of a `repo` part live on the hub. `base` null (files from disk): the hub only.
 */
export function checkFileOrigins(m: Manifest, base: string | null, hub: string): void {
  const allowed = new Set([originOf(hub), base ? originOf(base) : null].filter((o) => o !== null));
  const parts: [string, { repo?: string | undefined }, [string, string][]][] = Object.entries(partsOf(m)).map(
    ([name, part]) => [name, part, Object.entries(part.files)],
  );
  const tok: [string, string][] = [['json', m.tokenizer.json]];
  if (m.tokenizer.config) tok.push(['config', m.tokenizer.config]);
  parts.push(['tokenizer', m.tokenizer, tok]);
  for (const [name, part, files] of parts)
    for (const [key, file] of files) {
      if (!part.repo && !ABSOLUTE.test(file)) continue;
      const field = name === 'tokenizer' ? `tokenizer.${key}` : `${name}.files.${key}`;
      let origin: string | null;
      try {
        origin = new URL(file, part.repo ? hubRepoBase(hub, part.repo) : undefined).origin;
      } catch {
        origin = null;
      }
      if (origin === null || !allowed.has(origin))
        throw new ManifestError(
          `Invalid model manifest: "${field}" points to ${origin ?? file}; files must come from the manifest's origin or the model hub's`,
        );
    }
}

/** Picks the file variant to run: the first preferred dtype the bundle has. */
export function pickDtype(files: Partial<Record<Dtype, string>>, prefer: Dtype[]): Dtype {
  for (const d of prefer) if (files[d]) return d;
  // Else the first one listed (object keys keep the manifest's order).
  const first = (Object.keys(files) as Dtype[]).find((d) => DTYPES.includes(d) && files[d]);
  if (!first) throw new ManifestError('model part has no file');
  return first;
}
