import { resolveHttpUrl, shown } from '../config';
import { MAX_MANIFEST_BYTES, parseManifest } from '../models/manifest';
import { formatBytes } from '../shared/format';
import { useApp } from '../store/store';
import { chooseBundleFiles, otherManifests } from './bundleFiles';
import { urlEntry, type ModelEntry } from './catalogue';
import type { Controller } from './controller';
import { notify } from './notices';
import { forgetTextKey, rememberedEntries, rememberTextKey, textKeyOf } from './textKeys';
import type { ModelInfo } from '../shared/protocol';

/** What the site keeps for one model: its files, its cached text values, and whether it is whole. */
export interface StoredModel {
  files: number;
  text: number;
  /** Why the model is not fully cached (storage full, a file gone), or null. */
  problem: string | null;
}

/** What the site keeps per model entry (by key), and the origin's storage in words. */
export interface CacheState {
  models: Record<string, StoredModel>;
  usage: string;
}

/** Loads this page saw refused by storage: why, per entry key (a later whole commit clears it). */
const refused = new Map<string, string>();

const setCacheProblem = (key: string, problem: string | null): unknown =>
  problem === null ? refused.delete(key) : refused.set(key, problem);

/** Asks the worker (which owns Cache Storage and IndexedDB) what each entry keeps, and the origin's storage. */
export async function cacheState(
  controller: Controller,
  entries: readonly ModelEntry[],
): Promise<CacheState> {
  const prefixes = entries.flatMap((e) => e.cachePrefixes);
  const textKeys = entries.map((e) => textKeyOf(e.key));
  const models = [...new Set(textKeys.filter((k): k is string => !!k))];
  const r = await controller.client.request('storage', { prefixes, models });
  const byPrefix = new Map(r.cached.map((c) => [c.prefix, c]));
  const text = new Map((r.embeddings ?? []).map((t) => [t.model, t.bytes]));
  const mb = (n: number) => formatBytes(n, 'decimal');
  const stored = (e: ModelEntry, i: number): StoredModel => {
    const files = e.cachePrefixes.map((p) => byPrefix.get(p));
    const gone = files.some((c) => c?.incomplete) ? 'a file of it is no longer in the cache' : null;
    return {
      files: files.reduce((a, c) => a + (c?.bytes ?? 0), 0),
      text: text.get(textKeys[i] ?? '') ?? 0,
      problem: refused.get(e.key) ?? gone,
    };
  };
  return {
    models: Object.fromEntries(entries.map((e, i) => [e.key, stored(e, i)])),
    usage: r.usage === null ? 'unknown' : `${mb(r.usage)}${r.quota ? ` of ${mb(r.quota)}` : ''}`,
  };
}

/** Deletes what the site keeps for an entry: its cached files and its cached text values. */
export async function deleteCached(controller: Controller, entry: ModelEntry): Promise<void> {
  const model = textKeyOf(entry.key);
  await controller.client.request('evict', { prefixes: entry.cachePrefixes, models: model ? [model] : [] });
  refused.delete(entry.key);
  forgetTextKey(entry.key);
}

/** Bundles brought by URL that loaded here before: what the site keeps of them can be seen and cleared. */
export function broughtEntries(): ModelEntry[] {
  return rememberedEntries()
    .filter((k) => k.startsWith('url:'))
    .map((k) => urlEntry(k.slice('url:'.length)));
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

/**
 * What a load did with the model cache, said to the user: a newer version replaced the kept copy;
 * the model could not be kept whole (then none of it is kept, and the manager says why).
 */
export function reportLoadCache(entry: ModelEntry, model: ModelInfo): void {
  if (model.textKey) rememberTextKey(entry.key, model.textKey);
  const c = model.cache;
  if (!c) return;
  if (c.replaced)
    notify('info', `${model.name} was updated: the new version replaced the copy this browser kept.`);
  if (c.complete === false) {
    const why = c.problem ?? 'the browser refused to store it';
    setCacheProblem(entry.key, `not fully cached: ${why}`);
    notify(
      'warning',
      `${model.name} is not kept for offline use (${why}); it works now and is downloaded again next time.`,
    );
  } else if (c.complete) setCacheProblem(entry.key, null);
}
