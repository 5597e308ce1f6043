import type { ModelSource } from '../client/protocol';
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
  sizes: Partial<Record<Dtype, number>>;
  /** Download size per variant when it has several graphs (all parts together), for people. */
  totalSizes?: Partial<Record<Dtype, number>>;
  embedded: boolean;
}

export const EMBEDDED_KEY = 'embedded';

export function embeddedEntry(manifestUrl: string): ModelEntry {
  return {
    key: EMBEDDED_KEY,
    name: 'Colours (embedded demo model)',
    summary: 'Made by this project: segments colours and things with a typical colour. Works offline.',
    licence: 'MIT (made by this project)',
    origin: 'embedded in the app',
    source: { kind: 'url', manifestUrl },
    cachePrefixes: [],
    sizes: { fp32: 12e3 },
    embedded: true,
  };
}

function repos(m: Manifest): string[] {
  const parts = Object.values(partsOf(m));
  return [...new Set([...parts.map((p) => p.repo), m.tokenizer.repo].filter((r): r is string => !!r))];
}

function sumSizes(parts: { sizes?: Partial<Record<Dtype, number>> | undefined }[]) {
  const out: Partial<Record<Dtype, number>> = {};
  for (const p of parts)
    for (const [d, n] of Object.entries(p.sizes ?? {}) as [Dtype, number][]) out[d] = (out[d] ?? 0) + n;
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
      ...(p.manifest.family === 'clip-dense' && {
        totalSizes: sumSizes([p.manifest.image, p.manifest.text]),
      }),
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
