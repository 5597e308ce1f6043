import { useEffect, useRef, useState } from 'react';
import { resolveHttpUrl, shown } from '../config';
import type { ModelInfo } from '../shared/protocol';
import { familyById, settingsOf } from '../models/families';
import { parseManifest, type Manifest } from '../models/manifest';
import { embeddedEntry, presetEntries, urlEntry, type ModelEntry } from '../services/catalogue';
import type { Controller } from '../services/controller';
import { useShallow } from 'zustand/react/shallow';
import { EMBEDDED_MODEL } from '../config';
import { notify } from '../services/notices';
import { useApp } from '../store/store';

const mb = (b: number) =>
  b >= 1e6 ? `${(b / 1e6).toFixed(b >= 1e8 ? 0 : 1)} MB` : `${Math.max(1, Math.round(b / 1e3))} kB`;

/**
 * What a model's family lets the user choose, and the model's default for each: the loaded model's,
 * else its manifest's when the entry carries one (presets, dropped files); none for a URL not loaded.
 */
function settingDefaults(e: ModelEntry, model: ModelInfo | null, active: boolean) {
  if (active && model)
    return (familyById(model.family).settings ?? []).map((s) => ({ s, value: model.settings[s.key]! }));
  if (e.source.kind === 'url') return [];
  // The family says what it offers (the manifest may not be checked yet: any family name).
  const m = e.source.manifest as Manifest;
  return settingsOf(m).map((s) => ({ s, value: s.defaultFor(m) }));
}

/**
 * Models: size, source, licence, cached or not; use/download, cancel, delete; storage; bring your own.
 * A dialog in the page's flow (not modal: a download's progress and the page stay usable while it is
 * open): focus moves into it when it opens, Escape or Close closes it, and focus goes back to the
 * button that opened it.
 */
