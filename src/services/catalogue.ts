import type { ModelSource } from '../shared/protocol';
import { partsOf, sizePartOf } from '../models/families';
import type { Dtype, Manifest } from '../models/manifest';
import { hubRepoBase as hubBase } from '../models/hub';
import { PRESETS } from '../models/presets';

/** A model the user can pick: the embedded one, a hub preset, or one they brought. */
export interface ModelEntry {
  key: string;
  name: string;
  summary: string;
  licence: string;
  /** Where it comes from, for people (a URL or "embedded"). */
  origin: string;
  source: ModelSource;
  /** URL prefixes of its cached files (for the model manager's size, cached and delete). */
  cachePrefixes: string[];
  /** Sizes of the largest graph's variants (what decides whether a variant fits the GPU). */
  sizes: Partial<Record<Dtype, number>>;
  /** What each variant downloads in all (every graph and the tokenizer files), for people. */
  totalSizes?: Partial<Record<Dtype, number>>;
  embedded: boolean;
}

export const EMBEDDED_KEY = 'embedded';

/**
 * The embedded model's files in bytes (graphs, tokenizer, manifest), counted when the app is built
 * (none when the code runs unbuilt, as in unit tests).
 */
const EMBEDDED_BYTES = Number(import.meta.env.VITE_EMBEDDED_MODEL_BYTES ?? 0);

/** The embedded model's build (its files' content hash), none when the code runs unbuilt. */
const EMBEDDED_VERSION: string | undefined = import.meta.env.VITE_EMBEDDED_MODEL_VERSION || undefined;

/**
 * The hub's CLIP tokenizer files (tokenizer.json and tokenizer_config.json, as this project keeps
 * a copy of them in fixtures/clip-tokenizer): every preset downloads them beside its graphs.
 */
const HUB_TOKENIZER_BYTES = 3.64e6;

export function embeddedEntry(manifestUrl: string): ModelEntry {
  const sizes = EMBEDDED_BYTES ? { fp32: EMBEDDED_BYTES } : {};
  // Its files are cached like any model's (so it can be cleared); the build hash keys that copy.
  const folder = new URL('.', new URL(manifestUrl, globalThis.location?.href ?? 'http://localhost/')).href;
  return {
    key: EMBEDDED_KEY,
    name: 'Colours (embedded demo model)',
    summary: 'Made by this project: segments colours and things with a typical colour. Works offline.',
    licence: 'MIT (made by this project)',
    origin: 'embedded in the app',
    source: { kind: 'url', manifestUrl, version: EMBEDDED_VERSION },
    cachePrefixes: [folder],
    sizes,
    totalSizes: sizes,
    embedded: true,
  };
}

function repos(m: Manifest): string[] {
  const parts = Object.values(partsOf(m));
  return [...new Set([...parts.map((p) => p.repo), m.tokenizer.repo].filter((r): r is string => !!r))];
}

/** Per variant, every graph's size plus the tokenizer's: only variants whose every graph has a size. */
function downloadSizes(m: Manifest, tokenizerBytes: number): Partial<Record<Dtype, number>> {
  const parts = Object.values(partsOf(m));
  const out: Partial<Record<Dtype, number>> = {};
  for (const d of Object.keys(parts[0]?.sizes ?? {}) as Dtype[]) {
    const each = parts.map((p) => p.sizes?.[d]);
    if (each.every((n) => n !== undefined)) out[d] = each.reduce((a, n) => a! + n!, tokenizerBytes);
  }
  return out;
}

export function presetEntries(hub: string): ModelEntry[] {
  return PRESETS.map((p) => {
    const part = sizePartOf(p.manifest);
    const repo = part.repo ?? p.manifest.id;
    return {
      key: p.id,
      name: p.manifest.name,
      summary: p.summary,
      licence: p.manifest.licence ?? 'see the model card',
      origin: p.repoUrl,
      // Files name their repo: the base only matters for files without one.
      source: { kind: 'inline', manifest: p.manifest, baseUrl: hubBase(hub, repo) },
      cachePrefixes: repos(p.manifest).map((r) => hubBase(hub, r)),
      sizes: part.sizes ?? {},
      totalSizes: downloadSizes(p.manifest, HUB_TOKENIZER_BYTES),
      embedded: false,
    };
  });
}

/** A bundle at a URL: its files sit beside the manifest (and in the repos it names). */
export function urlEntry(manifestUrl: string): ModelEntry {
  const base = new URL('.', manifestUrl).href;
  return {
    key: `url:${manifestUrl}`,
    name: manifestUrl.split('/').slice(-2).join('/'),
    summary: 'A model bundle loaded from a URL.',
    licence: 'see the bundle',
    origin: manifestUrl,
    source: { kind: 'url', manifestUrl },
    cachePrefixes: [base],
    sizes: {},
    embedded: false,
  };
}
