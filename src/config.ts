import type { Ep } from './shared/protocol';
import type { Dtype } from './models/manifest';
import { DTYPES } from './models/manifestSchema';
import { PUBLIC_HUB } from './models/hub';
import { PRESETS } from './models/presets';
import { ALL_SETTINGS } from './models/families';

/**
 * Start-up settings from the page URL:
 * ?model=embedded|<preset id>|<manifest URL> &ep=wasm|webgpu &dtype=fp32|fp16|q8|q4f16 &classes=...
 * &hub=<URL> and the families' settings (&names=auto|max|mean). Each accepts only what it documents; anything else is ignored with a message in
 * `problems` (shown to the user), never passed on to fail somewhere later.
 */
export interface AppConfig {
  /**
   * null: the default (CLIPSeg from the hub, else the embedded model); else "embedded", a preset id,
   * or an absolute http(s) manifest URL (a relative one is resolved against the page).
   */
  model: string | null;
  ep: Ep | null;
  dtype: Dtype | undefined;
  classes: string | null;
  /** Choices among the families' settings (`?names=max`); a setting absent here is the model's default. */
  settings: Record<string, string>;
  /** Absolute http(s) URL. */
  hub: string;
  debug: boolean;
  /** Diagnostics (with ?debug): pretend the GPU allows at most this many bytes per buffer. */
  gpuBufferLimit: number | undefined;
  /** What the page address asked for that cannot be done, in words. */
  problems: string[];
}

export const EMBEDDED_MODEL = `${import.meta.env.BASE_URL}models/colours/ovseg.json`;
/** The model hub; a build can point it elsewhere with VITE_HUB_URL (e.g. a mirror). */
export const DEFAULT_HUB: string = import.meta.env.VITE_HUB_URL || PUBLIC_HUB;

const EPS: readonly Ep[] = ['wasm', 'webgpu'];

/**
 * Most characters the page address may have. Servers refuse longer request lines (HTTP 414/431:
 * 8 KB is common, 16 KB Node's default), so a longer address would make a reload or a shared link a
 * blank error page: the vocabulary leaves the address instead.
 */
export const ADDRESS_BUDGET = 8 * 1024;

const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`;

/**
 * The address with `key` set to `value`, or with `key` removed when setting it would pass the
 * budget (`kept` false): a stale value would share a vocabulary the page no longer shows.
 */
export function withParam(href: string, key: string, value: string): { href: string; kept: boolean } {
  const url = new URL(href);
  url.searchParams.set(key, value);
  if (url.href.length <= ADDRESS_BUDGET) return { href: url.href, kept: true };
  url.searchParams.delete(key);
  return { href: url.href, kept: false };
}

/** Said when a vocabulary no longer fits in the page address. */
export const TOO_LONG_TO_SHARE =
  `The vocabulary is too long to share by link (a page address may hold ${kb(ADDRESS_BUDGET)} here): ` +
  'it is used, but the page address no longer holds it, so a reload or a copied link starts without it. ' +
  'Keep long vocabularies in a text file and paste them in.';

/** Shows a value in a message: quoted, shortened, control characters made visible. */
export const shown = (s: string): string =>
  JSON.stringify(s.length > 80 ? `${s.slice(0, 77)}…` : s).replace(/[\u2028\u2029]/g, ' ');

/**
 * An http(s) URL typed or linked by a person: relative ones resolve against the page (never
 * `new URL(x)` alone, which throws on them). Returns null for anything else (javascript:, data:,
 * blob:, file:, garbage).
 */
export function resolveHttpUrl(text: string, pageHref: string): string | null {
  let url: URL;
  try {
    url = new URL(text.trim(), pageHref);
  } catch {
    return null;
  }
  return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : null;
}

export function readConfig(search: string, pageHref: string): AppConfig {
  const q = new URLSearchParams(search);
  const problems: string[] = [];
  const modelParam = q.get('model')?.trim() || null;
  let model: string | null = null;
  if (modelParam === 'embedded' || PRESETS.some((p) => p.id === modelParam)) model = modelParam;
  else if (modelParam !== null) {
    model = resolveHttpUrl(modelParam, pageHref);
    if (!model) {
      const names = ['embedded', ...PRESETS.map((p) => p.id)].join(', ');
      problems.push(
        `?model=${shown(modelParam)} is neither a model name (${names}) nor an http(s) address of a manifest: using the embedded model.`,
      );
      model = 'embedded';
    }
  }
  const epParam = q.get('ep');
  const ep = EPS.find((e) => e === epParam) ?? null;
  if (epParam !== null && !ep)
    problems.push(`?ep=${shown(epParam)} is not a backend (wasm or webgpu): choosing one automatically.`);
  const dtypeParam = q.get('dtype');
  const dtype = DTYPES.find((d) => d === dtypeParam);
  if (dtypeParam !== null && !dtype)
    problems.push(
      `?dtype=${shown(dtypeParam)} is not a file variant (${DTYPES.join(', ')}): choosing one automatically.`,
    );
  const settings: Record<string, string> = {};
  for (const s of ALL_SETTINGS) {
    const value = q.get(s.key);
    if (value === null) continue;
    const values = s.choices.map((c) => c.value);
    if (values.includes(value)) settings[s.key] = value;
    else
      problems.push(
        `?${s.key}=${shown(value)} is not ${s.what} (${values.join(', ')}): using the model's default.`,
      );
  }
  const hubParam = q.get('hub');
  let hub = DEFAULT_HUB;
  if (hubParam !== null) {
    const url = resolveHttpUrl(hubParam, pageHref);
    if (url) hub = url;
    else problems.push(`?hub=${shown(hubParam)} is not an http(s) address: using ${DEFAULT_HUB}.`);
  }
  const debug = q.has('debug');
  const limitParam = q.get('gpuBufferLimit');
  const limit = Number(limitParam);
  const gpuBufferLimit = debug && limitParam && Number.isSafeInteger(limit) && limit > 0 ? limit : undefined;
  if (debug && limitParam && gpuBufferLimit === undefined)
    problems.push(`?gpuBufferLimit=${shown(limitParam)} is not a number of bytes: ignored.`);
  const classes = q.get('classes');
  if (classes !== null && pageHref.length > ADDRESS_BUDGET)
    problems.push(
      `This link's address is ${kb(pageHref.length)}, over the ${kb(ADDRESS_BUDGET)} a shareable address may hold: ` +
        'its vocabulary is used, but it is taken out of the page address, so a reload or a copied link starts without it.',
    );
  return { model, ep, dtype, classes, settings, hub, debug, gpuBufferLimit, problems };
}