export function ModelManager({ controller, onClose }: { controller: Controller; onClose(): void }) {
  const dialog = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const opener = document.activeElement as HTMLElement | null;
    dialog.current?.querySelector<HTMLElement>('h2')?.focus();
    return () => opener?.focus();
  }, []);
  const hub = controller.hub;
  const {
    entry: active,
    model,
    loadingEntry,
    ep,
    variantReason: reason,
  } = useApp(
    useShallow((s) => ({
      entry: s.entry,
      model: s.model,
      loadingEntry: s.loadingEntry,
      ep: s.ep,
      variantReason: s.variantReason,
    })),
  );
  const [cached, setCached] = useState<Record<string, number>>({});
  const [usage, setUsage] = useState<string>('');
  const [url, setUrl] = useState('');

  const entries: ModelEntry[] = [embeddedEntry(EMBEDDED_MODEL), ...presetEntries(hub)];
  if (active && !entries.some((e) => e.key === active.key)) entries.push(active);

  const [tick, setTick] = useState(0);
  const refresh = () => setTick((t) => t + 1);
  const keys = entries.map((e) => `${e.key} ${e.cachePrefixes.join(' ')}`).join('\n');

  // Cache state comes from the worker (Cache Storage); re-read it after every change.
  useEffect(() => {
    let alive = true;
    const list = keys.split('\n').map((l) => l.split(' '));
    void controller.client.request('storage', { prefixes: list.flatMap(([, ...p]) => p) }).then((r) => {
      if (!alive) return;
      const byPrefix = new Map(r.cached.map((c) => [c.prefix, c.bytes]));
      setCached(
        Object.fromEntries(list.map(([k, ...p]) => [k!, p.reduce((a, x) => a + (byPrefix.get(x) ?? 0), 0)])),
      );
      setUsage(r.usage === null ? 'unknown' : `${mb(r.usage)}${r.quota ? ` of ${mb(r.quota)}` : ''}`);
    });
    return () => {
      alive = false;
    };
  }, [controller, keys, tick, model, loadingEntry]);

  const use = (e: ModelEntry) => void controller.load(e, ep).then(refresh);
  const remove = async (e: ModelEntry) => {
    await controller.client.request('evict', { prefixes: e.cachePrefixes });
    await refresh();
  };
  const loadFiles = async (files: FileList | null) => {
    if (!files?.length) return;
    const list = Array.from(files);
    const mf =
      list.find((f) => f.name === 'ovseg.json') ??
      list.find(
        (f) => f.name.endsWith('.json') && f.name !== 'tokenizer.json' && f.name !== 'tokenizer_config.json',
      );
    if (!mf)
      return notify('error', "Drop the bundle's manifest (ovseg.json) together with the files it names.");
    try {
      const manifest = parseManifest(JSON.parse(await mf.text()));
      const entry: ModelEntry = {
        key: `files:${manifest.id}`,
        name: manifest.name,
        summary: manifest.description ?? 'A model bundle chosen from this computer.',
        licence: manifest.licence ?? 'see the bundle',
        origin: 'files on this computer',
        source: { kind: 'files', manifest, files: Object.fromEntries(list.map((f) => [f.name, f])) },
        cachePrefixes: [],
        sizes: {},
        embedded: false,
      };
      await controller.load(entry, ep);
    } catch (e) {
      notify('error', `That bundle cannot be used: ${(e as Error).message}`);
    }
  };

  return (
    <dialog
      ref={dialog}
      open
      className="panel models"
      data-testid="model-manager"
      aria-labelledby="models-title"
      onKeyDown={(e) => {
        if (e.key !== 'Escape') return;
        e.stopPropagation();
        onClose();
      }}
    >
      <div className="dialog-head">
        <h2 id="models-title" tabIndex={-1}>
          Models
        </h2>
        <button type="button" data-testid="close-models" onClick={onClose}>
          Close
        </button>
      </div>
      <ul>
        {entries.map((e) => {
          const isActive = active?.key === e.key;
          const isLoading = loadingEntry?.key === e.key;
          const bytes = cached[e.key] ?? 0;
          const size = Object.values(e.totalSizes ?? {})[0];
          const defaults = settingDefaults(e, model, isActive);
          return (
            <li key={e.key} data-key={e.key} data-testid="model-row" data-cached={bytes > 0 ? 'yes' : 'no'}>
              <div className="title">
                <strong>{e.name}</strong> {isActive && <span className="badge">in use</span>}
              </div>
              <p className="hint">{e.summary}</p>
              <p className="hint">
                {e.embedded || !/^https?:/.test(e.origin) ? (
                  e.origin
                ) : (
                  <a href={e.origin} target="_blank" rel="noreferrer">
                    {e.origin}
                  </a>
                )}{' '}
                · {e.licence}
                {size
                  ? ` · ${e.embedded ? '' : 'about '}${mb(size)}${Object.keys(e.sizes).length > 1 ? ' (largest variant)' : ''}, tokenizer included`
                  : ''}
              </p>
              {defaults.map(({ s, value }) => (
                <p key={s.key} className="hint" data-testid={`model-${s.testId}`}>
                  {s.describeDefault(value)}
                </p>
              ))}
              <p className="hint" data-testid="model-cache-state">
                {e.embedded
                  ? 'Always available offline'
                  : bytes > 0
                    ? `Cached: ${mb(bytes)}`
                    : 'Not downloaded'}
              </p>
              {isActive && model && (
                <p className="hint" data-testid="model-variant">
                  Running the {model.imageDtype} variant on {model.ep === 'webgpu' ? 'WebGPU' : 'WASM'}:{' '}
                  {reason}.
                </p>
              )}
              <div className="row">
                {!isActive && !isLoading && (
                  <button data-testid="model-use" disabled={loadingEntry !== null} onClick={() => use(e)}>
                    {e.embedded || bytes > 0 ? 'Use' : 'Download and use'}
                  </button>
                )}
                {isLoading && (
                  <button data-testid="model-cancel" onClick={() => controller.cancelLoad()}>
                    Cancel download
                  </button>
                )}
                {!e.embedded && bytes > 0 && !isLoading && (
                  <button data-testid="model-delete" onClick={() => void remove(e)}>
                    Delete from cache
                  </button>
                )}
              </div>
            </li>
          );
        })}
      </ul>
      <p className="hint" data-testid="storage-used">
        Storage used by this site: {usage}
      </p>
      <h3>Bring your own model</h3>
      <form
        className="row"
        onSubmit={(ev) => {
          ev.preventDefault();
          if (!url.trim()) return;
          // Relative addresses resolve against the page; javascript:, data: and the like are refused.
          const href = resolveHttpUrl(url, location.href);
          if (href) void controller.load(urlEntry(href), ep);
          else notify('error', `${shown(url.trim())} is not an http(s) address of a model manifest.`);
        }}
      >
        <input
          data-testid="byo-url"
          type="text"
          inputMode="url"
          placeholder="https://…/ovseg.json"
          value={url}
          onChange={(e) => setUrl(e.target.value)}
        />
        <button data-testid="byo-load" type="submit">
          Load
        </button>
      </form>
      <label className="hint">
        …or choose the bundle's files (ovseg.json, the ONNX files, tokenizer.json):
        <input
          data-testid="byo-files"
          type="file"
          multiple
          onChange={(e) => void loadFiles(e.target.files)}
        />
      </label>
    </dialog>
  );
}
