import { resolveHttpUrl, shown } from '../config';
import { MAX_MANIFEST_BYTES, parseManifest } from '../models/manifest';
import { formatBytes } from '../shared/format';
import { useApp } from '../store/store';
import { chooseBundleFiles, otherManifests } from './bundleFiles';
import { urlEntry, type ModelEntry } from './catalogue';
import type { Controller } from './controller';
import { notify } from './notices';

/** What the site keeps: cached bytes per model entry (by key), and the origin's storage in words. */
export interface CacheState {
  bytes: Record<string, number>;
  usage: string;
}

/** Asks the worker (which owns Cache Storage) what each entry has cached, and the origin's storage. */
export async function cacheState(
  controller: Controller,
  entries: readonly ModelEntry[],
): Promise<CacheState> {
  const prefixes = entries.flatMap((e) => e.cachePrefixes);
  const r = await controller.client.request('storage', { prefixes });
  const byPrefix = new Map(r.cached.map((c) => [c.prefix, c.bytes]));
  const mb = (n: number) => formatBytes(n, 'decimal');
  return {
    bytes: Object.fromEntries(
      entries.map((e) => [e.key, e.cachePrefixes.reduce((a, p) => a + (byPrefix.get(p) ?? 0), 0)]),
    ),
    usage: r.usage === null ? 'unknown' : `${mb(r.usage)}${r.quota ? ` of ${mb(r.quota)}` : ''}`,
  };
}

/** Deletes an entry's cached files. */
export async function deleteCached(controller: Controller, entry: ModelEntry): Promise<void> {
  await controller.client.request('evict', { prefixes: entry.cachePrefixes });
}

/** A manifest address typed by the user: relative ones resolve against the page; others are refused. */
export function loadFromUrl(controller: Controller, text: string): void {
  const href = resolveHttpUrl(text, location.href);
  if (href) void controller.load(urlEntry(href), useApp.getState().ep);
  else notify('error', `${shown(text.trim())} is not an http(s) address of a model manifest.`);
}

/**
 * A bundle chosen as files: its manifest (ovseg.json, else another JSON) and the files it names,
 * one per name; each choice among the files is said. The manifest has the cap a downloaded one has.
 */
export async function loadFromFiles(controller: Controller, chosen: readonly File[]): Promise<void> {
  if (!chosen.length) return;
  const bundle = chooseBundleFiles(chosen);
  const { manifest: mf, files, notes } = bundle;
  if (!mf)
    return notify('error', "Drop the bundle's manifest (ovseg.json) together with the files it names.");
  for (const note of notes) notify('warning', note);
  if (mf.size > MAX_MANIFEST_BYTES)
    return notify(
      'error',
      `That bundle cannot be used: its manifest "${mf.name}" is ${formatBytes(mf.size)}, more than the ` +
        `${formatBytes(MAX_MANIFEST_BYTES)} a manifest may take.`,
    );
  try {
    const json: unknown = JSON.parse(await mf.text());
    const rivals = otherManifests(bundle, json);
    if (rivals) notify('warning', rivals);
    const manifest = parseManifest(json);
    const entry: ModelEntry = {
      key: `files:${manifest.id}`,
      name: manifest.name,
      summary: manifest.description ?? 'A model bundle chosen from this computer.',
      licence: manifest.licence ?? 'see the bundle',
      origin: 'files on this computer',
      source: { kind: 'files', manifest, files },
      cachePrefixes: [],
      sizes: {},
      embedded: false,
    };
    await controller.load(entry, useApp.getState().ep);
  } catch (e) {
    notify('error', `That bundle cannot be used: ${(e as Error).message}`);
  }
}
